import { describe, expect, it } from 'vitest'
import { matrixFromRows } from '../matrix.js'
import { Random } from '../random.js'
import { BIN_STRIDE, binFeatures, midpoint } from './binning.js'

describe('binFeatures', () => {
  it('gives each distinct value its own bin when there are few (exact)', () => {
    const b = binFeatures(matrixFromRows([[3], [1], [2], [1], [3]]))
    expect(b.nBins[0]).toBe(3)
    expect(Array.from(b.codes)).toEqual([2, 0, 1, 0, 2])
    expect(Array.from(b.binLo.subarray(0, 3))).toEqual([1, 2, 3])
    expect(Array.from(b.binHi.subarray(0, 3))).toEqual([1, 2, 3])
  })

  it('uses at most maxBins quantile bins for many distinct values, keeping order', () => {
    const r = new Random(5)
    const n = 10_000
    const x = { data: Float64Array.from({ length: n }, () => r.uniform(0, 100)), nRows: n, nCols: 1 }
    const b = binFeatures(x, 255)
    expect(b.nBins[0]).toBeLessThanOrEqual(255)
    expect(b.nBins[0]).toBeGreaterThan(250)
    for (let i = 0; i < n; i++) {
      const c = b.codes[i]
      expect(x.data[i]).toBeGreaterThanOrEqual(b.binLo[c])
      expect(x.data[i]).toBeLessThanOrEqual(b.binHi[c])
    }
    for (let c = 1; c < b.nBins[0]; c++) expect(b.binLo[c]).toBeGreaterThan(b.binHi[c - 1])
    // roughly equal-frequency bins
    const counts = new Array(b.nBins[0]).fill(0)
    for (const c of b.codes) counts[c]++
    expect(Math.max(...counts)).toBeLessThan(80)
  })

  it('lays codes out feature-major', () => {
    const b = binFeatures(matrixFromRows([[0, 10], [1, 20]]))
    expect(Array.from(b.codes)).toEqual([0, 1, 0, 1])
    expect(b.binLo[BIN_STRIDE + 1]).toBe(20)
  })

  it('midpoint stays strictly below the upper value', () => {
    expect(midpoint(1, 2)).toBe(1.5)
    const a = 1
    const next = 1 + Number.EPSILON
    expect(midpoint(a, next)).toBe(a)
  })
})
