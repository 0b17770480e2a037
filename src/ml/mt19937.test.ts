import { describe, expect, it } from 'vitest'
import { MT19937 } from './mt19937.js'

// Literal fixtures printed by numpy 1.24.2 (Debian's python3-numpy), e.g.
// np.random.RandomState(5).choice(10, 4, replace=False)
describe('MT19937 (numpy legacy RandomState)', () => {
  it('draws what RandomState(0) draws', () => {
    const r = new MT19937(0)
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([2357136044, 2546248239, 3071714933])
  })

  it('randint(2**32 - 1, dtype="u8"), the seed scikit-learn hands to its parts', () => {
    expect(new MT19937(0).randint(4294967295)).toBe(2357136044)
    expect(new MT19937(7).randint(4294967295)).toBe(327741615)
  })

  it('permutation and choice without replacement', () => {
    expect(Array.from(new MT19937(5).permutation(10))).toEqual([9, 5, 2, 4, 7, 1, 0, 8, 6, 3])
    expect(Array.from(new MT19937(5).choiceWithoutReplacement(10, 4))).toEqual([9, 5, 2, 4])
    const sub = new MT19937(2357136044).choiceWithoutReplacement(1_000_000, 200_000)
    expect(Array.from(sub.subarray(0, 5))).toEqual([261610, 334955, 833821, 867417, 63711])
    expect(Array.from(sub.subarray(-3))).toEqual([85710, 650164, 486512])
    expect(sub.reduce((a, b) => a + b, 0)).toBe(100084622651)
  })

  it('bounded draws stay within the bound, and bad arguments are refused', () => {
    const r = new MT19937(1)
    for (const max of [1, 2, 3, 5, 1000, 2 ** 31, 4294967294]) for (let k = 0; k < 50; k++) expect(r.interval(max)).toBeLessThanOrEqual(max)
    expect(() => new MT19937(Number.NaN)).toThrow(/seed must be a finite number/)
    expect(() => new MT19937(1).choiceWithoutReplacement(3, 4)).toThrow(/cannot take 4 of 3/)
    // numpy refuses seeds outside 0 … 2³² − 1; ours reduces them modulo 2³²
    expect(new MT19937(2 ** 32).nextUint32()).toBe(new MT19937(0).nextUint32())
  })
})
