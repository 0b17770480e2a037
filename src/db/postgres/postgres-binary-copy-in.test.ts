import { describe, expect, it } from 'vitest'
import { binaryCopyRows } from './postgres-binary-copy-in.js'

const bytes = (chunks: Iterable<Buffer> | null) => (chunks === null ? null : Buffer.concat([...chunks]))
// PGCOPY\n\377\r\n\0, flags 0, header extension 0
const HEADER = '5047434f50590aff0d0a00' + '00000000' + '00000000'
const TRAILER = 'ffff'

describe('binaryCopyRows (COPY … FROM STDIN in binary format)', () => {
  it('writes each field as the server sends it: length, then big-endian bytes; null as length −1', () => {
    const out = bytes(binaryCopyRows(['integer', 'boolean', 'bigint', 'double precision'], [[-2, null], [true, false], [-1, 2 ** 32 + 5], [1.5, null]], 2))
    expect(out!.toString('hex')).toBe(
      HEADER +
        ['0004', '00000004fffffffe', '0000000101', '00000008ffffffffffffffff', '000000083ff8000000000000'].join('') +
        ['0004', 'ffffffff', '0000000100', '000000080000000100000005', 'ffffffff'].join('') +
        TRAILER,
    )
  })

  it('writes text as UTF-8 and bytes as they are, with no escaping', () => {
    const out = bytes(binaryCopyRows(['text', 'bytea'], [['é\t\\N'], [Uint8Array.of(0, 255)]], 1))
    expect(out!.toString('hex')).toBe(HEADER + '0002' + '00000005' + Buffer.from('é\t\\N').toString('hex') + '00000002' + '00ff' + TRAILER)
  })

  it('splits a long batch into chunks and gives a value longer than a chunk one of its own', () => {
    const long = 'x'.repeat(3 << 20)
    const chunks = [...binaryCopyRows(['text'], [['a', long, 'b']], 3)!]
    expect(chunks.length).toBeGreaterThan(1)
    expect(Buffer.concat(chunks).includes(Buffer.from(long))).toBe(true)
  })

  it('is null (the caller copies as text) for a column type or a value without a binary form here', () => {
    expect(binaryCopyRows(['jsonb'], [[1]], 1)).toBeNull()
    expect(binaryCopyRows([undefined], [[1]], 1)).toBeNull()
    expect(binaryCopyRows(['bigint'], [[1.5]], 1)).toBeNull()
    expect(binaryCopyRows(['bigint'], [[2 ** 53]], 1)).toBeNull()
    expect(binaryCopyRows(['bigint'], [[2n ** 63n]], 1)).toBeNull()
    expect(binaryCopyRows(['bigint'], [['7']], 1)).toBeNull()
    expect(binaryCopyRows(['integer'], [[2 ** 31]], 1)).toBeNull()
    expect(binaryCopyRows(['boolean'], [[1]], 1)).toBeNull()
    expect(binaryCopyRows(['text'], [[3]], 1)).toBeNull()
    expect(binaryCopyRows(['double precision'], [['1.5']], 1)).toBeNull()
    expect(binaryCopyRows(['bigint'], [Float64Array.of(1, 0.5)], 2)).toBeNull()
    expect(binaryCopyRows(['bytea'], [['00']], 1)).toBeNull()
  })
})
