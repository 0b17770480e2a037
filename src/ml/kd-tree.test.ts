import { describe, expect, it } from 'vitest'
import { KdTree } from './kd-tree.js'
import { Random } from './random.js'

/** Reference: sort every training row by (distance, index). */
function brute(data: Float64Array, n: number, p: number, q: Float64Array, k: number, manhattan: boolean): number[] {
  const d = Array.from({ length: n }, (_, i) => {
    let s = 0
    for (let j = 0; j < p; j++) s += manhattan ? Math.abs(data[i * p + j] - q[j]) : (data[i * p + j] - q[j]) ** 2
    return { i, s }
  })
  d.sort((a, b) => a.s - b.s || a.i - b.i)
  return d.slice(0, k).map((e) => e.i)
}

describe('KdTree', () => {
  for (const manhattan of [false, true]) {
    it(`returns exactly the brute-force neighbours, ties by lower index (${manhattan ? 'manhattan' : 'euclidean'})`, () => {
      const r = new Random(11)
      const n = 2000
      const p = 3
      // small integer grid: many equal distances
      const data = Float64Array.from({ length: n * p }, () => r.int(6))
      const tree = new KdTree(data, n, p, 8)
      const dist = new Float64Array(7)
      const idx = new Int32Array(7)
      for (let t = 0; t < 200; t++) {
        const q = Float64Array.from({ length: p }, () => r.int(7) - 0.5 * r.int(2))
        for (const k of [1, 2, 7]) {
          tree.query(q, 0, k, manhattan, dist, idx)
          expect(Array.from(idx.subarray(0, k))).toEqual(brute(data, n, p, q, k, manhattan))
        }
      }
    })
  }
})
