import { SIGNATURE } from './postgres-binary-copy.js'

/**
 * Column types (as `format_type` names them) whose values COPY … FROM STDIN (FORMAT binary) takes here, and
 * the JavaScript values each takes: PostgreSQL's binary send format of each type ("Binary Format" of the COPY
 * page; int8send, float8send, boolsend, textsend, byteasend in the server's sources).
 */
const KINDS = { 'double precision': 0, bigint: 1, boolean: 2, text: 3, integer: 4, bytea: 5 } as const
type Kind = (typeof KINDS)[keyof typeof KINDS]

/** Bytes per chunk handed to the COPY stream (a longer value gets a chunk of its own size). */
const CHUNK_BYTES = 1 << 20

/** Whether a non-null value has the binary form of a column of this kind (anything else goes the text way). */
function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 0:
      return typeof v === 'number'
    case 1:
      return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'bigint' && BigInt.asIntN(64, v) === v)
    case 2:
      return typeof v === 'boolean'
    case 3:
      return typeof v === 'string'
    case 4:
      return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647
    case 5:
      return v instanceof Uint8Array
  }
}

/**
 * The rows (data[c][r], nRows of them) in COPY's binary format, in chunks of about a megabyte, or null when a
 * column's type is not one of KINDS or a value is not of its column's kind (the caller then copies them as
 * text, which the server parses: the same rows stored either way). Doubles go as their 8 bytes, so no number
 * is printed and parsed again (at 1M rows × 8 columns, printing the doubles alone took ~2.7 s of a 6 s insert).
 * Null and undefined are NULL; a Float64Array column's NaN is NaN, as COPY's text 'NaN' was; −0 is 0.
 */
export function binaryCopyRows(types: readonly (string | undefined)[], data: readonly ArrayLike<unknown>[], nRows: number): Iterable<Buffer> | null {
  const kinds: Kind[] = []
  for (const t of types) {
    const k = t === undefined ? undefined : (KINDS as Record<string, Kind>)[t]
    if (k === undefined) return null
    kinds.push(k)
  }
  // every value checked before a byte is sent: a batch goes one way or the other, whole
  for (let c = 0; c < kinds.length; c++) {
    const col = data[c]
    const kind = kinds[c]
    if (col instanceof Float64Array) {
      if (kind === 0) continue
      if (kind !== 1 && kind !== 4) return null
    }
    for (let r = 0; r < nRows; r++) {
      const v = col[r]
      if (v !== null && v !== undefined && !fits(kind, v)) return null
    }
  }
  return encodeRows(kinds, data, nRows)
}

function* encodeRows(kinds: readonly Kind[], data: readonly ArrayLike<unknown>[], nRows: number): Generator<Buffer> {
  const nCols = kinds.length
  // fixed bytes of a row: its field count, then each field's length and, for fixed-size types, its value
  let fixed = 2
  for (const k of kinds) fixed += 4 + (k === 0 || k === 1 ? 8 : k === 2 ? 1 : k === 4 ? 4 : 0)
  let buf = Buffer.allocUnsafe(CHUNK_BYTES)
  let view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  let off = 0
  const fresh = (atLeast: number) => {
    buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, atLeast))
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    off = 0
  }
  buf.set(SIGNATURE, 0)
  view.setInt32(SIGNATURE.length, 0) // flags: no OIDs
  view.setInt32(SIGNATURE.length + 4, 0) // header extension length
  off = SIGNATURE.length + 8
  for (let r = 0; r < nRows; r++) {
    // room for the row's fixed part and, for text and bytes, the most bytes their values can take
    let need = fixed
    for (let c = 0; c < nCols; c++) {
      const k = kinds[c]
      if (k !== 3 && k !== 5) continue
      const v = data[c][r] as string | Uint8Array | null | undefined
      if (v !== null && v !== undefined) need += k === 3 ? (v as string).length * 3 : (v as Uint8Array).byteLength
    }
    if (off + need > buf.length) {
      if (off > 0) yield buf.subarray(0, off)
      fresh(need)
    }
    view.setInt16(off, nCols)
    off += 2
    for (let c = 0; c < nCols; c++) {
      const v = data[c][r]
      if (v === null || v === undefined) {
        view.setInt32(off, -1)
        off += 4
        continue
      }
      switch (kinds[c]) {
        case 0:
          view.setInt32(off, 8)
          // + 0 turns −0 into 0 (and leaves every other value, NaN included): −0 is stored as 0, as text COPY
          // ('0') and SQLite (a REAL column keeps an integral value as an integer) store it
          view.setFloat64(off + 4, (v as number) + 0)
          off += 12
          break
        case 1:
          view.setInt32(off, 8)
          if (typeof v === 'bigint') view.setBigInt64(off + 4, v)
          else {
            // a safe integer's two 32-bit halves (two's complement): no BigInt per value
            const hi = Math.floor((v as number) / 4294967296)
            view.setInt32(off + 4, hi)
            view.setUint32(off + 8, (v as number) - hi * 4294967296)
          }
          off += 12
          break
        case 2:
          view.setInt32(off, 1)
          buf[off + 4] = v ? 1 : 0
          off += 5
          break
        case 3: {
          const n = buf.write(v as string, off + 4, 'utf8')
          view.setInt32(off, n)
          off += 4 + n
          break
        }
        case 4:
          view.setInt32(off, 4)
          view.setInt32(off + 4, v as number)
          off += 8
          break
        case 5:
          view.setInt32(off, (v as Uint8Array).byteLength)
          buf.set(v as Uint8Array, off + 4)
          off += 4 + (v as Uint8Array).byteLength
          break
      }
    }
  }
  if (off + 2 > buf.length) {
    yield buf.subarray(0, off)
    fresh(2)
  }
  view.setInt16(off, -1) // trailer
  off += 2
  yield buf.subarray(0, off)
}
