import { NotFittedError, ValidationError } from '../errors.js'
import { checkModelJson, type ModelJson } from '../estimator.js'
import type { MatrixLike } from '../matrix.js'
import type { Regressor } from '../estimator.js'
import { checkPredictMatrix, checkRow, checkXyNumeric, estimatorParams } from '../validation.js'
import { boostedFromJson, boostedModel, boostedToJson, type BoostedLearnedJson, type BoostedModel } from './boosted-model.js'
import { boostingParams, checkBoostingParams, type HistGradientBoostingOptions, type HistGradientBoostingParams } from './boosting-options.js'
import { absoluteError, squaredError } from './losses.js'
import { fitBoostingThreaded } from './threads.js'

export interface HistGradientBoostingRegressorOptions extends HistGradientBoostingOptions {
  /** 'squared_error' (default; baseline the mean) or 'absolute_error' (baseline and leaves the median). */
  readonly loss?: 'squared_error' | 'absolute_error'
}

export interface HistGradientBoostingRegressorParams extends HistGradientBoostingParams {
  readonly loss: 'squared_error' | 'absolute_error'
}

const KIND = 'HistGradientBoostingRegressor'

/**
 * Histogram gradient-boosted trees for a numeric target (scikit-learn's HistGradientBoostingRegressor):
 * the same trees as HistGradientBoostingClassifier, fitted to squared or absolute error. NaN
 * features are routed by a direction each split learns.
 */
export class HistGradientBoostingRegressor implements Regressor {
  readonly params: Readonly<HistGradientBoostingRegressorParams>
  #fit: BoostedModel | undefined

  constructor(options: HistGradientBoostingRegressorOptions = {}) {
    this.params = estimatorParams(KIND, options, { loss: options.loss ?? 'squared_error', ...boostingParams(options) })
  }

  isFitted(): boolean {
    return this.#fit !== undefined
  }

  #fitted(): BoostedModel {
    if (this.#fit === undefined) throw new NotFittedError(KIND)
    return this.#fit
  }

  get nFeaturesIn_(): number {
    return this.#fitted().nFeatures
  }

  /** Split gain summed per feature over all trees, normalised to sum 1 (LightGBM's "gain" importance). */
  get featureImportances_(): Float64Array {
    return this.#fitted().importances.slice()
  }

  /** Iterations run (fewer than maxIter when early stopping stopped the fit). */
  get nIter_(): number {
    return this.#fitted().nIter
  }

  /** −loss (½ squared error, or absolute error) on the validation rows after the baseline and each iteration; empty without early stopping. */
  get validationScore_(): readonly number[] {
    return this.#fitted().validationScore
  }

  fit(x: MatrixLike, y: ArrayLike<number>): this {
    const p = this.params
    checkBoostingParams(p)
    if (p.loss !== 'squared_error' && p.loss !== 'absolute_error') {
      throw new ValidationError(`loss must be 'squared_error' or 'absolute_error', got ${JSON.stringify(p.loss)}`, 'loss')
    }
    const c = checkXyNumeric(x, y, true)
    const r = fitBoostingThreaded(c.x, c.y, p.loss === 'squared_error' ? squaredError : absoluteError, p, null)
    this.#fit = boostedModel(c.x.nCols, r)
    return this
  }

  predict(x: MatrixLike): Float64Array {
    const f = this.#fitted()
    const m = checkPredictMatrix(x, f.nFeatures, 'x', true)
    const out = new Float64Array(m.nRows)
    f.packed.rawRows(m.data, m.nRows, m.nCols, out)
    return out
  }

  predictOne(row: ArrayLike<number>): number {
    const f = this.#fitted()
    checkRow(row, f.nFeatures, true)
    f.packed.rawOne(row, f.rawScratch)
    return f.rawScratch[0]
  }

  toJSON(): ModelJson<HistGradientBoostingRegressorParams, BoostedLearnedJson> {
    const f = this.#fit
    return { kind: KIND, version: 1, params: { ...this.params }, learned: f === undefined ? null : boostedToJson(f) }
  }

  static fromJSON(json: unknown): HistGradientBoostingRegressor {
    const j = checkModelJson(json, KIND)
    const est = new HistGradientBoostingRegressor(j.params)
    const l = j.learned as BoostedLearnedJson | null
    if (l != null) est.#fit = boostedFromJson(l)
    return est
  }
}
