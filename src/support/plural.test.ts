import { describe, expect, it } from 'vitest'
import { plural } from './plural.js'

describe('plural', () => {
  it('takes the singular for exactly one, the plural otherwise', () => {
    expect([0, 1, 2, 1.5].map((n) => plural(n, 'row'))).toEqual(['0 rows', '1 row', '2 rows', '1.5 rows'])
    expect(plural(1, 'commit')).toBe('1 commit')
    expect(plural(3, 'entry', 'entries')).toBe('3 entries')
    expect(plural(12_000, 'row', undefined, (12_000).toLocaleString('en'))).toBe('12,000 rows')
  })
})
