import { describe, expect, it } from 'vitest'
import { Random } from './random.js'
import { kolmogorovSurvival, ksTwoSample, populationStabilityIndex, quantileSorted } from './drift.js'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('populationStabilityIndex', () => {
  it('is 0 for the same distribution, with 10 equal reference bins', () => {
    const r = populationStabilityIndex(range(100), range(100))
    expect(r.psi).toBe(0)
    expect(r.edges).toHaveLength(9)
    expect(r.edges[0]).toBeCloseTo(9.9, 12) // numpy.percentile(range(100), 10)
    expect(r.referenceShare.every((s) => Math.abs(s - 0.1) < 1e-12)).toBe(true)
  })

  it('matches the hand computation when all current values fall in one bin (empty bins count as epsilon)', () => {
    const current = range(100).map((i) => i % 10) // 0..9: the first decile only
    // (1 − 0.1)·ln(1/0.1) + 9·(1e-4 − 0.1)·ln(1e-4/0.1)
    expect(populationStabilityIndex(range(100), current).psi).toBeCloseTo(8.283089355027482, 10)
    expect(populationStabilityIndex(range(100), current, { epsilon: 1e-3 }).psi).toBeLessThan(8.28)
  })

  it('merges equal cut points for discrete data: shares 50/50 → 25/75 gives 0.2747', () => {
    const r = populationStabilityIndex([0, 0, 1, 1], [0, 1, 1, 1])
    // (0.25 − 0.5)·ln(0.5) + (0.75 − 0.5)·ln(1.5); bins empty on both sides add nothing
    expect(r.psi).toBeCloseTo(0.2746530721670274, 12)
    expect(r.edges.map((e) => Math.round(e * 1e9) / 1e9)).toEqual([0, 0.2, 0.5, 0.8, 1])
  })

  it('counts current values beyond the reference range in the open outer bins', () => {
    const r = populationStabilityIndex(range(100), [-50, 500])
    expect(r.currentShare[0]).toBe(0.5)
    expect(r.currentShare[9]).toBe(0.5)
    expect(r.psi).toBeGreaterThan(0.2)
  })

  it('flags a shifted normal sample and not a resample', () => {
    const rng = new Random(7)
    const normal = (mean: number) => range(2000).map(() => mean + Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next()))
    const ref = normal(0)
    expect(populationStabilityIndex(ref, normal(0)).psi).toBeLessThan(0.05)
    expect(populationStabilityIndex(ref, normal(1)).psi).toBeGreaterThan(0.2)
  })

  it('refuses empty or non-finite samples and bad options, naming them', () => {
    expect(() => populationStabilityIndex([], [1])).toThrow(/reference is empty/)
    expect(() => populationStabilityIndex([1], [Number.NaN])).toThrow(/current\[0\] is NaN/)
    expect(() => populationStabilityIndex([1], [1], { bins: 1 })).toThrow(/bins must be/)
    expect(() => populationStabilityIndex([1], [1], { epsilon: 0 })).toThrow(/epsilon must be/)
  })

  it('quantiles interpolate like numpy', () => {
    const s = Float64Array.from([1, 2, 3, 4])
    expect(quantileSorted(s, 0.5)).toBe(2.5)
    expect(quantileSorted(s, 0.1)).toBeCloseTo(1.3, 12)
    expect(quantileSorted(s, 1)).toBe(4)
  })
})

describe('ksTwoSample', () => {
  it('matches scipy.stats.ks_2samp statistics on small samples', () => {
    expect(ksTwoSample([1, 2, 3, 4], [3, 4, 5, 6]).statistic).toBe(0.5)
    expect(ksTwoSample([1, 2, 3], [4, 5, 6]).statistic).toBe(1)
    expect(ksTwoSample([1, 2, 3], [1, 2, 3, 4, 5, 6]).statistic).toBe(0.5)
    expect(ksTwoSample([5, 1, 3], [3, 1, 5]).statistic).toBe(0)
    // ties across samples: ECDFs compared after every copy of a value
    expect(ksTwoSample([0, 0, 1, 1], [0, 1, 1, 1]).statistic).toBe(0.25)
  })

  it('equals the brute-force sup over every point of both samples', () => {
    const rng = new Random(3)
    const a = range(57).map(() => Math.round(rng.next() * 20))
    const b = range(31).map(() => Math.round(rng.next() * 24))
    const ecdf = (s: number[], x: number) => s.filter((v) => v <= x).length / s.length
    const brute = Math.max(...[...a, ...b].map((x) => Math.abs(ecdf(a, x) - ecdf(b, x))))
    expect(ksTwoSample(a, b).statistic).toBeCloseTo(brute, 12)
  })

  it('gives a small p-value for different samples and 1 for identical ones', () => {
    expect(ksTwoSample(range(200), range(200)).pValue).toBe(1)
    expect(ksTwoSample(range(200), range(200).map((x) => x + 100)).pValue).toBeLessThan(1e-6)
  })

  it('uses the Kolmogorov distribution: Q(1) = 0.2700, Q(1.36) = 0.0495', () => {
    expect(kolmogorovSurvival(1)).toBeCloseTo(0.26999967167735456, 8)
    expect(kolmogorovSurvival(1.36)).toBeCloseTo(0.049485876755377876, 8)
    expect(kolmogorovSurvival(0.5)).toBeCloseTo(0.9639452436648751, 8)
  })
})
