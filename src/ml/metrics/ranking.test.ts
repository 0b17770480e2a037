import { describe, expect, it } from 'vitest'
import { rocAucScore } from './ranking.js'

/*
 * Produced with scikit-learn 1.2.1 (Debian /usr/bin/python3):
 *   roc_auc_score([0,0,1,1,0,1,1,0,1,0], [0.1,0.4,0.35,0.8,0.4,0.4,0.9,0.2,0.35,0.6])  -> 0.68
 *   roc_auc_score(['no','yes','yes','no','yes'], [0.2,0.7,0.2,0.5,0.9])                -> 0.75
 */
describe('rocAucScore (binary, same as scikit-learn)', () => {
  it('counts tied scores half', () => {
    expect(rocAucScore([0, 0, 1, 1, 0, 1, 1, 0, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2, 0.35, 0.6])).toBeCloseTo(0.68, 14)
  })

  it('takes the larger label as positive, also for strings', () => {
    expect(rocAucScore(['no', 'yes', 'yes', 'no', 'yes'], [0.2, 0.7, 0.2, 0.5, 0.9])).toBeCloseTo(0.75, 14)
    expect(rocAucScore([0, 1], [0.9, 0.1])).toBe(0)
    expect(rocAucScore([0, 1], [0.5, 0.5])).toBe(0.5)
  })

  it('refuses one class, more than two classes and mismatched lengths', () => {
    expect(() => rocAucScore([1, 1], [0.2, 0.3])).toThrow(/only one class present/)
    expect(() => rocAucScore([0, 1, 2], [0.2, 0.3, 0.1])).toThrow(/binary/)
    expect(() => rocAucScore([0, 1], [0.2])).toThrow(/2 labels but probPositive has 1/)
    expect(() => rocAucScore([0, 1], [0.2, NaN])).toThrow('probPositive[1] is NaN')
  })
})
