import { describe, expect, it } from 'vitest'
import { Random } from '../random.js'
import { centredGram, columnSums, dotPairs, linearDecision, residualProducts, weightedGram } from './kernels.js'

// The kernels promise the same IEEE operations in the same order as plain loops (each column sum and
// Gram entry accumulated row by row, each dot product in dotPairs order), whatever the block size:
// these compare bit for bit, over shapes with odd widths, widths below and above one 4-wide tile,
// row counts that leave partial blocks and partial groups of four rows.
const SHAPES: [number, number][] = [
  [1, 1],
  [7, 1],
  [13, 3],
  [37, 5],
  [101, 8],
  [999, 21],
  [5003, 20],
  [41, 257], // wider than the unrolled decision kernels: the generic one
]

function data(n: number, p: number, seed: number): { x: Float64Array; y: Float64Array } {
  const r = new Random(seed)
  return { x: Float64Array.from({ length: n * p }, (_, t) => (1 + (t % p)) * r.uniform(-1, 1) + 100), y: Float64Array.from({ length: n }, () => r.uniform(-5, 5)) }
}

describe('linear kernels equal plain loops bit for bit', () => {
  for (const [n, p] of SHAPES) {
    it(`${n}×${p}`, () => {
      const { x, y } = data(n, p, n + p)
      const sums = columnSums(x, n, p)
      const mean = new Float64Array(p + 1)
      for (let j = 0; j < p; j++) {
        let s = 0
        for (let i = 0; i < n; i++) s += x[i * p + j]
        expect(sums[j]).toBe(s)
        mean[j] = s / n
      }
      mean[p] = y.reduce((a, b) => a + b, 0) / n
      const col = (i: number, j: number) => (j < p ? x[i * p + j] - mean[j] : y[i] - mean[p])
      const { xtx, xty } = centredGram(x, y, n, p, mean)
      for (let j = 0; j <= p; j++) {
        for (let k = 0; k <= Math.min(j, p - 1); k++) {
          let s = 0
          for (let i = 0; i < n; i++) s += col(i, j) * col(i, k)
          expect(j < p ? xtx[j * p + k] : xty[k]).toBe(s)
        }
      }
      // residual products: r = yc − dotPairs(coef, xc), then xcᵀr
      const coef = Float64Array.from({ length: p }, (_, j) => 0.3 * j - 1)
      const xtr = residualProducts(x, Array.from(y), n, p, mean, coef)
      const r = Float64Array.from({ length: n }, (_, i) => col(i, p) - dotPairs(coef, 0, Array.from({ length: p }, (_, j) => col(i, j)), 0, p))
      for (let k = 0; k < p; k++) {
        let s = 0
        for (let i = 0; i < n; i++) s += col(i, k) * r[i]
        expect(xtr[k]).toBe(s)
      }
      // weighted Gram (the logistic Hessian): Σᵢ xᵢⱼ·(wᵢ·xᵢₖ), weights of both signs
      const w = Float64Array.from({ length: n }, (_, i) => Math.cos(i) / 4)
      const wg = weightedGram(x, n, p, w)
      for (let j = 0; j < p; j++) {
        for (let k = 0; k <= j; k++) {
          let s = 0
          for (let i = 0; i < n; i++) s += x[i * p + j] * (w[i] * x[i * p + k])
          expect(wg[j * p + k]).toBe(s)
        }
      }
      for (const K of [1, 3]) {
        const c = Float64Array.from({ length: K * p }, (_, t) => Math.sin(t + 1))
        const b = Float64Array.from({ length: K }, (_, t) => t - 0.5)
        const { out, finite } = linearDecision(x, n, p, c, b)
        expect(finite).toBe(true)
        expect(out.length).toBe(n * K)
        for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) expect(out[i * K + k]).toBe(b[k] + dotPairs(c, k * p, x, i * p, p))
      }
    })
  }

  it('dotPairs sums even columns and odd columns apart, the odd last column with the even ones', () => {
    const x = [1e16, 1, -1e16, 1, 1]
    const c = [1, 1, 1, 1, 1]
    // even lane: 1e16 − 1e16 + 1 = 1; odd lane: 1 + 1 = 2 (a left-to-right sum would lose the first 1)
    expect(dotPairs(c, 0, x, 0, 5)).toBe(3)
    expect(linearDecision(Float64Array.from(x), 1, 5, Float64Array.from(c), Float64Array.of(0)).out[0]).toBe(3)
  })

  it('no rows: no outputs', () => {
    expect(linearDecision(new Float64Array(0), 0, 4, new Float64Array(4), Float64Array.of(1)).out.length).toBe(0)
  })

  for (const p of [3, 300]) {
    it(`reports a non-finite output (width ${p}), wherever it is`, () => {
      const n = 1001
      const { x } = data(n, p, 7)
      const c = new Float64Array(p).fill(0.5)
      const b = Float64Array.of(1)
      expect(linearDecision(x, n, p, c, b).finite).toBe(true)
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, n * p - 1, 517 * p + 1]) {
          const y = x.slice()
          y[at] = bad
          const r = linearDecision(y, n, p, c, b)
          expect(r.finite).toBe(false)
          expect(Number.isFinite(r.out[Math.floor(at / p)])).toBe(false)
        }
      }
    })
  }
})
