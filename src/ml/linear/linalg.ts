/**
 * Small dense linear algebra for the linear models: row-major Float64Array matrices, O(p³) work on
 * p×p systems, O(n·p²) on the data. No pivoting beyond what each routine documents.
 */

/**
 * In-place Cholesky factorisation of the symmetric positive definite p×p matrix a (row-major; the
 * lower triangle is read and overwritten with L, a = L·Lᵀ). Returns false when a pivot is not
 * positive (a is not numerically positive definite).
 */
export function cholesky(a: Float64Array, p: number): boolean {
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j]
    for (let k = 0; k < j; k++) d -= a[j * p + k] * a[j * p + k]
    if (!(d > 0)) return false
    const ljj = Math.sqrt(d)
    a[j * p + j] = ljj
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j]
      for (let k = 0; k < j; k++) s -= a[i * p + k] * a[j * p + k]
      a[i * p + j] = s / ljj
    }
  }
  return true
}

/** Solves L·Lᵀ·x = b in place (b becomes x) with the factor from cholesky(). */
export function choleskySolve(l: Float64Array, p: number, b: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let s = b[i]
    for (let k = 0; k < i; k++) s -= l[i * p + k] * b[k]
    b[i] = s / l[i * p + i]
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i]
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * b[k]
    b[i] = s / l[i * p + i]
  }
}

/**
 * Least squares min ‖a·x − b‖ for a (n×p, row-major, n ≥ p) by Householder QR with column pivoting.
 * `a` and `b` are overwritten. Columns whose remaining norm falls below a relative tolerance are
 * treated as dependent and get coefficient 0 (a basic solution; LAPACK's gelsd, which scikit-learn
 * calls, returns the minimum-norm one instead — they differ only for rank-deficient a). Returns the
 * coefficients and the rank found.
 */
export function leastSquares(a: Float64Array, n: number, p: number, b: Float64Array): { coef: Float64Array; rank: number } {
  // Work on the transpose (column-major view) so each Householder pass streams one column.
  const cols = new Float64Array(n * p)
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) cols[j * n + i] = a[i * p + j]
  const perm = Int32Array.from({ length: p }, (_, j) => j)
  const norms = new Float64Array(p)
  for (let j = 0; j < p; j++) {
    let s = 0
    for (let i = 0; i < n; i++) s += cols[j * n + i] * cols[j * n + i]
    norms[j] = s
  }
  const maxNorm = Math.sqrt(Math.max(0, ...norms))
  const tol = Math.max(n, p) * Number.EPSILON * maxNorm
  const rdiag = new Float64Array(p)
  let rank = 0
  for (let k = 0; k < Math.min(n, p); k++) {
    // pivot: the remaining column of largest norm (recomputed exactly; p is small)
    let best = k
    let bestNorm = -1
    for (let j = k; j < p; j++) {
      let s = 0
      const c = perm[j] * n
      for (let i = k; i < n; i++) s += cols[c + i] * cols[c + i]
      if (s > bestNorm) {
        bestNorm = s
        best = j
      }
    }
    const norm = Math.sqrt(bestNorm)
    if (!(norm > tol)) break
    const t = perm[k]
    perm[k] = perm[best]
    perm[best] = t
    const c = perm[k] * n
    // Householder vector v = x − α e₁ with α = −sign(x₀)‖x‖, stored in place of the column
    const alpha = cols[c + k] > 0 ? -norm : norm
    cols[c + k] -= alpha
    let vv = 0
    for (let i = k; i < n; i++) vv += cols[c + i] * cols[c + i]
    rdiag[k] = alpha
    if (vv > 0) {
      for (let j = k + 1; j < p; j++) {
        const d = perm[j] * n
        let s = 0
        for (let i = k; i < n; i++) s += cols[c + i] * cols[d + i]
        const f = (2 * s) / vv
        for (let i = k; i < n; i++) cols[d + i] -= f * cols[c + i]
      }
      let s = 0
      for (let i = k; i < n; i++) s += cols[c + i] * b[i]
      const f = (2 * s) / vv
      for (let i = k; i < n; i++) b[i] -= f * cols[c + i]
    }
    rank++
  }
  // back substitution on the leading rank×rank block of R; R[k][j] (j > k) sits at cols[perm[j]*n + k]
  const z = new Float64Array(p)
  for (let k = rank - 1; k >= 0; k--) {
    let s = b[k]
    for (let j = k + 1; j < rank; j++) s -= cols[perm[j] * n + k] * z[j]
    z[k] = s / rdiag[k]
  }
  const coef = new Float64Array(p)
  for (let k = 0; k < rank; k++) coef[perm[k]] = z[k]
  return { coef, rank }
}

/** Column means and population standard deviations of x (n×p), two passes. */
export function columnMeanStd(x: Float64Array, n: number, p: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(p)
  const std = new Float64Array(p)
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += x[i * p + j]
  for (let j = 0; j < p; j++) mean[j] /= n
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const d = x[i * p + j] - mean[j]
      std[j] += d * d
    }
  }
  for (let j = 0; j < p; j++) std[j] = Math.sqrt(std[j] / n)
  return { mean, std }
}

/** Copies the lower triangle of the p×p matrix a to its upper triangle. */
export function symmetrise(a: Float64Array, p: number): void {
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) a[k * p + j] = a[j * p + k]
}
