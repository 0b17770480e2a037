import { weightedGram } from './kernels.js'
import { cholesky, choleskySolve } from './linalg.js'
import { maxAbs } from './lbfgs.js'

/**
 * The penalised logistic objective on standardised features z (n × d):
 *   f(θ) = Σᵢ −log p(yᵢ | zᵢ) + ½ Σ_r Σ_j penalty_j · v_rj²
 * with θ = K rows of [v_r0 … v_r(d−1), β_r] (β only with an intercept). K = 1 is the binomial model
 * (p(class 1) = σ(η)), K ≥ 3 the multinomial one (softmax). Gradient and exact Hessian are those of
 * sklearn's HalfBinomialLoss / HalfMultinomialLoss plus the L2 term.
 */
export class LogisticLoss {
  /** Coefficients per row: d, plus 1 with an intercept. */
  readonly d1: number
  readonly nCoefs: number
  /** Probabilities at the last evaluated θ, n × K (K = 1: p of class 1). */
  readonly #p: Float64Array
  readonly #eta: Float64Array
  /** z with a column of ones appended when there is an intercept: n × d1. */
  readonly #zt: Float64Array

  constructor(
    /** The standardised features with a trailing column of ones when there is an intercept: n × d1 row-major. */
    zt: Float64Array,
    readonly n: number,
    readonly d: number,
    /** Class index per sample (0/1 for the binomial model). */
    readonly y: Int32Array,
    readonly K: number,
    readonly penalty: Float64Array,
    readonly fitIntercept: boolean,
  ) {
    const d1 = d + (fitIntercept ? 1 : 0)
    this.d1 = d1
    this.nCoefs = K * d1
    this.#p = new Float64Array(n * K)
    this.#eta = new Float64Array(K)
    if (zt.length !== n * d1) throw new RangeError(`z has ${zt.length} values, expected ${n}×${d1}`)
    this.#zt = zt
  }

  /** f(θ); writes ∇f into g. Remembers the probabilities for hessian(). */
  evaluate(theta: Float64Array, g: Float64Array): number {
    const { n, d, d1, K, y } = this
    const z = this.#zt
    const p = this.#p
    const eta = this.#eta
    g.fill(0)
    let f = 0
    for (let i = 0; i < n; i++) {
      const o = i * d1
      for (let r = 0; r < K; r++) {
        let s = 0
        for (let j = 0; j < d1; j++) s += theta[r * d1 + j] * z[o + j]
        eta[r] = s
      }
      if (K === 1) {
        const e = eta[0]
        // log(1 + exp(e)) − y·e, stable for large |e|
        f += (e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e))) - (y[i] === 1 ? e : 0)
        const pi = e >= 0 ? 1 / (1 + Math.exp(-e)) : Math.exp(e) / (1 + Math.exp(e))
        p[i] = pi
        const res = pi - y[i]
        for (let j = 0; j < d1; j++) g[j] += res * z[o + j]
        continue
      }
      let max = -Infinity
      for (let r = 0; r < K; r++) if (eta[r] > max) max = eta[r]
      let s = 0
      for (let r = 0; r < K; r++) s += Math.exp(eta[r] - max)
      const lse = max + Math.log(s)
      f += lse - eta[y[i]]
      for (let r = 0; r < K; r++) {
        const pr = Math.exp(eta[r] - lse)
        p[i * K + r] = pr
        const res = pr - (y[i] === r ? 1 : 0)
        const base = r * d1
        for (let j = 0; j < d1; j++) g[base + j] += res * z[o + j]
      }
    }
    for (let r = 0; r < K; r++) {
      for (let j = 0; j < d; j++) {
        const v = theta[r * d1 + j]
        f += 0.5 * this.penalty[j] * v * v
        g[r * d1 + j] += this.penalty[j] * v
      }
    }
    return f
  }

  /**
   * The exact Hessian (nCoefs × nCoefs, row-major) at the θ last passed to evaluate(). Block (a, b) is
   * Σᵢ pᵢₐ(δₐᵦ − pᵢᵦ) z̃ᵢz̃ᵢᵀ (binomial: pᵢ(1 − pᵢ) z̃ᵢz̃ᵢᵀ), z̃ = [z, 1], plus the penalty on the diagonal.
   */
  hessian(): Float64Array {
    const { n, d, d1, K, nCoefs: P } = this
    const p = this.#p
    const h = new Float64Array(P * P)
    const w = new Float64Array(n)
    // every block Σᵢ cᵢ z̃ᵢz̃ᵢᵀ is symmetric: compute the lower triangle of blocks a ≤ b, mirror the rest
    for (let a = 0; a < K; a++) {
      for (let b = a; b < K; b++) {
        for (let i = 0; i < n; i++) w[i] = K === 1 ? p[i] * (1 - p[i]) : p[i * K + a] * ((a === b ? 1 : 0) - p[i * K + b])
        const block = weightedGram(this.#zt, n, d1, w)
        for (let j = 0; j < d1; j++) {
          for (let k = 0; k <= j; k++) {
            const v = block[j * d1 + k]
            const r1 = a * d1 + j
            const c1 = b * d1 + k
            const r2 = a * d1 + k
            const c2 = b * d1 + j
            h[r1 * P + c1] = v
            h[c1 * P + r1] = v
            h[r2 * P + c2] = v
            h[c2 * P + r2] = v
          }
        }
      }
    }
    for (let a = 0; a < K; a++) for (let j = 0; j < d; j++) h[(a * d1 + j) * P + a * d1 + j] += this.penalty[j]
    return h
  }

  /**
   * Newton's method with a backtracking (Armijo) line search from θ (updated in place); stops when
   * max |∇f| ≤ tol, after maxIter steps, or when f stops decreasing. Returns the iterations taken.
   * The multinomial Hessian is singular along "all intercepts + c" (softmax is unchanged by it, the
   * gradient has no component there), so that direction is pinned by adding uuᵀ before solving.
   */
  newton(theta: Float64Array, maxIter: number, tol: number): number {
    const P = this.nCoefs
    const g = new Float64Array(P)
    const gNew = new Float64Array(P)
    const step = new Float64Array(P)
    const next = new Float64Array(P)
    let f = this.evaluate(theta, g)
    for (let it = 0; it < maxIter; it++) {
      if (maxAbs(g) <= tol) return it
      const h = this.hessian()
      if (this.K > 1 && this.fitIntercept) {
        for (let a = 0; a < this.K; a++) for (let b = 0; b < this.K; b++) h[(a * this.d1 + this.d) * P + b * this.d1 + this.d] += 1
      }
      for (let j = 0; j < P; j++) step[j] = -g[j]
      if (!cholesky(h, P)) return it // not positive definite (should not happen with a penalty): keep the last iterate
      choleskySolve(h, P, step)
      let slope = 0
      for (let j = 0; j < P; j++) slope += g[j] * step[j]
      if (!(slope < 0)) return it
      let t = 1
      let fNew = Infinity
      for (let ls = 0; ls < 50; ls++) {
        for (let j = 0; j < P; j++) next[j] = theta[j] + t * step[j]
        fNew = this.evaluate(next, gNew)
        if (fNew <= f + 1e-4 * t * slope) break
        t /= 2
      }
      if (!(fNew <= f)) {
        this.evaluate(theta, g) // restore the probabilities of the kept iterate
        return it + 1
      }
      theta.set(next)
      g.set(gNew)
      const fOld = f
      f = fNew
      if ((fOld - f) / Math.max(Math.abs(fOld), 1) <= 64 * Number.EPSILON && maxAbs(g) <= Math.sqrt(tol)) return it + 1
    }
    return maxIter
  }
}
