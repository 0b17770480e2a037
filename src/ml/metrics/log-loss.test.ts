import { describe, expect, it } from 'vitest'
import { ValidationError } from '../errors.js'
import { logLoss } from './log-loss.js'

// Literals printed by /usr/bin/python3, scikit-learn 1.2.1: sklearn.metrics.log_loss(...) with the same arguments.
describe('logLoss equals scikit-learn 1.2.1', () => {
  const y3 = [1, 2, 3, 2, 1, 3]
  const p3 = [
    [0.7, 0.2, 0.1],
    [0.1, 0.6, 0.3],
    [0.2, 0.2, 0.6],
    [0.3, 0.4, 0.3],
    [0.5, 0.25, 0.25],
    [0.0, 0.0, 1.0],
  ]

  it('binary with string labels (the docstring example) and 1-D positive-class probabilities', () => {
    expect(logLoss(['spam', 'ham', 'ham', 'spam'], [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]])).toBe(0.21616187468057912)
    expect(logLoss([0, 1, 1, 0, 1], [0.2, 0.7, 0.99, 0.4, 0.55])).toBe(0.3397062911256109)
  })

  it('multiclass as rows or as predictProba’s row-major array, weighted and summed', () => {
    expect(logLoss(y3, p3)).toBe(0.49796068398413573)
    expect(logLoss(y3, Float64Array.from(p3.flat()))).toBe(0.49796068398413573)
    expect(logLoss(y3, p3, { sampleWeight: [1, 2, 1, 0.5, 1, 3] })).toBe(0.35769933667455633)
    expect(logLoss(y3, p3, { normalize: false })).toBe(2.9877641039048144)
  })

  it('clips to machine epsilon (or eps) and renormalises rows', () => {
    expect(logLoss([1, 2], [[1, 0], [1, 0]])).toBe(18.021826694558577)
    expect(logLoss([0, 1], [[0.2, 0.6], [0.5, 1.5]])).toBe(0.8958797346140275)
    expect(logLoss([0, 1], [[1, 0], [0.5, 0.5]], { eps: 1e-15 })).toBe(0.34657359027997314)
  })

  it('labels name columns absent from yTrue', () => {
    expect(logLoss([2, 2], [[0.3, 0.3, 0.4], [0.1, 0.8, 0.1]], { labels: [3, 1, 2] })).toBe(0.7135581778200729)
  })

  it('on 1000 samples (pairwise mean)', () => {
    const n = 1000
    const yb: number[] = []
    const pb: number[] = []
    const yc: number[] = []
    const pc: number[] = []
    for (let i = 0; i < n; i++) {
      yb.push((i * 7) % 3 === 0 ? 1 : 0)
      pb.push((((i * 13) % 17) + 1) / 19)
      yc.push(i % 3)
      const r = [(i % 7) + 1, (i % 5) + 2, (i % 3) + 1]
      const s = r[0] + r[1] + r[2]
      pc.push(r[0] / s, r[1] / s, r[2] / s)
    }
    expect(logLoss(yb, pb)).toBe(0.8608268056042532)
    expect(logLoss(yc, pc)).toBe(1.0542417491186138)
  })

  it('refuses bad input with a clear reason', () => {
    expect(() => logLoss([1, 1], [0.5, 0.5])).toThrow(ValidationError)
    expect(() => logLoss([1, 1], [0.5, 0.5])).toThrow(/only one label/)
    expect(() => logLoss([1, 2], [[0.5, 0.5]])).toThrow('yProba has 1 rows but yTrue has 2 labels')
    expect(() => logLoss(y3, [0.1, 0.2])).toThrow(/expected 6×3/)
    expect(() => logLoss([1, 2], [[0.5, NaN], [0.5, 0.5]])).toThrow('yProba[0][1] is NaN')
    expect(() => logLoss([1, 4], [[0.5, 0.5], [0.5, 0.5]], { labels: [1, 2] })).toThrow(/yTrue\[1\] = 4 is not one of the labels/)
    expect(() => logLoss([], [])).toThrow('yTrue is empty')
  })
})
