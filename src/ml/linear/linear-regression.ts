import { ValidationError } from '../errors.js'
import type { Regressor } from '../estimator.js'
import type { MatrixLike } from '../matrix.js'
import { checkXyNumeric } from '../validation.js'
import { addGramLower, cholesky, choleskySolve, leastSquares, transposeTimes } from './linalg.js'
import { centre, interceptFrom, LinearRegressorBase } from './linear-model.js'

export interface LinearRegressionOptions {
  /** Fit an intercept (default true); false fits through the origin. */
  readonly fitIntercept?: boolean
}

export type LinearRegressionParams = Required<LinearRegressionOptions>

/**
 * Ordinary least squares (sklearn's LinearRegression): minimises ‖y − x·coef − intercept‖² on the
 * centred data. Solved by the normal equations (Cholesky of the column-scaled Gram matrix, one step of
 * iterative refinement on the residual), which is what makes it fast; when they are ill-conditioned
 * (cond > 10¹⁰) or singular, by Householder QR with column pivoting instead. For rank-deficient x,
 * dependent columns get coefficient 0 (sklearn returns the minimum-norm solution; predictions agree).
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
    if (n >= p) coef = olsSolve(xc, yc, n, p)
    else {
      // more features than rows: the QR of xᵀ would be needed for the minimum-norm solution; a
      // vanishing ridge gives it to within rounding
      coef = ridgeSolve(xc, yc, n, p, 1e-10 * traceScale(xc, n, p))
    }
    this.setFitted({ nFeatures: p, coef, intercept: this.params.fitIntercept ? interceptFrom(coef, xMean, yMean) : 0 })
    return this
  }

  static fromJSON(json: unknown): LinearRegression {
    return LinearRegressorBase.restore(json, 'LinearRegression', (params) => new LinearRegression(params as LinearRegressionOptions))
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
    return LinearRegressorBase.restore(json, 'Ridge', (params) => new Ridge(params as RidgeOptions))
  }
}

function checkFitIntercept(v: unknown): void {
  if (typeof v !== 'boolean') throw new ValidationError(`fitIntercept must be true or false, got ${String(v)}`, 'fitIntercept')
}

/** (xᵀx + αI)⁻¹ xᵀy by Cholesky (sklearn's 'cholesky' solver). */
function ridgeSolve(x: Float64Array, y: Float64Array, n: number, p: number, alpha: number): Float64Array {
  const a = new Float64Array(p * p)
  addGramLower(x, n, p, null, a)
  for (let j = 0; j < p; j++) a[j * p + j] += alpha
  if (!cholesky(a, p)) throw new ValidationError('xᵀx + alpha·I is not positive definite (alpha 0 with dependent columns?): use alpha > 0', 'alpha')
  const b = transposeTimes(x, n, p, y)
  choleskySolve(a, p, b)
  return b
}

/**
 * Least squares by the semi-normal equations: Gram matrix scaled to unit diagonal (Jacobi), Cholesky,
 * then one refinement step δ = G⁻¹xᵀ(y − x·coef), which brings the error back to QR's level for
 * well-conditioned problems. Falls back to pivoted QR when a pivot of the scaled Gram is below 1e-10.
 */
function olsSolve(x: Float64Array, y: Float64Array, n: number, p: number): Float64Array {
  const g = new Float64Array(p * p)
  addGramLower(x, n, p, null, g)
  const d = new Float64Array(p)
  for (let j = 0; j < p; j++) d[j] = Math.sqrt(g[j * p + j])
  let ok = d.every((v) => v > 0)
  if (ok) {
    for (let j = 0; j < p; j++) for (let k = 0; k <= j; k++) g[j * p + k] /= d[j] * d[k]
    ok = cholesky(g, p)
    for (let j = 0; ok && j < p; j++) if (g[j * p + j] * g[j * p + j] < 1e-10) ok = false
  }
  if (!ok) return leastSquares(x.slice(), n, p, y.slice()).coef
  const solve = (rhs: Float64Array): Float64Array => {
    for (let j = 0; j < p; j++) rhs[j] /= d[j]
    choleskySolve(g, p, rhs)
    for (let j = 0; j < p; j++) rhs[j] /= d[j]
    return rhs
  }
  const coef = solve(transposeTimes(x, n, p, y))
  const r = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = y[i]
    for (let j = 0; j < p; j++) s -= x[i * p + j] * coef[j]
    r[i] = s
  }
  const delta = solve(transposeTimes(x, n, p, r))
  for (let j = 0; j < p; j++) coef[j] += delta[j]
  return coef
}

/** Mean diagonal of xᵀx, the scale a vanishing ridge is taken relative to. */
function traceScale(x: Float64Array, n: number, p: number): number {
  let s = 0
  for (let t = 0; t < n * p; t++) s += x[t] * x[t]
  return s / p || 1
}
