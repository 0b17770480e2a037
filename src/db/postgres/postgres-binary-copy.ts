import type pg from 'pg'
import type { CompiledQuery } from 'kysely'
import type { ColumnKind } from '../dialect.js'

// Type OIDs (pg_type) a columnar read decodes from COPY's binary format.
const OID = { bool: 16, int8: 20, int2: 21, int4: 23, text: 25, float4: 700, float8: 701, varchar: 1043, bpchar: 1042, name: 19 } as const
const TEXT_OIDS = new Set<number>([OID.text, OID.varchar, OID.bpchar, OID.name])
const NUMBER_OIDS = new Set<number>([OID.bool, OID.int8, OID.int2, OID.int4, OID.float4, OID.float8])

/**
 * Rows are gathered in blocks of this many, then copied once, with every slice of the read, into arrays of
 * the exact size, each block's column let go once copied.
 */
const BLOCK_ROWS = 65_536

/**
 * A block of decoded rows: `rows` rows of each column, numbers in a Float64Array, text in an array (the other
 * one null). joinDecoded empties the blocks as it copies them.
 */
export interface DecodedBlock {
  readonly rows: number
  readonly num: (Float64Array | null)[]
  readonly text: ((string | null)[] | null)[]
}

/** One query's rows as blocks, in order: numbers (null → NaN, booleans 0/1) and text (string | null). */
export interface DecodedRows {
  readonly nRows: number
  readonly blocks: readonly DecodedBlock[]
}

/**
 * The rows of several queries (slices) end to end as columns: each column is one copy of its blocks into an
 * array of the exact size, or, where the rows were decoded in place (a CopyTarget), the target's array itself.
 */
export function joinDecoded(parts: readonly DecodedRows[], kinds: readonly ColumnKind[], targets?: readonly (Float64Array | null)[]): { nRows: number; columns: (Float64Array | (string | null)[])[] } {
  const nRows = parts.reduce((a, p) => a + p.nRows, 0)
  const columns = kinds.map((k, c) => {
    if (k !== 'string' && targets?.[c]) return targets[c]!
    const out: Float64Array | (string | null)[] = k === 'string' ? new Array<string | null>(nRows) : new Float64Array(nRows)
    let o = 0
    for (const p of parts)
      for (const b of p.blocks) {
        if (Array.isArray(out)) {
          const part = b.text[c]!
          for (let i = 0; i < b.rows; i++) out[o + i] = part[i]
        } else out.set(b.num[c]!.subarray(0, b.rows), o)
        // let the block's column go as soon as it is copied: the peak stays near the result's size plus one column
        b.num[c] = null
        b.text[c] = null
        o += b.rows
      }
    return out
  })
  return { nRows, columns }
}

/**
 * Runs a query as `COPY (…) TO STDOUT (FORMAT binary)` and decodes the stream straight into blocks of typed
 * arrays (joinDecoded makes them columns):
 * no row objects and no text parsing, which is what made row-mode reads of 1M rows ~3× slower than SQLite.
 * COPY takes no bind parameters, so the query's parameters are inlined as literals (numbers as such, text
 * through the driver's escapeLiteral); a cheap `LIMIT 0` describe of the same query first gives each output
 * column's type. Columns of other types than bool, int2/4/8, float4/8 and text are cast in SQL to
 * float8 or text by their kind.
 */
export async function copyColumns(client: pg.PoolClient, query: CompiledQuery, kinds: readonly ColumnKind[], target?: CopyTarget): Promise<DecodedRows> {
  // A sequential scan then starts at the table's first page instead of joining one under way at any page,
  // so an unordered read comes in the table's physical order, the same on every read: for rows written in
  // time order, runs the as-of merge finds in order instead of rotated (each a sort; 1,000 of them took
  // most of the bench's 0.27 s merge on PostgreSQL). Only where concurrent scans start differs.
  // No parallel plan: a columnar read is one stream per slice, and its slices (each on its own connection)
  // are its parallelism. For an ordered slice the planner, which takes these reads' commit filters to keep a
  // third of the rows, chose a parallel scan into sorts that spilled to disk under a Gather Merge: three
  // server processes per slice on a 2-core machine, and no row sent until every sort was done (bench's
  // 1M-row split: first row 240–270 ms after the query, read 0.72–0.75 s; with the primary key's index
  // scan, first row after 5–55 ms, read 0.50–0.53 s). Reset afterwards, as the connection goes back to the
  // pool; callers close a connection whose read failed, setting and all.
  await client.query('SET synchronize_seqscans = off; SET max_parallel_workers_per_gather = 0')
  const decoded = await copyColumnsSerial(client, query, kinds, target)
  await client.query('RESET max_parallel_workers_per_gather')
  return decoded
}

async function copyColumnsSerial(client: pg.PoolClient, query: CompiledQuery, kinds: readonly ColumnKind[], target?: CopyTarget): Promise<DecodedRows> {
  const params = query.parameters as readonly unknown[]
  const described = await client.query({ text: `SELECT * FROM (${query.sql}) AS q LIMIT 0`, values: params as unknown[] })
  const fields = described.fields
  if (fields.length !== kinds.length) throw new Error(`columnar read: the query returns ${fields.length} columns, ${kinds.length} kinds given`)
  const oids = fields.map((f, c) => {
    const known = kinds[c] === 'string' ? TEXT_OIDS.has(f.dataTypeID) : NUMBER_OIDS.has(f.dataTypeID)
    return known ? f.dataTypeID : kinds[c] === 'string' ? OID.text : OID.float8
  })
  const select = fields
    .map((f, c) => {
      const ref = `q.${quoteIdent(f.name)}`
      return oids[c] === f.dataTypeID ? ref : `${ref}::${oids[c] === OID.text ? 'text' : 'float8'}`
    })
    .join(', ')
  const sql = `COPY (SELECT ${select} FROM (${inlineParameters(query.sql, params, (s) => client.escapeLiteral(s))}) AS q) TO STDOUT (FORMAT binary)`
  const decoder = new BinaryCopyDecoder(oids, kinds, target)
  const copy = new CopyOut(sql, decoder)
  client.query(copy as unknown as pg.QueryConfig)
  await copy.finished
  return decoder.finish()
}

/**
 * Where to decode numeric columns when an upper bound of the row count is known: arrays of that many rows
 * (one per column; null for text columns), filled from the first row on, or (`backward`) from the last row
 * back, so nothing grows or is copied afterwards. Text columns are decoded forward as ever (reversed at the
 * end when `backward`: a backward slice's query gives its rows in reverse order).
 */
export interface CopyTarget {
  /** `rows` rows each (the upper bound). */
  readonly columns: readonly (Float64Array | null)[]
  readonly rows: number
  readonly backward: boolean
}

type PgConnection = { stream: NodeJS.ReadableStream & { listeners(e: 'data'): ((chunk: Buffer) => void)[] }; query(text: string): void }

/**
 * A `COPY … TO STDOUT` run as a pg submittable that reads the connection's socket itself until CopyDone, then
 * hands the socket back to pg (which reads CommandComplete and ReadyForQuery, or an ErrorResponse) — what
 * pg-copy-streams does, without its per-message buffers: the server sends one CopyData message per row, and
 * pg-copy-streams made a Buffer slice of each and concatenated them again, half of the client's time in a
 * million-row read (CPU profile: ~225 of ~450 ms per read, plus the garbage collection of those slices).
 * Here each message's payload is decoded where it lies in the socket's chunk; only a message split across
 * two chunks is joined first.
 */
class CopyOut {
  readonly finished: Promise<void>
  private resolve!: () => void
  private reject!: (e: unknown) => void
  private connection: PgConnection | null = null
  private pgDataHandler: ((chunk: Buffer) => void) | null = null
  private carry: Buffer | null = null
  private failure: unknown = null

  constructor(
    readonly text: string,
    private readonly decoder: BinaryCopyDecoder,
  ) {
    this.finished = new Promise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
  }

  submit(connection: PgConnection): Error | undefined {
    const listeners = connection.stream.listeners('data')
    if (listeners.length !== 1) return new Error(`binary COPY: the connection has ${listeners.length} data listeners, 1 expected`)
    this.connection = connection
    this.pgDataHandler = listeners[0]
    connection.stream.removeListener('data', this.pgDataHandler)
    connection.stream.on('data', this.onChunk)
    connection.query(this.text)
    return undefined
  }

  private readonly onChunk = (chunk: Buffer): void => {
    const c = this.carry
    this.carry = null
    if (!c) {
      this.scan(chunk, 0)
      return
    }
    // The end of the data or an error (once per query): scan it joined with the whole chunk.
    if (c[0] === 0x45 || c[0] === 0x63 || c.length < 5) {
      this.scan(Buffer.concat([c, chunk]), 0)
      return
    }
    // A message split across socket chunks: complete it from the head of this chunk, copying only that message.
    const need = 1 + c.readUInt32BE(1) - c.length
    if (need > chunk.length) {
      this.carry = Buffer.concat([c, chunk])
      return
    }
    if (this.scan(Buffer.concat([c, chunk.subarray(0, need)]), 0)) return
    this.scan(chunk, need)
  }

  /** Decodes the whole messages of buf from off, keeps a trailing partial one; true once the data has ended. */
  private scan(buf: Buffer, off: number): boolean {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length)
    while (buf.length - off >= 5) {
      // CopyData ('d') messages, as many as come in a row; a decoding error is kept for the end (throwing
      // here would hit the socket's emitter), and the rest of the data is then skipped below.
      if (this.failure === null) {
        try {
          off = this.decoder.frames(buf, view, off)
        } catch (e) {
          this.failure = e
        }
        if (buf.length - off < 5) break
      }
      const code = buf[off]
      // An error, or the end of the data: pg reads the rest (CopyDone is consumed here, an error left to pg).
      if (code === 0x45 || code === 0x63) {
        this.detach(buf.subarray(code === 0x63 ? off + 5 : off))
        return true
      }
      const end = off + 1 + view.getUint32(off + 1)
      if (end > buf.length) break
      // CopyOutResponse, asynchronous messages (notices, parameter changes), data after a decoding error: skipped.
      off = end
    }
    if (off < buf.length) this.carry = Buffer.from(buf.subarray(off))
    return false
  }

  private detach(rest: Buffer): void {
    const stream = this.connection!.stream
    stream.removeListener('data', this.onChunk)
    stream.on('data', this.pgDataHandler!)
    this.pgDataHandler!(rest)
  }

  handleReadyForQuery(): void {
    if (this.failure) this.reject(this.failure)
    else this.resolve()
  }
  handleError(error: Error): void {
    this.reject(error)
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
}

function reverseHead(a: unknown[], n: number): void {
  for (let i = 0, j = n - 1; i < j; i++, j--) {
    const x = a[i]
    a[i] = a[j]
    a[j] = x
  }
}

/** `$n` placeholders (outside quoted text and identifiers) replaced by SQL literals of the parameters. */
export function inlineParameters(sql: string, params: readonly unknown[], escapeLiteral: (s: string) => string): string {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const ch = sql[i]
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1)
      const stop = end < 0 ? sql.length : end + 1
      out += sql.slice(i, stop)
      i = stop
    } else if (ch === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1
      while (j < sql.length && /[0-9]/.test(sql[j])) j++
      const n = Number(sql.slice(i + 1, j))
      if (n < 1 || n > params.length) throw new Error(`query refers to parameter $${n} of ${params.length}`)
      out += literal(params[n - 1], escapeLiteral)
      i = j
    } else {
      out += ch
      i++
    }
  }
  return out
}

function literal(v: unknown, escapeLiteral: (s: string) => string): string {
  if (v === null || v === undefined) return 'NULL'
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return String(v)
    return `'${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'}'::float8`
  }
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (v instanceof Date) return String(v.getTime())
  if (typeof v === 'string') return escapeLiteral(v)
  throw new Error(`cannot inline a parameter of type ${typeof v} into COPY`)
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** The 11 bytes that open a binary COPY stream. */
export const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')

// How a field is decoded, by its type (one small integer per column, so the loop switches on it).
const F8 = 0
const I8 = 1
const I4 = 2
const BOOL = 3
const I2 = 4
const F4 = 5
const TEXT = 6
const NUMERIC_TEXT = 7

function fieldCode(oid: number, kind: ColumnKind): number {
  if (kind === 'string') return TEXT
  if (oid === OID.float8) return F8
  if (oid === OID.int8) return I8
  if (oid === OID.int4) return I4
  if (oid === OID.bool) return BOOL
  if (oid === OID.int2) return I2
  if (oid === OID.float4) return F4
  return NUMERIC_TEXT
}

/**
 * Decodes one tuple's fields, starting at p (after its field count), numbers into row `row` of their columns
 * and text into row `textRow` (they differ for a backward CopyTarget); returns where the tuple ends. The
 * caller has checked that the whole tuple is in buf.
 */
function readTuple(buf: Buffer, view: DataView, p: number, codes: Int32Array, num: readonly (Float64Array | null)[], text: readonly ((string | null)[] | null)[], textRow: number, row: number): number {
  for (let c = 0; c < codes.length; c++) {
    const l = view.getInt32(p)
    p += 4
    const code = codes[c]
    if (code === TEXT) text[c]![textRow] = l < 0 ? null : buf.toString('utf8', p, p + l)
    else {
      const out = num[c]!
      if (l < 0) out[row] = NaN
      else if (code === F8) out[row] = view.getFloat64(p)
      else if (code === I8) out[row] = view.getInt32(p) * 4294967296 + view.getUint32(p + 4)
      else if (code === I4) out[row] = view.getInt32(p)
      else if (code === BOOL) out[row] = buf[p] === 0 ? 0 : 1
      else if (code === I2) out[row] = view.getInt16(p)
      else if (code === F4) out[row] = view.getFloat32(p)
      else out[row] = Number(buf.toString('utf8', p, p + l))
    }
    if (l > 0) p += l
  }
  return p
}

/**
 * Incremental decoder of PostgreSQL's binary COPY format (header, then per tuple an int16 field count and,
 * per field, an int32 length (-1 = null) and the value in network byte order; an int16 -1 ends the data).
 * It reads the CopyData messages where they lie in the socket's chunk: the server sends one message per
 * tuple, and such a message is decoded in one tight loop (`frames`) with nothing copied; anything else (the
 * header in the first message, the end marker, a tuple split across messages) goes through `feed`, which
 * joins what it must. Numbers are read through a DataView of the chunk, and each column writes only to
 * arrays of its own kind (a Float64Array, or an array of text), so the stores stay monomorphic. CPU profile
 * of a 1M-row × 4-column read, 2026-11-30: ~270 ns per row with one loop writing to either kind of array
 * and Buffer reads, plus ~120 ns per row copying every payload into one buffer first; ~100 ns with a call
 * per message; the loop over messages is what is left.
 */
class BinaryCopyDecoder {
  private pending: Buffer | null = null
  private headerDone = false
  private done = false
  private nRows = 0
  private blockRow = 0
  private readonly blocks: { rows: number; num: (Float64Array | null)[]; text: ((string | null)[] | null)[] }[] = []
  private num: (Float64Array | null)[] = []
  private text: ((string | null)[] | null)[] = []
  private readonly codes: Int32Array
  private readonly blockRows: number

  constructor(
    oids: readonly number[],
    private readonly kinds: readonly ColumnKind[],
    private readonly target?: CopyTarget,
  ) {
    this.codes = Int32Array.from(oids, (oid, c) => fieldCode(oid, kinds[c]))
    this.blockRows = target ? target.rows : BLOCK_ROWS
    this.last = target?.backward ? this.blockRows - 1 : -1
    this.newBlock()
  }

  /** Where a backward target's row 0 goes (its last row), else −1: numbers go to `last − row`. */
  private readonly last: number

  private newBlock(): void {
    if (this.target && this.blocks.length) throw new Error(`binary COPY: more rows than the ${this.blockRows} at most expected`)
    if (this.blocks.length) this.blocks[this.blocks.length - 1].rows = this.blockRow
    const t = this.target
    const n = this.blockRows
    this.num = this.kinds.map((k, c) => (k === 'string' ? null : t ? t.columns[c]! : new Float64Array(n)))
    this.text = this.kinds.map((k) => (k === 'string' ? new Array<string | null>(n).fill(null) : null))
    this.blocks.push({ rows: 0, num: this.num, text: this.text })
    this.blockRow = 0
  }

  /**
   * Decodes the CopyData messages of buf from off on, while they come one after another; returns where the
   * first other message (or an incomplete one) starts. `view` is a DataView over all of buf.
   */
  frames(buf: Buffer, view: DataView, off: number): number {
    const len = buf.length
    const codes = this.codes
    const nCols = codes.length
    const blockRows = this.blockRows
    let num = this.num
    let text = this.text
    let row = this.blockRow
    let decoded = 0
    while (len - off >= 5 && buf[off] === 0x64) {
      const end = off + 1 + view.getUint32(off + 1)
      if (end > len) break
      const start = off + 5
      off = end
      // The usual message: exactly one whole tuple, with nothing carried from before.
      let p = start + 2
      let whole = this.pending === null && this.headerDone && end - start >= 2 && view.getInt16(start) === nCols
      for (let c = 0; c < nCols && whole; c++) {
        if (end - p < 4) whole = false
        else {
          const l = view.getInt32(p)
          p += 4 + (l > 0 ? l : 0)
        }
      }
      if (!whole || p !== end) {
        this.blockRow = row
        this.nRows += decoded
        decoded = 0
        this.feed(buf, view, start, end)
        num = this.num
        text = this.text
        row = this.blockRow
        continue
      }
      if (row === blockRows) {
        this.blockRow = row
        this.newBlock()
        num = this.num
        text = this.text
        row = 0
      }
      readTuple(buf, view, start + 2, codes, num, text, row, this.last < 0 ? row : this.last - row)
      row++
      decoded++
    }
    this.blockRow = row
    this.nRows += decoded
    return off
  }

  /** Decodes the bytes buf[start, end) (a message's payload of any shape); `view` is a DataView over all of buf. */
  feed(buf: Buffer, view: DataView, start: number, end: number): void {
    if (this.pending) {
      const joined = Buffer.concat([this.pending, buf.subarray(start, end)])
      this.pending = null
      this.decode(joined, new DataView(joined.buffer, joined.byteOffset, joined.length), 0, joined.length)
    } else this.decode(buf, view, start, end)
  }

  private decode(buf: Buffer, view: DataView, start: number, end: number): void {
    let off = start
    if (!this.headerDone) {
      if (end - off < 19 || end - off < 19 + view.getInt32(off + 15)) {
        this.pending = Buffer.from(buf.subarray(off, end))
        return
      }
      if (!buf.subarray(off, off + 11).equals(SIGNATURE)) throw new Error('binary COPY: bad signature')
      off += 19 + view.getInt32(off + 15)
      this.headerDone = true
    }
    const codes = this.codes
    const nCols = codes.length
    while (off < end) {
      if (this.done) throw new Error('binary COPY: data after the end marker')
      if (end - off < 2) break
      const count = view.getInt16(off)
      if (count === -1) {
        this.done = true
        off += 2
        continue
      }
      if (count !== nCols) throw new Error(`binary COPY: a tuple of ${count} fields, ${nCols} expected`)
      // The whole tuple must be at hand before any of it is decoded.
      let p = off + 2
      let complete = true
      for (let c = 0; c < nCols; c++) {
        if (end - p < 4) {
          complete = false
          break
        }
        const len = view.getInt32(p)
        p += 4 + (len > 0 ? len : 0)
        if (p > end) {
          complete = false
          break
        }
      }
      if (!complete) break
      if (this.blockRow === this.blockRows) this.newBlock()
      const row = this.blockRow++
      off = readTuple(buf, view, off + 2, codes, this.num, this.text, row, this.last < 0 ? row : this.last - row)
      this.nRows++
    }
    if (off < end) this.pending = Buffer.from(buf.subarray(off, end))
  }

  finish(): DecodedRows {
    if (!this.done || this.pending) throw new Error('binary COPY: the data ended early')
    const n = this.nRows
    const block = this.blocks[this.blocks.length - 1]
    block.rows = this.blockRow
    // a backward slice's text came in reverse order, like its numbers: put it in order
    if (this.target?.backward) for (const t of block.text) if (t) reverseHead(t, n)
    return { nRows: n, blocks: this.blocks }
  }
}
