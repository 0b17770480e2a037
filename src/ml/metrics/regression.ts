import { ValidationError } from '../errors.js'

/**
 * Regression metrics with scikit-learn's definitions (sklearn/metrics/_regression.py, 1.2): free
 * functions (yTrue, yPred, options) over one target column, optionally weighted per sample. Sums use
 * numpy's pairwise summation, so the results are the same doubles scikit-learn prints, not just close.
 * Multi-output targets are not supported.
 */

export interface RegressionMetricOptions {
  /** One non-negative weight per sample (default: all 1). */
  readonly sampleWeight?: ArrayLike<number>
}

/** Mean of |yTrue − yPred| (sklearn's mean_absolute_error). */
export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const { t, p, w } = checkRegressionTargets(yTrue, yPred, options.sampleWeight)
  const e = new Float64Array(t.length)
  for (let i = 0; i < t.length; i++) e[i] = Math.abs(p[i] - t[i])
  return average(e, w)
}

/** Mean of (yTrue − yPred)² (sklearn's mean_squared_error). */
export function meanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const { t, p, w } = checkRegressionTargets(yTrue, yPred, options.sampleWeight)
  const e = new Float64Array(t.length)
  for (let i = 0; i < t.length; i++) e[i] = (t[i] - p[i]) ** 2
  return average(e, w)
}

/** √MSE, in the target's units (sklearn's root_mean_squared_error; mean_squared_error(squared=False) in 1.2). */
export function rootMeanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred, options))
}

/**
 * Mean of |yTrue − yPred| / max(|yTrue|, ε) with ε the float64 machine epsilon (sklearn's
 * mean_absolute_percentage_error): a fraction, not a percentage, and huge (not infinite) when some
 * yTrue is 0.
 */
export function meanAbsolutePercentageError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const { t, p, w } = checkRegressionTargets(yTrue, yPred, options.sampleWeight)
  const e = new Float64Array(t.length)
  for (let i = 0; i < t.length; i++) e[i] = Math.abs(p[i] - t[i]) / Math.max(Math.abs(t[i]), Number.EPSILON)
  return average(e, w)
}

/**
 * Coefficient of determination 1 − Σw(y − ŷ)² / Σw(y − ȳ)² (sklearn's r2_score, force_finite): 1 for a
 * perfect fit, 0 for predicting the mean, negative when worse. A constant yTrue scores 1 if predicted
 * exactly, else 0; fewer than two samples give NaN, as in sklearn.
 */
export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const { t, p, w } = checkRegressionTargets(yTrue, yPred, options.sampleWeight)
  const n = t.length
  if (n < 2) return NaN
  const mean = average(t, w)
  const num = new Float64Array(n)
  const den = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const wi = w === null ? 1 : w[i]
    num[i] = wi * (t[i] - p[i]) ** 2
    den[i] = wi * (t[i] - mean) ** 2
  }
  const a = pairwiseSum(num, 0, n)
  const b = pairwiseSum(den, 0, n)
  if (a === 0) return 1
  if (b === 0) return 0
  return 1 - a / b
}

/**
 * numpy's pairwise summation of v[start, start + n) (np.add.reduce on contiguous float64): blocks of at
 * most 128 summed with 8 accumulators, halves added recursively. Used wherever scikit-learn sums, so
 * that our metrics equal its doubles.
 */
export function pairwiseSum(v: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let s = 0
    for (let i = start; i < start + n; i++) s += v[i]
    return s
  }
  if (n <= 128) {
    let r0 = v[start]
    let r1 = v[start + 1]
    let r2 = v[start + 2]
    let r3 = v[start + 3]
    let r4 = v[start + 4]
    let r5 = v[start + 5]
    let r6 = v[start + 6]
    let r7 = v[start + 7]
    let i = 8
    for (; i < n - (n % 8); i += 8) {
      const o = start + i
      r0 += v[o]
      r1 += v[o + 1]
      r2 += v[o + 2]
      r3 += v[o + 3]
      r4 += v[o + 4]
      r5 += v[o + 5]
      r6 += v[o + 6]
      r7 += v[o + 7]
    }
    let s = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7))
    for (; i < n; i++) s += v[start + i]
    return s
  }
  let n2 = Math.floor(n / 2)
  n2 -= n2 % 8
  return pairwiseSum(v, start, n2) + pairwiseSum(v, start + n2, n - n2)
}

/** np.average(values, weights): Σ values / n, or Σ w·values / Σ w. */
export function average(values: Float64Array, w: Float64Array | null): number {
  const n = values.length
  if (w === null) return pairwiseSum(values, 0, n) / n
  const wv = new Float64Array(n)
  for (let i = 0; i < n; i++) wv[i] = values[i] * w[i]
  const sw = pairwiseSum(w, 0, n)
  if (sw === 0) throw new ValidationError('sampleWeight sums to zero: the weighted average is undefined', 'sampleWeight')
  return pairwiseSum(wv, 0, n) / sw
}

/** Checks the shared arguments of the regression metrics: finite numbers, same non-zero length. */
function checkRegressionTargets(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  sampleWeight: ArrayLike<number> | undefined,
): { t: Float64Array; p: Float64Array; w: Float64Array | null } {
  const t = finiteArray(yTrue, 'yTrue')
  const p = finiteArray(yPred, 'yPred')
  if (t.length !== p.length) throw new ValidationError(`yTrue has ${t.length} values but yPred has ${p.length}`, 'yPred')
  if (t.length === 0) throw new ValidationError('yTrue is empty', 'yTrue')
  return { t, p, w: checkSampleWeight(sampleWeight, t.length) }
}

/** sampleWeight, if given: finite, one per sample. */
export function checkSampleWeight(sampleWeight: ArrayLike<number> | undefined, n: number): Float64Array | null {
  if (sampleWeight === undefined) return null
  const w = finiteArray(sampleWeight, 'sampleWeight')
  if (w.length !== n) throw new ValidationError(`sampleWeight has ${w.length} values but there are ${n} samples`, 'sampleWeight')
  return w
}

function finiteArray(a: ArrayLike<number>, name: string): Float64Array {
  if (a == null || typeof a.length !== 'number') throw new ValidationError(`${name} must be an array of numbers`, name)
  const out = new Float64Array(a.length)
  for (let i = 0; i < a.length; i++) {
    const v = a[i]
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`${name}[${i}] is ${typeof v === 'number' ? v : JSON.stringify(v)}; expected a finite number`, name)
    out[i] = v
  }
  return out
}
