import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { CompiledQuery } from 'kysely'
import type { ColumnKind, ColumnarResult } from '../dialect.js'

// A reader thread: its own read-only connection runs one slice of a query and fills typed arrays.
// It is plain JavaScript evaluated in the worker, so it runs the same from compiled dist/ and from TS sources.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.filename, { readonly: true, timeout: 60000 })
const kinds = workerData.kinds
const shared = workerData.shared
let cap = shared ? workerData.size : 1024, n = 0
let cols = kinds.map((k, c) => (k === 'string' ? [] : shared ? new Float64Array(shared[c], workerData.offset * 8, cap) : new Float64Array(cap)))
for (const row of db.prepare(workerData.sql).raw(true).iterate(...workerData.parameters)) {
  if (n === cap) {
    if (shared) throw new Error('a slice returned more rows than its size ' + cap)
    cap *= 2
    cols = cols.map((a) => { if (Array.isArray(a)) return a; const b = new Float64Array(cap); b.set(a); return b })
  }
  for (let c = 0; c < kinds.length; c++) {
    const v = row[c]
    if (kinds[c] === 'string') cols[c][n] = v
    else cols[c][n] = v === null ? NaN : Number(v)
  }
  n++
}
db.close()
if (shared && n !== cap) throw new Error('a slice returned ' + n + ' rows, not its size ' + cap)
if (shared) cols = cols.map((a) => (Array.isArray(a) ? a : null))
else cols = cols.map((a) => (Array.isArray(a) ? a : a.slice(0, n)))
parentPort.postMessage({ n, cols }, cols.filter((a) => a && !Array.isArray(a)).map((a) => a.buffer))
`

const driver = createRequire(import.meta.url).resolve('better-sqlite3')

/**
 * Runs each query slice in its own thread and concatenates the slices in order. With the slices' sizes
 * known, each numeric column is one SharedArrayBuffer of the final size that the threads fill in place
 * (peak memory ≈ the result, instead of per-thread arrays plus their concatenation).
 */
export async function readSlicesInWorkers(filename: string, slices: readonly CompiledQuery[], kinds: readonly ColumnKind[], sizes?: readonly number[]): Promise<ColumnarResult> {
  const total = sizes?.reduce((a, b) => a + b, 0) ?? 0
  const shared = sizes ? kinds.map((k) => (k === 'string' ? null : new SharedArrayBuffer(total * 8))) : null
  const offsets = sizes?.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0))
  const parts = await Promise.all(
    slices.map(
      (q, i) =>
        new Promise<{ n: number; cols: (Float64Array | (string | null)[] | null)[] }>((resolve, reject) => {
          const placement = shared ? { shared, offset: offsets![i], size: sizes![i] } : {}
          const w = new Worker(SOURCE, { eval: true, workerData: { driver, filename, sql: q.sql, parameters: q.parameters, kinds, ...placement } })
          w.once('message', resolve)
          w.once('error', reject)
          w.once('exit', (code) => code !== 0 && reject(new Error(`reader thread exited with ${code}`)))
        }),
    ),
  )
  const nRows = parts.reduce((a, p) => a + p.n, 0)
  const columns = kinds.map((k, c) => {
    if (k === 'string') return parts.flatMap((p) => p.cols[c] as (string | null)[])
    if (shared) return new Float64Array(shared[c]!)
    const out = new Float64Array(nRows)
    let o = 0
    for (const p of parts) {
      out.set(p.cols[c] as Float64Array, o)
      o += p.n
    }
    return out
  })
  return { nRows, columns }
}
