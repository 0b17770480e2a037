import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { asOfIndex, gather } from './point-in-time.js'
import { timeSplitIndices } from './splits.js'
import { ValidationError } from '../db/index.js'

/** The definition, row by row: the latest right row with equal keys at or before t; ties to the greater tie-break, then the later position. */
function bruteForce(left: { keys: (number | string | null)[][]; time: number[] }, right: { keys: (number | string | null)[][]; time: number[]; tie: number[] }): number[] {
  return left.time.map((t, i) => {
    const lk = left.keys.map((k) => k[i])
    if (lk.some((v) => v === null || Number.isNaN(v)) || Number.isNaN(t)) return -1
    let best = -1
    for (let j = 0; j < right.time.length; j++) {
      if (!right.keys.every((k, c) => k[j] === lk[c]) || right.time[j] > t) continue
      if (best < 0 || right.time[j] > right.time[best] || (right.time[j] === right.time[best] && right.tie[j] >= right.tie[best])) best = j
    }
    return best
  })
}

const col = (values: (number | string | null)[]) => (values.every((v) => typeof v !== 'string') ? Float64Array.from(values, (v) => (v === null ? NaN : (v as number))) : values.map((v) => (v === null ? null : String(v))))

describe('asOfIndex (point-in-time merge)', () => {
  it('matches the row-by-row definition for any order, keys, ties and missing values', () => {
    // Small integers take the merge's lookup-table path; a negative, fractional or far-off key (a span past 2^22) the Map path.
    const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(1, 2, 3) }, fc.constantFrom(-2, 0.5, 2 ** 23), fc.constant(null))
    const textKey = fc.oneof(fc.constantFrom('a', 'b', 'é'), fc.constant(null))
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.record({ k1: key, k2: textKey, t: fc.integer({ min: 0, max: 6 }) }), { maxLength: 30 }),
        fc.array(fc.record({ k1: key, k2: textKey, t: fc.integer({ min: 0, max: 6 }), tie: fc.integer({ min: 1, max: 3 }), tie2: fc.constantFrom('a', 'b') }), { maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        (twoKeys, l, r, sortRight, withTie) => {
          if (sortRight) r = [...r].sort((a, b) => String(a.k1).localeCompare(String(b.k1)) || String(a.k2).localeCompare(String(b.k2)) || a.t - b.t || a.tie - b.tie)
          const lk = twoKeys ? [l.map((x) => x.k1), l.map((x) => x.k2)] : [l.map((x) => x.k1)]
          const rk = twoKeys ? [r.map((x) => x.k1), r.map((x) => x.k2)] : [r.map((x) => x.k1)]
          const got = asOfIndex(
            { nRows: l.length, keys: lk.map(col), time: Float64Array.from(l, (x) => x.t) },
            { nRows: r.length, keys: rk.map(col), time: Float64Array.from(r, (x) => x.t), ...(withTie ? { tieBreak: [Float64Array.from(r, (x) => x.tie), r.map((x) => x.tie2)] } : {}) },
          )
          // Without a tie-break, ties keep their given order (the later wins).
          const tie = withTie ? r.map((x) => x.tie * 2 + (x.tie2 === 'b' ? 1 : 0)) : r.map(() => 0)
          expect(Array.from(got)).toEqual(bruteForce({ keys: lk, time: l.map((x) => x.t) }, { keys: rk, time: r.map((x) => x.t), tie }))
        },
      ),
      { numRuns: 600 },
    )
  })

  it('matches the definition on long runs of clustered, far-spread and repeated times (the bucket tables)', () => {
    // Times drawn from a few clusters (tiny steps, equal values, one far outlier): buckets holding many rows, empty ones, and runs with one time.
    const time = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.double({ min: 1e12, max: 1e12 + 1, noNaN: true }), fc.constantFrom(-1e15, 5e15, 7, 7.5))
    fc.assert(
      fc.property(fc.array(fc.record({ k: fc.constantFrom(1, 2), t: time }), { minLength: 20, maxLength: 300, size: 'max' }), fc.array(fc.record({ k: fc.constantFrom(1, 2, 3), t: time }), { maxLength: 100 }), (r, l) => {
        r = [...r].sort((a, b) => a.k - b.k || a.t - b.t)
        const got = asOfIndex(
          { nRows: l.length, keys: [Float64Array.from(l, (x) => x.k)], time: Float64Array.from(l, (x) => x.t) },
          { nRows: r.length, keys: [Float64Array.from(r, (x) => x.k)], time: Float64Array.from(r, (x) => x.t) },
        )
        expect(Array.from(got)).toEqual(bruteForce({ keys: [l.map((x) => x.k)], time: l.map((x) => x.t) }, { keys: [r.map((x) => x.k)], time: r.map((x) => x.t), tie: r.map(() => 0) }))
      }),
      { numRuns: 300 },
    )
  })

  it('keeps 1 and "1" apart in a two-column key, and gathers missing values as NaN / null', () => {
    const idx = asOfIndex(
      { nRows: 2, keys: [Float64Array.of(1, 1), ['1', 'x']], time: Float64Array.of(5, 5) },
      { nRows: 2, keys: [Float64Array.of(1, 1), ['1', 'x']], time: Float64Array.of(6, 1), tieBreak: [Float64Array.of(1, 1)] },
    )
    expect(Array.from(idx)).toEqual([-1, 1])
    expect(Array.from(gather(Float64Array.of(10, 20), idx) as Float64Array)).toEqual([NaN, 20])
    expect(gather(['p', 'q'], idx)).toEqual([null, 'q'])
  })
})

describe('timeSplitIndices', () => {
  const t = Float64Array.of(30, 10, 20, 20, 40, 50, 10)
  it('puts every row before testStart in training and the rest in test, each in time order', () => {
    const s = timeSplitIndices(t, { testStart: 30 })
    expect(Array.from(s.train)).toEqual([1, 6, 2, 3])
    expect(Array.from(s.test)).toEqual([0, 4, 5])
  })
  it('takes the last fraction by time and keeps rows of the boundary instant together in test', () => {
    // ceil(0.5 × 7) = 4 test rows would start at the 4th-last row (time 20), which a second row shares: both go to test.
    const s = timeSplitIndices(t, { testSize: 0.5 })
    expect(s.testStart).toBe(20)
    expect(Array.from(s.train)).toEqual([1, 6])
    expect(Array.from(s.test)).toEqual([2, 3, 0, 4, 5])
  })
  it('refuses a split that leaves a set empty, naming the option', () => {
    expect(() => timeSplitIndices(t, { testStart: 10 })).toThrow(/testStart.*training set empty/)
    expect(() => timeSplitIndices(t, { testStart: 51 })).toThrow(/testStart.*test set empty/)
    expect(() => timeSplitIndices(Float64Array.of(5, 5, 5), { testSize: 0.2 })).toThrow(ValidationError)
    expect(() => timeSplitIndices(Float64Array.of(5, 5, 5), { testSize: 0.2 })).toThrow(/testSize/)
  })
})
