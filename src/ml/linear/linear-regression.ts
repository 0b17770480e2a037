import { ValidationError } from '../errors.js'
import type { Regressor } from '../estimator.js'
import type { MatrixLike } from '../matrix.js'
import { checkXyNumeric } from '../validation.js'
import { cholesky, choleskySolve, leastSquares } from './linalg.js'
import { centre, interceptFrom, LinearRegressorBase } from './linear-model.js'

export interface LinearRegressionOptions {
  /** Fit an intercept (default true); false fits through the origin. */
  readonly fitIntercept?: boolean
}

export type LinearRegressionParams = Required<LinearRegressionOptions>

/**
 * Ordinary least squares (sklearn's LinearRegression): minimises ‖y − x·coef − intercept‖² by
 * Householder QR with column pivoting on the centred data, so it stays accurate where the normal
 * equations would square the condition number. For rank-deficient x, dependent columns get
 * coefficient 0 (sklearn returns the minimum-norm solution instead; predictions are the same).
 */
export class LinearRegression extends LinearRegressorBase<LinearRegressionParams> implements Regressor {
  readonly params: Readonly<LinearRegressionParams>

  constructor(options: LinearRegressionOptions = {}) {
    super('LinearRegression')
    this.params = Object.freeze({ fitIntercept: options.fitIntercept ?? true })
  }

  fit(x: MatrixLike, y: ArrayLike<number>): this {
    checkFitIntercept(this.params.fitIntercept)
    const c = checkXyNumeric(x, y)
    const { nRows: n, nCols: p } = c.x
    const { xc, yc, xMean, yMean } = centre(c.x, c.y, this.params.fitIntercept)
    let coef: Float64Array
    if (n >= p) coef = leastSquares(xc, n, p, yc).coef
    else {
      // more features than rows: the QR of xᵀ would be needed for the minimum-norm solution; a
      // vanishing ridge gives it to within rounding
      coef = ridgeSolve(xc, yc, n, p, 1e-10 * traceScale(xc, n, p))
    }
    this.setFitted({ nFeatures: p, coef, intercept: this.params.fitIntercept ? interceptFrom(coef, xMean, yMean) : 0 })
    return this
  }

  static fromJSON(json: unknown): LinearRegression {
    return LinearRegressorBase.restore(json, 'LinearRegression', (params: LinearRegressionOptions) => new LinearRegression(params))
  }
}

export interface RidgeOptions {
  /** L2 penalty α ≥ 0 on the coefficients, not the intercept (default 1). */
  readonly alpha?: number
  readonly fitIntercept?: boolean
}

export type RidgeParams = Required<RidgeOptions>

/**
 * Ridge regression (sklearn's Ridge, solver 'cholesky'): minimises ‖y − x·coef − intercept‖² + α‖coef‖²,
 * solving (xcᵀxc + αI)·coef = xcᵀyc on the centred data by Cholesky; the intercept is not penalised.
 */
export class Ridge extends LinearRegressorBase<RidgeParams> implements Regressor {
  readonly params: Readonly<RidgeParams>

  constructor(options: RidgeOptions = {}) {
    super('Ridge')
    this.params = Object.freeze({ alpha: options.alpha ?? 1, fitIntercept: options.fitIntercept ?? true })
  }

  fit(x: MatrixLike, y: ArrayLike<number>): this {
    const { alpha, fitIntercept } = this.params
    if (typeof alpha !== 'number' || !(alpha >= 0) || !Number.isFinite(alpha)) throw new ValidationError(`alpha must be a finite number ≥ 0, got ${alpha}`, 'alpha')
    checkFitIntercept(fitIntercept)
    const c = checkXyNumeric(x, y)
    const { nRows: n, nCols: p } = c.x
    const { xc, yc, xMean, yMean } = centre(c.x, c.y, fitIntercept)
    const coef = alpha > 0 ? ridgeSolve(xc, yc, n, p, alpha) : n >= p ? leastSquares(xc, n, p, yc).coef : ridgeSolve(xc, yc, n, p, 1e-10 * traceScale(xc, n, p))
    this.setFitted({ nFeatures: p, coef, intercept: fitIntercept ? interceptFrom(coef, xMean, yMean) : 0 })
    return this
  }

  static fromJSON(json: unknown): Ridge {
    return LinearRegressorBase.restore(json, 'Ridge', (params: RidgeOptions) => new Ridge(params))
  }
}

function checkFitIntercept(v: unknown): void {
  if (typeof v !== 'boolean') throw new ValidationError(`fitIntercept must be true or false, got ${String(v)}`, 'fitIntercept')
}

/** (xᵀx + αI)⁻¹ xᵀy by Cholesky, xᵀx accumulated over the lower triangle. */
function ridgeSolve(x: Float64Array, y: Float64Array, n: number, p: number, alpha: number): Float64Array {
  const a = new Float64Array(p * p)
  const b = new Float64Array(p)
  for (let i = 0; i < n; i++) {
    const o = i * p
    const yi = y[i]
    for (let j = 0; j < p; j++) {
      const xj = x[o + j]
      if (xj === 0) continue
      b[j] += xj * yi
      const r = j * p
      for (let k = 0; k <= j; k++) a[r + k] += xj * x[o + k]
    }
  }
  for (let j = 0; j < p; j++) a[j * p + j] += alpha
  if (!cholesky(a, p)) throw new ValidationError('xᵀx + alpha·I is not positive definite (alpha 0 with dependent columns?): use alpha > 0', 'alpha')
  choleskySolve(a, p, b)
  return b
}

/** Mean diagonal of xᵀx, the scale a vanishing ridge is taken relative to. */
function traceScale(x: Float64Array, n: number, p: number): number {
  let s = 0
  for (let t = 0; t < n * p; t++) s += x[t] * x[t]
  return s / p || 1
}
