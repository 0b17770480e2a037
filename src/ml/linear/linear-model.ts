import { checkModelJson, type ModelJson } from '../estimator.js'
import { FittedEstimator } from '../fitted-estimator.js'
import type { Matrix, MatrixLike } from '../matrix.js'
import { checkFinite, checkMatrixShape, checkPredictShape, checkRow, checkTargetValues } from '../validation.js'
import { columnSums, dotPairs, linearDecision } from './kernels.js'

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

  /**
   * x·coef + intercept for each row of x (n × nFeaturesIn_): n values.
   * @throws ValidationError for a wrong width or a non-finite value (naming its row and column).
   */
  predict(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const m = checkPredictShape(x, f.nFeatures)
    return checkedDecision(m, f.coef, Float64Array.of(f.intercept))
  }

  predictOne(row: ArrayLike<number>): number {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    return f.intercept + dotPairs(f.coef, 0, row, 0, f.nFeatures)
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

/**
 * x·coefᵀ + intercept for a linear model's batch predictions (n × K), checked without a scan of x
 * first: a NaN or ±Infinity in x always makes its row's outputs non-finite (0·NaN and 0·Infinity are
 * NaN), so x is scanned, for checkMatrix's message naming the first bad cell, only when an output
 * is non-finite. Outputs that overflow from finite x are returned as they are, as before.
 */
export function checkedDecision(m: Matrix, coef: Float64Array, intercept: Float64Array): Float64Array {
  const { out, finite } = linearDecision(m.data, m.nRows, m.nCols, coef, intercept)
  if (!finite) checkFinite(m, 'x')
  return out
}

/** A regressor's fit data after validation, with the means it is centred on. */
export interface CentringData {
  readonly x: Matrix
  /** The caller's y, checked (not copied: it is only read before fit returns). */
  readonly y: ArrayLike<number>
  /** p + 1 means: x's columns, then y's (all 0 without an intercept). */
  readonly mean: Float64Array
}

/**
 * The validation opening LinearRegression's and Ridge's fit (checkXyNumeric's checks and messages)
 * and the means they centre on (sklearn's _preprocess_data with fit_intercept). x is not scanned
 * for non-finite values separately: its column sums, which the means need anyway, are non-finite
 * exactly when a column holds a NaN or ±Infinity (or overflows), and only then is x scanned, for
 * the message. Each mean is the plain row-order sum divided by n.
 */
export function checkCentring(x: MatrixLike, y: ArrayLike<number>, fitIntercept: boolean): CentringData {
  const m = checkMatrixShape(x, 'x')
  const { nRows: n, nCols: p } = m
  const sums = columnSums(m.data, n, p)
  if (sums.some((v) => !Number.isFinite(v))) checkFinite(m, 'x')
  const yv = checkTargetValues(y, n)
  const mean = new Float64Array(p + 1)
  if (fitIntercept) {
    for (let j = 0; j < p; j++) mean[j] = sums[j] / n
    let s = 0
    for (let i = 0; i < n; i++) s += yv[i]
    mean[p] = s / n
  }
  return { x: m, y: yv, mean }
}

/** x − mean and y − ȳ as new arrays (n×p and n), for the solvers that need the centred data itself. */
export function centredCopy(c: CentringData): { xc: Float64Array; yc: Float64Array } {
  const { nRows: n, nCols: p, data } = c.x
  const xc = new Float64Array(n * p)
  const yc = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) xc[i * p + j] = data[i * p + j] - c.mean[j]
    yc[i] = c.y[i] - c.mean[p]
  }
  return { xc, yc }
}

/** intercept = ȳ − x̄·coef (0 without an intercept). */
export function interceptFrom(coef: Float64Array, mean: Float64Array): number {
  let s = mean[coef.length]
  for (let j = 0; j < coef.length; j++) s -= mean[j] * coef[j]
  return s
}
