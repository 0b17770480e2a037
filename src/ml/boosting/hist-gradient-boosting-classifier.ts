import { ValidationError } from '../errors.js'
import { argmax, checkModelJson, type Classifier, type ModelJson } from '../estimator.js'
import { FittedClassifier } from '../fitted-classifier.js'
import type { Label } from '../labels.js'
import type { MatrixLike } from '../matrix.js'
import { checkPredictMatrix, checkRow, checkXy, estimatorParams } from '../validation.js'
import { boostedFromJson, boostedModel, boostedToJson, type BoostedLearnedJson, type BoostedModel } from './boosted-model.js'
import { boostingParams, checkBoostingParams, type HistGradientBoostingOptions, type HistGradientBoostingParams } from './boosting-options.js'
import { fitBoostingThreaded } from './threads.js'
import { binaryLogLoss, multinomialLoss, softmaxInto } from './losses.js'

export interface HistGradientBoostingClassifierOptions extends HistGradientBoostingOptions {
  /** 'log_loss' (default): binary log loss for two classes, softmax cross-entropy for more. */
  readonly loss?: 'log_loss'
}

export interface HistGradientBoostingClassifierParams extends HistGradientBoostingParams {
  readonly loss: 'log_loss'
}

interface ClassifierLearned extends BoostedModel {
  readonly classes: Label[]
  /** predictOne's probability row (scratch). */
  readonly probaScratch: Float64Array
}

const KIND = 'HistGradientBoostingClassifier'

/**
 * Histogram gradient-boosted trees for classification (scikit-learn's HistGradientBoostingClassifier):
 * features binned once (≤ 255 bins plus one for NaN), trees grown leaf-wise on log-loss gradients,
 * one tree per iteration for two classes and one per class for more. NaN is a value like any
 * other: each split learns which side missing values take. Early stopping on a held-out share
 * of the data is on by default above 10 000 samples.
 */
export class HistGradientBoostingClassifier extends FittedClassifier<ClassifierLearned> implements Classifier {
  readonly params: Readonly<HistGradientBoostingClassifierParams>

  constructor(options: HistGradientBoostingClassifierOptions = {}) {
    super(KIND)
    this.params = estimatorParams(KIND, options, { loss: options.loss ?? 'log_loss', ...boostingParams(options) })
  }

  /** Split gain summed per feature over all trees, normalised to sum 1 (LightGBM's "gain" importance). */
  get featureImportances_(): Float64Array {
    return this.fitted().importances.slice()
  }

  /** Iterations run (fewer than maxIter when early stopping stopped the fit). */
  get nIter_(): number {
    return this.fitted().nIter
  }

  /** −log loss on the validation rows after the baseline and each iteration; empty without early stopping. */
  get validationScore_(): readonly number[] {
    return this.fitted().validationScore
  }

  fit(x: MatrixLike, y: ArrayLike<Label>): this {
    const p = this.params
    checkBoostingParams(p)
    if (p.loss !== 'log_loss') throw new ValidationError(`loss must be 'log_loss', got ${JSON.stringify(p.loss)}`, 'loss')
    const c = checkXy(x, y, true)
    const k = c.classes.length
    const yf = Float64Array.from(c.y)
    const r =
      k === 1
        ? { baseline: Float64Array.of(0), trees: [], nIter: 0, importances: new Float64Array(c.x.nCols), validationScore: [] }
        : fitBoostingThreaded(c.x, yf, k === 2 ? binaryLogLoss : multinomialLoss(k), p, k)
    this.setFitted({ ...boostedModel(c.x.nCols, r), classes: c.classes, probaScratch: new Float64Array(k) })
    return this
  }

  /** Class probabilities from raw scores (row-major, nRows × width) into out (nRows × k). */
  static #probaFromRaw(raw: Float64Array, nRows: number, k: number, out: Float64Array): void {
    if (k === 1) out.fill(1)
    else if (k === 2) {
      for (let i = 0; i < nRows; i++) {
        const p1 = 1 / (1 + Math.exp(-raw[i]))
        out[2 * i] = 1 - p1
        out[2 * i + 1] = p1
      }
    } else {
      const row = new Float64Array(k)
      for (let i = 0; i < nRows; i++) {
        softmaxInto(raw, i * k, k, row)
        out.set(row, i * k)
      }
    }
  }

  predictProba(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const m = checkPredictMatrix(x, f.nFeatures, 'x', true)
    const k = f.classes.length
    const raw = new Float64Array(m.nRows * f.packed.k)
    f.packed.rawRows(m.data, m.nRows, m.nCols, raw)
    const out = new Float64Array(m.nRows * k)
    HistGradientBoostingClassifier.#probaFromRaw(raw, m.nRows, k, out)
    return out
  }

  predictProbaOne(row: ArrayLike<number>, out?: Float64Array): Float64Array {
    const f = this.fitted()
    checkRow(row, f.nFeatures, true)
    const k = f.classes.length
    const res = out ?? new Float64Array(k)
    f.packed.rawOne(row, f.rawScratch)
    if (k === 1) res[0] = 1
    else if (k === 2) {
      const p1 = 1 / (1 + Math.exp(-f.rawScratch[0]))
      res[0] = 1 - p1
      res[1] = p1
    } else softmaxInto(f.rawScratch, 0, k, res)
    return res
  }

  predictOne(row: ArrayLike<number>): Label {
    const f = this.fitted()
    // the argmax of the same probabilities predictProba gives, so batch and single-row agree on ties
    this.predictProbaOne(row, f.probaScratch)
    return f.classes[argmax(f.probaScratch, 0, f.classes.length)]
  }

  toJSON(): ModelJson<HistGradientBoostingClassifierParams, BoostedLearnedJson & { classes: Label[] }> {
    const f = this.fittedOrNone()
    return { kind: KIND, version: 1, params: { ...this.params }, learned: f === undefined ? null : { classes: f.classes, ...boostedToJson(f) } }
  }

  static fromJSON(json: unknown): HistGradientBoostingClassifier {
    const j = checkModelJson(json, KIND)
    const est = new HistGradientBoostingClassifier(j.params)
    const l = j.learned as (BoostedLearnedJson & { classes: Label[] }) | null
    if (l != null) est.setFitted({ ...boostedFromJson(l), classes: l.classes, probaScratch: new Float64Array(l.classes.length) })
    return est
  }
}
