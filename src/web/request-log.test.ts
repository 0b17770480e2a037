import { describe, expect, it } from 'vitest'
import { uuidv7 } from './request-log.js'

describe('uuidv7', () => {
  it('is a version-7 RFC 9562 UUID carrying its millisecond', () => {
    const id = uuidv7(Date.UTC(2026, 10, 27, 1, 2, 3, 456))
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.UTC(2026, 10, 27, 1, 2, 3, 456))
  })

  it('increases within and across milliseconds, so inserts append', () => {
    const ids = [uuidv7(1000), uuidv7(1000), uuidv7(1000), uuidv7(1001), uuidv7(1002), uuidv7(1002)]
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
