import { ValidationError } from '../errors.js'
import type { Regressor } from '../estimator.js'
import type { MatrixLike } from '../matrix.js'
import { estimatorParams } from '../validation.js'
import { centredGram, residualProducts, type NormalSums } from './kernels.js'
import { cholesky, choleskySolve, leastSquares } from './linalg.js'
import { centredCopy, checkCentring, interceptFrom, LinearRegressorBase, type CentringData } from './linear-model.js'

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
    this.params = estimatorParams('LinearRegression', options, { fitIntercept: options.fitIntercept ?? true })
  }

  fit(x: MatrixLike, y: ArrayLike<number>): this {
    checkFitIntercept(this.params.fitIntercept)
    const c = checkCentring(x, y, this.params.fitIntercept)
    const { nRows: n, nCols: p } = c.x
    const sums = centredGram(c.x.data, c.y, n, p, c.mean)
    // more features than rows: the QR of xᵀ would be needed for the minimum-norm solution; a
    // vanishing ridge gives it to within rounding
    const coef = n >= p ? olsSolve(c, sums) : ridgeSolve(sums, p, 1e-10 * traceScale(sums, p))
    this.setFitted({ nFeatures: p, coef, intercept: this.params.fitIntercept ? interceptFrom(coef, c.mean) : 0 })
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
    this.params = estimatorParams('Ridge', options, { alpha: options.alpha ?? 1, fitIntercept: options.fitIntercept ?? true })
  }

  fit(x: MatrixLike, y: ArrayLike<number>): this {
    const { alpha, fitIntercept } = this.params
    if (typeof alpha !== 'number' || !(alpha >= 0) || !Number.isFinite(alpha)) throw new ValidationError(`alpha must be a finite number ≥ 0, got ${alpha}`, 'alpha')
    checkFitIntercept(fitIntercept)
    const c = checkCentring(x, y, fitIntercept)
    const { nRows: n, nCols: p } = c.x
    const sums = centredGram(c.x.data, c.y, n, p, c.mean)
    let coef: Float64Array
    if (alpha > 0) coef = ridgeSolve(sums, p, alpha)
    else if (n >= p) {
      const { xc, yc } = centredCopy(c)
      coef = leastSquares(xc, n, p, yc).coef
    } else coef = ridgeSolve(sums, p, 1e-10 * traceScale(sums, p))
    this.setFitted({ nFeatures: p, coef, intercept: fitIntercept ? interceptFrom(coef, c.mean) : 0 })
    return this
  }

  static fromJSON(json: unknown): Ridge {
    return LinearRegressorBase.restore(json, 'Ridge', (params) => new Ridge(params as RidgeOptions))
  }
}

function checkFitIntercept(v: unknown): void {
  if (typeof v !== 'boolean') throw new ValidationError(`fitIntercept must be true or false, got ${String(v)}`, 'fitIntercept')
}

/** (xcᵀxc + αI)⁻¹ xcᵀyc by Cholesky (sklearn's 'cholesky' solver), from centredGram's sums (consumed). */
function ridgeSolve({ xtx: a, xty: b }: NormalSums, p: number, alpha: number): Float64Array {
  for (let j = 0; j < p; j++) a[j * p + j] += alpha
  if (!cholesky(a, p)) throw new ValidationError('xᵀx + alpha·I is not positive definite (alpha 0 with dependent columns?): use alpha > 0', 'alpha')
  choleskySolve(a, p, b)
  return b
}

/**
 * Least squares by the semi-normal equations: Gram matrix scaled to unit diagonal (Jacobi), Cholesky,
 * then one refinement step δ = G⁻¹xcᵀ(yc − xc·coef), the residual products from one more pass over
 * the data, which brings the error back to QR's level for well-conditioned problems. Falls back to
 * pivoted QR on the centred data when a pivot of the scaled Gram is below 1e-10.
 */
function olsSolve(c: CentringData, { xtx: g, xty: b }: NormalSums): Float64Array {
  const { nRows: n, nCols: p } = c.x
  const d = new Float64Array(p)
  for (let j = 0; j < p; j++) d[j] = Math.sqrt(g[j * p + j])
  let ok = d.every((v) => v > 0)
  if (ok) {
    for (let j = 0; j < p; j++) for (let k = 0; k <= j; k++) g[j * p + k] /= d[j] * d[k]
    ok = cholesky(g, p)
    for (let j = 0; ok && j < p; j++) if (g[j * p + j] * g[j * p + j] < 1e-10) ok = false
  }
  if (!ok) {
    const { xc, yc } = centredCopy(c)
    return leastSquares(xc, n, p, yc).coef
  }
  const solve = (rhs: Float64Array): Float64Array => {
    for (let j = 0; j < p; j++) rhs[j] /= d[j]
    choleskySolve(g, p, rhs)
    for (let j = 0; j < p; j++) rhs[j] /= d[j]
    return rhs
  }
  const coef = solve(b)
  const delta = solve(residualProducts(c.x.data, c.y, n, p, c.mean, coef))
  for (let j = 0; j < p; j++) coef[j] += delta[j]
  return coef
}

/** Mean diagonal of xcᵀxc, the scale a vanishing ridge is taken relative to. */
function traceScale({ xtx }: NormalSums, p: number): number {
  let s = 0
  for (let j = 0; j < p; j++) s += xtx[j * p + j]
  return s / p || 1
}
