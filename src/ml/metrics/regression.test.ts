import { describe, expect, it } from 'vitest'
import { ValidationError } from '../errors.js'
import { meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError, pairwiseSum, r2Score, rootMeanSquaredError } from './regression.js'

// Literals printed by /usr/bin/python3, scikit-learn 1.2.1 (numpy 1.24.2):
//   yt = [3.0, -0.5, 2.0, 7.0, 0.0, 1.5, 4.25, -2.0]; yp = [2.5, 0.0, 2.1, 7.8, 0.3, 1.0, 4.0, -1.2]
//   w = [1, 2, 0.5, 1, 3, 1, 0.25, 2]; f(yt, yp) and f(yt, yp, sample_weight=w)
const yt = [3.0, -0.5, 2.0, 7.0, 0.0, 1.5, 4.25, -2.0]
const yp = [2.5, 0.0, 2.1, 7.8, 0.3, 1.0, 4.0, -1.2]
const w = [1, 2, 0.5, 1, 3, 1, 0.25, 2]

/** i = np.arange(1000); yt = (i*37 % 101)/7; yp = (i*53 % 97)/3; w = (i % 5)/2 — long enough for pairwise sums to matter. */
function long(): { t: Float64Array; p: Float64Array; w: Float64Array } {
  const n = 1000
  const t = new Float64Array(n)
  const p = new Float64Array(n)
  const wl = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    t[i] = ((i * 37) % 101) / 7
    p[i] = ((i * 53) % 97) / 3
    wl[i] = (i % 5) / 2
  }
  return { t, p, w: wl }
}

describe('regression metrics equal scikit-learn 1.2.1', () => {
  it('meanAbsoluteError', () => {
    expect(meanAbsoluteError(yt, yp)).toBe(0.46875)
    expect(meanAbsoluteError(yt, yp, { sampleWeight: w })).toBe(0.5034883720930232)
  })

  it('meanSquaredError and rootMeanSquaredError', () => {
    expect(meanSquaredError(yt, yp)).toBe(0.2740625)
    expect(meanSquaredError(yt, yp, { sampleWeight: w })).toBe(0.29866279069767443)
    // mean_squared_error(..., squared=False)
    expect(rootMeanSquaredError(yt, yp)).toBe(0.5235097897842981)
    expect(rootMeanSquaredError(yt, yp, { sampleWeight: w })).toBe(0.5465004946911525)
  })

  it('r2Score, including the constant-target rules', () => {
    expect(r2Score(yt, yp)).toBe(0.9618643837477918)
    expect(r2Score(yt, yp, { sampleWeight: w })).toBe(0.9530922372877757)
    expect(r2Score([1, 2, 3], [3, 2, 1])).toBe(-3)
    expect(r2Score([2, 2, 2], [2, 2, 2])).toBe(1)
    expect(r2Score([2, 2, 2], [2, 2, 3])).toBe(0)
    expect(r2Score([1], [2])).toBeNaN()
  })

  it('meanAbsolutePercentageError uses max(|yTrue|, machine epsilon)', () => {
    expect(meanAbsolutePercentageError([3.0, -0.5, 2.0, 7.0, 1.5], [2.5, 0.0, 2.1, 7.8, 1.0])).toBe(0.33285714285714285)
    expect(meanAbsolutePercentageError([3.0, -0.5, 2.0, 7.0, 1.5], [2.5, 0.0, 2.1, 7.8, 1.0], { sampleWeight: [1, 2, 0.5, 1, 3] })).toBe(0.4407936507936508)
    // yt holds a 0: the error is 0.3 / 2.2e-16, huge but finite
    expect(meanAbsolutePercentageError(yt, yp)).toBe(168884986026393.84)
    expect(meanAbsolutePercentageError(yt, yp, { sampleWeight: w })).toBe(377045550198460.44)
  })

  it('gives the same doubles on 1000 samples (numpy pairwise summation)', () => {
    const l = long()
    expect(meanAbsoluteError(l.t, l.p)).toBe(11.074238095238096)
    expect(meanAbsoluteError(l.t, l.p, { sampleWeight: l.w })).toBe(11.105857142857143)
    expect(meanSquaredError(l.t, l.p)).toBe(182.5450589569161)
    expect(meanSquaredError(l.t, l.p, { sampleWeight: l.w })).toBe(183.2841700680272)
    expect(rootMeanSquaredError(l.t, l.p)).toBe(13.510923689996776)
    expect(r2Score(l.t, l.p)).toBe(-9.505315591852504)
    expect(r2Score(l.t, l.p, { sampleWeight: l.w })).toBe(-9.546230064156994)
    expect(meanAbsolutePercentageError(l.t, l.p)).toBe(633506347583454.8)
    expect(meanAbsolutePercentageError(l.t, l.p, { sampleWeight: l.w })).toBe(758105937274038.5)
  })

  it('pairwiseSum differs from a left-to-right sum where numpy does', () => {
    const v = new Float64Array(200)
    for (let i = 0; i < v.length; i++) v[i] = 1 / (i + 1)
    let naive = 0
    for (const x of v) naive += x
    const s = pairwiseSum(v, 0, v.length)
    expect(s).toBe(5.878030948121444) // np.sum(1 / np.arange(1, 201))
    expect(naive).toBe(5.878030948121446)
  })

  it('refuses bad input naming the argument', () => {
    expect(() => meanSquaredError([1, 2], [1])).toThrow(ValidationError)
    expect(() => meanSquaredError([1, 2], [1])).toThrow('yTrue has 2 values but yPred has 1')
    expect(() => meanAbsoluteError([], [])).toThrow('yTrue is empty')
    expect(() => r2Score([1, NaN], [1, 2])).toThrow('yTrue[1] is NaN')
    expect(() => r2Score([1, 2], [1, Infinity])).toThrow('yPred[1] is Infinity')
    expect(() => meanAbsoluteError([1, 2], [1, 2], { sampleWeight: [1] })).toThrow('sampleWeight has 1 values but there are 2 samples')
    expect(() => meanAbsoluteError([1, 2], [1, 2], { sampleWeight: [0, 0] })).toThrow(/sums to zero/)
  })
})
