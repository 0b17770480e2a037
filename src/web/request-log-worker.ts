// The request-log writer thread: its own connection to the store, one batch at a time, in arrival order.
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase, type StoreLocation } from '../db/index.js'
import { FeatureStore, type FeatureGroup } from '../featurestore/index.js'
import { transferList } from './request-log-batch.js'
import { writeBatch, type RequestLogBatch } from './request-log-writer.js'

const { location } = workerData as { location: StoreLocation }
// The server already migrated the store; this connection only writes.
const db = await openDatabase({ ...location, migrate: false })
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
