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
let cap = 1024, n = 0
let cols = kinds.map((k) => (k === 'string' ? [] : new Float64Array(cap)))
for (const row of db.prepare(workerData.sql).raw(true).iterate(...workerData.parameters)) {
  if (n === cap) {
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
cols = cols.map((a) => (Array.isArray(a) ? a : a.slice(0, n)))
parentPort.postMessage({ n, cols }, cols.filter((a) => !Array.isArray(a)).map((a) => a.buffer))
`

const driver = createRequire(import.meta.url).resolve('better-sqlite3')

/** Runs each query slice in its own thread and concatenates the slices in order. */
export async function readSlicesInWorkers(filename: string, slices: readonly CompiledQuery[], kinds: readonly ColumnKind[]): Promise<ColumnarResult> {
  const parts = await Promise.all(
    slices.map(
      (q) =>
        new Promise<{ n: number; cols: (Float64Array | (string | null)[])[] }>((resolve, reject) => {
          const w = new Worker(SOURCE, { eval: true, workerData: { driver, filename, sql: q.sql, parameters: q.parameters, kinds } })
          w.once('message', resolve)
          w.once('error', reject)
          w.once('exit', (code) => code !== 0 && reject(new Error(`reader thread exited with ${code}`)))
        }),
    ),
  )
  const nRows = parts.reduce((a, p) => a + p.n, 0)
  const columns = kinds.map((k, c) => {
    if (k === 'string') return parts.flatMap((p) => p.cols[c] as (string | null)[])
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
