/**
 * Boosting losses (scikit-learn's _loss module): baseline raw prediction, per-sample gradient and
 * hessian of the loss in the raw prediction, and the mean loss used by early stopping. Raw
 * predictions are n×K row-major (K = 1 except multiclass). y holds targets, or class indices.
 */
export interface BoostingLoss {
  readonly name: 'squared_error' | 'absolute_error' | 'log_loss'
  /** Trees per iteration: one per class for multiclass, else 1. */
  readonly k: number
  /** Every hessian is 1: histograms skip the hessian and use the count. */
  readonly constHessian: boolean
  /** The constant raw prediction before any tree (length k). */
  baseline(y: Float64Array): Float64Array
  /** Writes gradient and hessian of sample i for tree c at gh[c][2i], gh[c][2i + 1], for samples start..end (default all). */
  gradients(y: Float64Array, raw: Float64Array, gh: readonly Float32Array[], start?: number, end?: number): void
  /** Mean loss of rows 0..n of y against raw. */
  loss(y: Float64Array, raw: Float64Array): number
  /** Absolute error only: the leaf value is the median residual, not the Newton step. */
  readonly medianLeaves?: boolean
}

/** Half squared error ½(y − raw)²: gradient raw − y, hessian 1; baseline the mean. */
export const squaredError: BoostingLoss = {
  name: 'squared_error',
  k: 1,
  constHessian: true,
  baseline(y) {
    let s = 0
    for (let i = 0; i < y.length; i++) s += y[i]
    return Float64Array.of(s / y.length)
  },
  gradients(y, raw, gh, start = 0, end = y.length) {
    const a = gh[0]
    for (let i = start; i < end; i++) a[2 * i] = raw[i] - y[i]
  },
  loss(y, raw) {
    let s = 0
    for (let i = 0; i < y.length; i++) s += 0.5 * (y[i] - raw[i]) ** 2
    return s / y.length
  },
}

/** Absolute error |y − raw|: gradient sign(raw − y), hessian 1, leaves the median residual; baseline the median. */
export const absoluteError: BoostingLoss = {
  name: 'absolute_error',
  k: 1,
  constHessian: true,
  medianLeaves: true,
  baseline(y) {
    return Float64Array.of(median(Float64Array.from(y)))
  },
  gradients(y, raw, gh, start = 0, end = y.length) {
    const a = gh[0]
    for (let i = start; i < end; i++) a[2 * i] = raw[i] > y[i] ? 1 : raw[i] < y[i] ? -1 : 0
  },
  loss(y, raw) {
    let s = 0
    for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - raw[i])
    return s / y.length
  },
}

/** Median of v (sorted in place; mean of the two middle values for even length, as numpy). */
export function median(v: Float64Array): number {
  v.sort()
  const m = v.length >>> 1
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2
}

/** Probabilities are clipped away from 0 and 1 for the baseline (sklearn's eps). */
const EPS = 1e-15

/** Binary log loss on raw = log-odds: p = σ(raw), gradient p − y, hessian p(1 − p); baseline log(p̄ / (1 − p̄)). */
export const binaryLogLoss: BoostingLoss = {
  name: 'log_loss',
  k: 1,
  constHessian: false,
  baseline(y) {
    let s = 0
    for (let i = 0; i < y.length; i++) s += y[i]
    const p = Math.min(Math.max(s / y.length, EPS), 1 - EPS)
    return Float64Array.of(Math.log(p / (1 - p)))
  },
  gradients(y, raw, gh, start = 0, end = y.length) {
    const a = gh[0]
    for (let i = start; i < end; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]))
      a[2 * i] = p - y[i]
      a[2 * i + 1] = p * (1 - p)
    }
  },
  loss(y, raw) {
    let s = 0
    for (let i = 0; i < y.length; i++) {
      const r = raw[i]
      // log(1 + e^r) − y r, computed without overflow
      s += (r > 0 ? r + Math.log1p(Math.exp(-r)) : Math.log1p(Math.exp(r))) - y[i] * r
    }
    return s / y.length
  },
}

/**
 * Multiclass cross-entropy on K raw scores per sample: p = softmax(raw), gradient of class c
 * p_c − [y = c], hessian p_c(1 − p_c) (sklearn's HalfMultinomialLoss); baseline log of class priors.
 */
export function multinomialLoss(k: number): BoostingLoss {
  return {
    name: 'log_loss',
    k,
    constHessian: false,
    baseline(y) {
      const counts = new Float64Array(k)
      for (let i = 0; i < y.length; i++) counts[y[i]]++
      const out = new Float64Array(k)
      for (let c = 0; c < k; c++) out[c] = Math.log(Math.min(Math.max(counts[c] / y.length, EPS), 1 - EPS))
      return out
    },
    gradients(y, raw, gh, start = 0, end = y.length) {
      const p = new Float64Array(k)
      for (let i = start; i < end; i++) {
        softmaxInto(raw, i * k, k, p)
        for (let c = 0; c < k; c++) {
          gh[c][2 * i] = p[c] - (y[i] === c ? 1 : 0)
          gh[c][2 * i + 1] = p[c] * (1 - p[c])
        }
      }
    },
    loss(y, raw) {
      let s = 0
      for (let i = 0; i < y.length; i++) {
        let max = -Infinity
        for (let c = 0; c < k; c++) max = Math.max(max, raw[i * k + c])
        let z = 0
        for (let c = 0; c < k; c++) z += Math.exp(raw[i * k + c] - max)
        s += max + Math.log(z) - raw[i * k + y[i]]
      }
      return s / y.length
    },
  }
}

/** out[0..k) = softmax(raw[offset .. offset + k)), shifted by the max so exp never overflows. */
export function softmaxInto(raw: ArrayLike<number>, offset: number, k: number, out: Float64Array): void {
  let max = -Infinity
  for (let c = 0; c < k; c++) if (raw[offset + c] > max) max = raw[offset + c]
  let z = 0
  for (let c = 0; c < k; c++) {
    const e = Math.exp(raw[offset + c] - max)
    out[c] = e
    z += e
  }
  for (let c = 0; c < k; c++) out[c] /= z
}

/** The loss a fit posted by name and trees per iteration (worker threads rebuild it from these). */
export function lossByName(name: BoostingLoss['name'], k: number): BoostingLoss {
  if (name === 'squared_error') return squaredError
  if (name === 'absolute_error') return absoluteError
  return k === 1 ? binaryLogLoss : multinomialLoss(k)
}
