import { checkModelJson, type ModelJson } from '../estimator.js'
import { FittedEstimator } from '../fitted-estimator.js'
import type { Matrix, MatrixLike } from '../matrix.js'
import { checkPredictMatrix, checkRow } from '../validation.js'

/** What a fitted linear regressor learned: y ≈ x·coef + intercept. */
export interface LinearLearned {
  readonly nFeatures: number
  readonly coef: Float64Array
  readonly intercept: number
}

interface LinearLearnedJson {
  readonly nFeatures: number
  readonly coef: number[]
  readonly intercept: number
}

/** The prediction, attributes and JSON shared by LinearRegression and Ridge. */
export abstract class LinearRegressorBase<P extends object> extends FittedEstimator<LinearLearned> {
  abstract readonly params: Readonly<P>

  constructor(private readonly modelKind: string) {
    super(modelKind)
  }

  /** The weight of each feature (sklearn's coef_), length nFeaturesIn_. */
  get coef_(): Float64Array {
    return this.fitted().coef.slice()
  }

  get intercept_(): number {
    return this.fitted().intercept
  }

  predict(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const m = checkPredictMatrix(x, f.nFeatures)
    const out = new Float64Array(m.nRows)
    for (let i = 0; i < m.nRows; i++) out[i] = dot(f, m.data, i * m.nCols)
    return out
  }

  predictOne(row: ArrayLike<number>): number {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    return dot(f, row, 0)
  }

  toJSON(): ModelJson<P, LinearLearnedJson> {
    const f = this.fittedOrNone()
    return {
      kind: this.modelKind,
      version: 1,
      params: { ...this.params },
      learned: f === undefined ? null : { nFeatures: f.nFeatures, coef: Array.from(f.coef), intercept: f.intercept },
    }
  }

  /** fromJSON for a subclass: checks the kind and restores the learned state into `est`. */
  protected static restore<E extends LinearRegressorBase<object>>(json: unknown, kind: string, make: (params: Record<string, unknown>) => E): E {
    const j = checkModelJson(json, kind)
    const est = make((j.params ?? {}) as Record<string, unknown>)
    const l = j.learned as LinearLearnedJson | null
    if (l != null) est.setFitted({ nFeatures: l.nFeatures, coef: Float64Array.from(l.coef), intercept: l.intercept })
    return est
  }
}

function dot(f: LinearLearned, x: ArrayLike<number>, off: number): number {
  let s = f.intercept
  for (let j = 0; j < f.nFeatures; j++) s += f.coef[j] * x[off + j]
  return s
}

/** x and y centred on their means (sklearn's _preprocess_data with fit_intercept), or copied unchanged. */
export function centre(x: Matrix, y: Float64Array, fitIntercept: boolean): { xc: Float64Array; yc: Float64Array; xMean: Float64Array; yMean: number } {
  const { nRows: n, nCols: p, data } = x
  const xMean = new Float64Array(p)
  let yMean = 0
  if (fitIntercept) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) xMean[j] += data[i * p + j]
      yMean += y[i]
    }
    for (let j = 0; j < p; j++) xMean[j] /= n
    yMean /= n
  }
  const xc = new Float64Array(n * p)
  const yc = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) xc[i * p + j] = data[i * p + j] - xMean[j]
    yc[i] = y[i] - yMean
  }
  return { xc, yc, xMean, yMean }
}

/** intercept = ȳ − x̄·coef (0 without an intercept). */
export function interceptFrom(coef: Float64Array, xMean: Float64Array, yMean: number): number {
  let s = yMean
  for (let j = 0; j < coef.length; j++) s -= xMean[j] * coef[j]
  return s
}
