import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type BetterSqlite3 from 'better-sqlite3'
import type { CompiledQuery } from 'kysely'
import { checkFill, fillColumn, type ColumnFill, type ColumnKind, type ColumnarResult } from '../dialect.js'

// The columnar read, as plain JavaScript so that reader threads evaluate the very same code as this thread
// (and it runs the same from compiled dist/ and from TS sources).
//
// The query runs under an aggregate function of our own (better-sqlite3's db.aggregate) whose step stores
// each row's values straight into the columns: SQLite calls it once per row with the values as JavaScript
// numbers and strings, so no row array is built and no text is rendered or parsed. Measured on a 500,000-row
// × 3-column slice (2-core machine, one thread): 155 ms, against 250 ms rendering each column as one
// json_group_array text and JSON.parse-ing it (the way before) and 465 ms iterating rows with .raw().
// Values are exact, -0 and ±Infinity included (SQLite stores NaN as NULL: NaN here as for any missing value).
// The rows keep the query's ORDER BY: SQLite drops a FROM-clause subquery's ORDER BY only where the outer
// query's result cannot depend on it, and never when the outer query uses an aggregate other than count(),
// min() or max() (select.c, "omit ORDER BY in FROM-clause subquery", case 4) — ours is one.
// The step is generated for the query's column count and kinds, so each value is a named argument (no rest
// array per row) and each column's store site only ever sees one kind of array. It counts the rows itself and
// returns nothing, which leaves SQLite's accumulator as it is (returning a new one each row cost ~15 ms per
// 500,000 rows). Numeric columns grow by doubling; with `trim` false they come back at their capacity (rows
// n … length unused), for a caller that copies them anyway, which spares a copy of every column. With a
// `target` (ColumnFill: arrays of its upper bound of rows, shared with the calling thread) numbers go
// straight into its arrays, from the first row on or (`back`) from the last back, and come back null.
const READ_COLUMNAR = `function readColumnar(db, sql, parameters, kinds, trim = true, target = null) {
  const names = db.prepare(sql).columns().map((c) => c.name)
  if (names.length !== kinds.length) throw new Error('columnar read: the query returns ' + names.length + ' columns, ' + kinds.length + ' kinds given')
  const s = {
    n: 0,
    cap: target ? target.rows : 1024,
    last: target && target.back ? target.rows - 1 : -1,
    cols: kinds.map((k, c) => (k === 'string' ? [] : target ? target.cols[c] : new Float64Array(1024))),
    grow() {
      if (target) throw new Error('columnar read: more rows than the ' + target.rows + ' at most expected')
      s.cap *= 2
      for (let c = 0; c < kinds.length; c++) if (kinds[c] !== 'string') { const b = new Float64Array(s.cap); b.set(s.cols[c]); s.cols[c] = b }
    },
  }
  const args = kinds.map((k, c) => 'a' + c)
  const at = target && target.back ? 's.last - i' : 'i'
  const stores = kinds.map((k, c) => k === 'string' ? 's.cols[' + c + '][i] = a' + c : 's.cols[' + c + '][' + at + '] = typeof a' + c + " === 'number' ? a" + c + ' : a' + c + ' === null ? NaN : Number(a' + c + ')')
  const step = new Function('s', 'return function (acc, ' + args.join(', ') + ') { const i = s.n++; if (i === s.cap) s.grow(); ' + stores.join('; ') + ' }')(s)
  db.aggregate('sml_read_columns', { start: 0, step })
  const cols = names.map((n) => 'q."' + n.replace(/"/g, '""') + '"').join(', ')
  db.prepare('SELECT sml_read_columns(' + cols + ') FROM (' + sql + ') AS q').pluck(true).get(...parameters)
  const n = s.n
  // a backward slice's text came in reverse order, like its numbers: put it in order
  if (target && target.back) for (let c = 0; c < kinds.length; c++) if (kinds[c] === 'string') s.cols[c].reverse()
  const out = s.cols.map((a, c) => (kinds[c] !== 'string' && target ? null : !trim || kinds[c] === 'string' || a.length === n ? a : a.slice(0, n)))
  // the function stays registered on the connection until the next read: it must not keep these columns alive
  s.cols = []
  return { n, cols: out }
}`
/** n rows; numeric columns may be longer than n (their capacity) when read untrimmed. */
type Columnar = { n: number; cols: (Float64Array | (string | null)[] | null)[] }

/** Reads one query into columns on this thread, through `db` (see READ_COLUMNAR above). */
export const readColumnar = new Function(`return ${READ_COLUMNAR}`)() as (db: BetterSqlite3.Database, sql: string, parameters: readonly unknown[], kinds: readonly ColumnKind[]) => Columnar

// A reader thread, kept for later reads: for each job it opens its own read-only connection, runs one slice
// of a query and transfers the typed arrays (moved, not copied) to the calling thread, untrimmed: the calling
// thread copies the slices end to end. A job of `rows` instead returns the query's rows as arrays (a few rows of
// heavy work, such as a whole table's statistics, that would otherwise hold the calling thread). Starting a thread and loading the driver cost ~40 ms of CPU (four of
// them 160 ms, measured 2026-11-30), a quarter of what a million-row read of three columns takes, so the
// threads stay.
const SOURCE = `
const { parentPort, workerData: w } = require('node:worker_threads')
const Database = require(w.driver)
${READ_COLUMNAR}
parentPort.on('message', (job) => {
  let r
  try {
    const db = new Database(job.filename, { readonly: true, timeout: 60000 })
    try {
      r = job.rows ? { rows: db.prepare(job.sql).raw(true).all(...job.parameters), cols: [] } : readColumnar(db, job.sql, job.parameters, job.kinds, false, job.target)
    } finally { db.close() }
  } catch (e) {
    // as plain fields: a cloned SqliteError arrives as an Error without its message
    parentPort.postMessage({ error: { message: e instanceof Error ? e.message : String(e), code: e && e.code } })
    return
  }
  parentPort.postMessage(r, r.cols.filter((a) => a !== null && !Array.isArray(a)).map((a) => a.buffer))
})
`

const driver = createRequire(import.meta.url).resolve('better-sqlite3')

/** Reader threads at most: two reads of two slices at once (a feature view reading two groups) each get threads of their own. */
const MAX_READERS = 4

/** What a reader thread answers a job with: a columnar slice, or (a `rows` job) the query's rows. */
type ReaderResult = Columnar | { rows: unknown[][]; cols: [] }

interface Reader {
  readonly worker: Worker
  job: { resolve: (r: ReaderResult) => void; reject: (e: unknown) => void } | null
  dead: boolean
}

const idle: Reader[] = []
const waiting: ((r: Reader) => void)[] = []
let live = 0

function startReader(): Reader {
  const worker = new Worker(SOURCE, { eval: true, workerData: { driver } })
  const r: Reader = { worker, job: null, dead: false }
  live++
  // A thread that fails or exits leaves the pool; its job (if any) rejects, and a read waiting for a thread gets a new one.
  const fail = (e: unknown) => {
    if (r.dead) return
    r.dead = true
    live--
    const i = idle.indexOf(r)
    if (i >= 0) idle.splice(i, 1)
    const job = r.job
    r.job = null
    job?.reject(e)
    if (waiting.length) waiting.shift()!(startReader())
  }
  worker.on('message', (m: ReaderResult | { error: unknown }) => {
    const job = r.job!
    r.job = null
    release(r)
    if ('error' in m) job.reject(readerError(m.error))
    else job.resolve(m)
  })
  worker.once('error', fail)
  worker.once('exit', (code) => fail(new Error(`reader thread exited with ${code}`)))
  worker.unref()
  return r
}

/** The reader thread's failure as an Error with the database's message and code (SQLITE_…). */
function readerError(e: unknown): Error {
  const { message, code } = (e ?? {}) as { message?: unknown; code?: unknown }
  const err = new Error(typeof message === 'string' ? message : String(e))
  if (typeof code === 'string') Object.assign(err, { code })
  return err
}

function release(r: Reader): void {
  const next = waiting.shift()
  if (next) next(r)
  else {
    r.worker.unref()
    idle.push(r)
  }
}

function acquire(): Promise<Reader> {
  const r = idle.pop()
  if (r) return Promise.resolve(r)
  if (live < MAX_READERS) return Promise.resolve(startReader())
  return new Promise((resolve) => waiting.push(resolve))
}

/** Where a reader thread puts a slice's numbers (ColumnFill): arrays of `rows` rows over shared memory. */
interface ReadTarget {
  readonly cols: (Float64Array | null)[]
  readonly rows: number
  readonly back: boolean
}

async function runInThread(filename: string, job: { sql: string; parameters: readonly unknown[]; kinds?: readonly ColumnKind[]; target?: ReadTarget | null; rows?: true }): Promise<ReaderResult> {
  const r = await acquire()
  return new Promise<ReaderResult>((resolve, reject) => {
    r.job = { resolve, reject }
    // held open while it reads; an idle reader never keeps the process alive
    r.worker.ref()
    r.worker.postMessage({ filename, ...job })
  })
}

async function readInThread(filename: string, q: CompiledQuery, kinds: readonly ColumnKind[], target: ReadTarget | null): Promise<Columnar> {
  return (await runInThread(filename, { sql: q.sql, parameters: q.parameters, kinds, target })) as Columnar
}

/** A query's rows as arrays, run in a reader thread with its own read-only connection (one snapshot: one statement). */
export async function queryRowsInWorker(filename: string, q: CompiledQuery): Promise<unknown[][]> {
  return ((await runInThread(filename, { sql: q.sql, parameters: q.parameters, rows: true })) as { rows: unknown[][] }).rows
}

/**
 * Runs each query slice in a reader thread (WAL lets readers run side by side) and concatenates the slices in
 * order; with `fill` (two slices, the second in reverse order) the threads write the numbers into shared
 * arrays of the final size (ColumnFill) and only text is joined here.
 */
export async function readSlicesInWorkers(filename: string, slices: readonly CompiledQuery[], kinds: readonly ColumnKind[], fill?: ColumnFill): Promise<ColumnarResult> {
  if (!fill) return concatenate(await Promise.all(slices.map((q) => readInThread(filename, q, kinds, null))), kinds)
  checkFill(slices, fill)
  const finals = kinds.map((k) => (k === 'string' ? null : new Float64Array(new SharedArrayBuffer(fill.upTo * 8))))
  const parts = await Promise.all(slices.map((q, i) => readInThread(filename, q, kinds, { cols: finals, rows: fill.upTo, back: i === 1 })))
  const [n0, n1] = [parts[0].n, parts[1].n]
  const columns = kinds.map((k, c) => (k === 'string' ? (parts[0].cols[c] as (string | null)[]).concat(parts[1].cols[c] as (string | null)[]) : fillColumn(finals[c]!, n0, n1)))
  return { nRows: n0 + n1, columns }
}

/** Slices' columns end to end (each numeric one cut to its n rows); a single slice of exact length is returned as it is. */
function concatenate(parts: readonly Columnar[], kinds: readonly ColumnKind[]): ColumnarResult {
  const nRows = parts.reduce((a, p) => a + p.n, 0)
  const columns = kinds.map((k, c) => {
    if (k === 'string') return parts.flatMap((p) => p.cols[c] as (string | null)[])
    if (parts.length === 1 && (parts[0].cols[c] as Float64Array).length === nRows) return parts[0].cols[c] as Float64Array
    const out = new Float64Array(nRows)
    let o = 0
    for (const p of parts) {
      out.set((p.cols[c] as Float64Array).subarray(0, p.n), o)
      o += p.n
    }
    return out
  })
  return { nRows, columns }
}
