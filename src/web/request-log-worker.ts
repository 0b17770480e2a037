// The request-log writer thread: its own connection to the store, one batch at a time, in arrival order.
import { getPriority, setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase, type StoreLocation } from '../db/index.js'
import { FeatureStore, type FeatureGroup } from '../featurestore/index.js'
import { transferList } from './request-log-batch.js'
import { writeBatch, type RequestLogBatch } from './request-log-writer.js'

// `nice`: how far below the server's own priority this thread runs
const { location, nice } = workerData as { location: StoreLocation; nice: number }
// Behind the requests it logs: Linux's scheduler then lets the event loop (and a load generator on the same
// cores) run first whenever both are ready, rather than granting this thread, which sleeps between batches,
// a few ms of catching up that delays answers. setpriority on Linux sets this thread alone; where it fails
// (not permitted, another system), the thread runs at the server's priority.
try {
  setPriority(Math.min(19, getPriority() + nice))
} catch {
  // left at the server's priority
}
// The server already migrated the store; this connection only writes. It appends to time-ordered keys, so
// it touches the last pages of each table and index: 2 MB of page cache (SQLite's own default) is plenty,
// where better-sqlite3's 16 MB default filled up over the first minute of load as resident memory
// (measured: the writer thread's malloc arena +13–16 MB over a 60 s bench/load run).
const db = await openDatabase({ ...location, migrate: false, cacheKiB: 2_000 })
const fs = new FeatureStore(db)
const groups = new Map<string, Promise<FeatureGroup>>()
let chain = Promise.resolve()
parentPort!.postMessage({ ready: true })

parentPort!.on('message', (m: { id: number; batch: RequestLogBatch } | { close: true }) => {
  chain = chain.then(async () => {
    if ('close' in m) {
      await db.close()
      process.exit(0)
    }
    try {
      const r = await writeBatch(fs, groups, m.batch)
      // The column buffers go back to the server for its next batches rather than to this thread's GC.
      const buffers = transferList(m.batch.rows)
      parentPort!.postMessage({ id: m.id, ...r, buffers }, buffers)
    } catch (e) {
      parentPort!.postMessage({ id: m.id, error: (e as Error).message })
    }
  })
})
