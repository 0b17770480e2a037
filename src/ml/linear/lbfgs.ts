/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithm 7.4 and 7.5) with a
 * backtracking Armijo line search; a pair (s, y) is kept only when sᵀy > 0 so the inverse-Hessian
 * estimate stays positive definite. Minimises f over R^P; used by LogisticRegression when the exact
 * Hessian is too large for Newton's method.
 */
export function lbfgs(
  /** Writes the gradient at x into g and returns f(x). */
  fg: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  options: { readonly maxIter: number; readonly gtol: number; readonly memory?: number },
): { x: Float64Array; iterations: number; converged: boolean } {
  const P = x0.length
  const m = options.memory ?? 10
  const x = x0.slice()
  const g = new Float64Array(P)
  let f = fg(x, g)
  const S: Float64Array[] = []
  const Y: Float64Array[] = []
  const rho: number[] = []
  const d = new Float64Array(P)
  const xNew = new Float64Array(P)
  const gNew = new Float64Array(P)
  const alpha = new Float64Array(m)
  for (let it = 0; it < options.maxIter; it++) {
    if (maxAbs(g) <= options.gtol) return { x, iterations: it, converged: true }
    // two-loop recursion: d = −H·g
    for (let j = 0; j < P; j++) d[j] = -g[j]
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dot(S[k], d)
      axpy(-alpha[k], Y[k], d)
    }
    if (S.length > 0) {
      const last = S.length - 1
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last])
      for (let j = 0; j < P; j++) d[j] *= gamma
    } else {
      const s = 1 / Math.max(1, Math.sqrt(dot(g, g)))
      for (let j = 0; j < P; j++) d[j] *= s
    }
    for (let k = 0; k < S.length; k++) {
      const b = rho[k] * dot(Y[k], d)
      axpy(alpha[k] - b, S[k], d)
    }
    let slope = dot(g, d)
    if (!(slope < 0)) {
      // not a descent direction (rounding): restart from steepest descent
      S.length = Y.length = rho.length = 0
      for (let j = 0; j < P; j++) d[j] = -g[j]
      slope = -dot(g, g)
    }
    let t = 1
    let fNew = Infinity
    for (let ls = 0; ls < 60; ls++) {
      for (let j = 0; j < P; j++) xNew[j] = x[j] + t * d[j]
      fNew = fg(xNew, gNew)
      if (fNew <= f + 1e-4 * t * slope) break
      t /= 2
    }
    if (!(fNew <= f)) return { x, iterations: it, converged: false }
    const s = new Float64Array(P)
    const y = new Float64Array(P)
    for (let j = 0; j < P; j++) {
      s[j] = xNew[j] - x[j]
      y[j] = gNew[j] - g[j]
    }
    const sy = dot(s, y)
    if (sy > 1e-300) {
      if (S.length === m) {
        S.shift()
        Y.shift()
        rho.shift()
      }
      S.push(s)
      Y.push(y)
      rho.push(1 / sy)
    }
    const fOld = f
    x.set(xNew)
    g.set(gNew)
    f = fNew
    // no measurable progress (sklearn's ftol = 64 ε, relative)
    if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= 64 * Number.EPSILON) return { x, iterations: it + 1, converged: maxAbs(g) <= options.gtol }
  }
  return { x, iterations: options.maxIter, converged: maxAbs(g) <= options.gtol }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let j = 0; j < a.length; j++) s += a[j] * b[j]
  return s
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < x.length; j++) y[j] += a * x[j]
}

export function maxAbs(a: Float64Array): number {
  let s = 0
  for (let j = 0; j < a.length; j++) s = Math.max(s, Math.abs(a[j]))
  return s
}
