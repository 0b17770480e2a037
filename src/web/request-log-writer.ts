import { Worker } from 'node:worker_threads'
import type { SqlDialect } from '../db/index.js'
import { FeatureStore, type FeatureGroup, type FeatureGroupOptions, type PruneOptions } from '../featurestore/index.js'
import { moduleWorkerSpec } from '../support/module-worker.js'
import { requestColumns, requestRowObjects, transferList, type RequestRows } from './request-log-batch.js'

/** One batch of logged requests for one feature group, and the retention to apply after writing it. */
export interface RequestLogBatch {
  readonly group: FeatureGroupOptions
  /** Columnar; its buffers are transferred to a writer thread, so the sender must not read them afterwards. */
  readonly rows: RequestRows
  /** Prune the group after this write (done at most every few seconds by the caller). */
  readonly prune?: PruneOptions
}

/** What a writer reports of one batch. */
export interface WriteResult {
  readonly written: number
  readonly pruned: number
  /** The batch's column buffers, free again (`BufferPool.give`). */
  readonly buffers?: readonly ArrayBuffer[]
}

/** Where request-log batches are written: beside the event loop, or on a thread of its own. */
export interface RequestLogWriter {
  /** Resolves once the writer can take a batch at once (its thread started and connected). */
  readonly ready: Promise<void>
  /**
   * Writes one batch as one commit; resolves with the rows written and pruned, and the batch's buffers for
   * reuse; rejects with the store's error.
   */
  write(batch: RequestLogBatch): Promise<WriteResult>
  close(): Promise<void>
}

/**
 * Writes a batch through the feature store, then prunes: the one routine both writers run. The rows get their
 * ids here and go through `FeatureGroup.insertColumns` (or `insert`, for a batch with rows outside the
 * columns), so they are validated against the group's schema like any insert (types, nulls, finite numbers,
 * unique keys) — on the writer thread, off the event loop.
 */
export async function writeBatch(fs: FeatureStore, groups: Map<string, Promise<FeatureGroup>>, batch: RequestLogBatch): Promise<{ written: number; pruned: number }> {
  let fg = groups.get(batch.group.name)
  if (!fg) {
    fg = fs.getOrCreateFeatureGroup(batch.group)
    groups.set(batch.group.name, fg)
    fg.catch(() => groups.delete(batch.group.name))
  }
  const group = await fg
  const columns = requestColumns(batch.rows)
  // columns: no row object per request on the writer either (about a third of its time per row)
  if (columns) await group.insertColumns(columns, batch.rows.length, { source: 'web' })
  else await group.insert(requestRowObjects(batch.rows), { source: 'web' })
  const pruned = batch.prune ? (await group.pruneCommits(batch.prune)).rows : 0
  return { written: batch.rows.length, pruned }
}

/** Writes on the server's own event loop: where no worker thread can be started (row building and validation then share the loop). */
export function inProcessWriter(db: SqlDialect): RequestLogWriter {
  const fs = new FeatureStore(db)
  const groups = new Map<string, Promise<FeatureGroup>>()
  return {
    ready: Promise.resolve(),
    write: async (batch) => ({ ...(await writeBatch(fs, groups, batch)), buffers: transferList(batch.rows) }),
    close: async () => undefined,
  }
}

/**
 * The writer's young generation, capped: its garbage is one batch's row objects (a few MB) that die before the
 * next batch, so V8's default growth of the semi-spaces (to 16 MB each under load) only adds resident memory
 * (measured: +8 MB RSS about 50 s into bench/load). Its old generation keeps the default limit.
 */
const WRITER_LIMITS = { maxYoungGenerationSizeMb: 12 }

/**
 * How far the writer thread's nice value sits above the server's (see request-log-worker.ts): 10, behind the event loop, yet with about a
 * tenth of a core against each busy thread at the server's priority, so a saturated machine slows the log
 * rather than stopping it (a 2,000-row batch takes ~10 ms of CPU).
 */
const WRITER_NICE = 10

/**
 * Writes on a thread of its own with its own connection to the same store. A synchronous driver
 * (better-sqlite3) would otherwise stall every request for as long as a commit takes — measured at
 * ~40 % of the predict API's peak with logging on; with an asynchronous one (pg) building the rows,
 * validating them and encoding the COPY would still take the loop for milliseconds per batch.
 * On SQLite the two connections share the file in WAL mode: the server's reads never wait for the
 * writer's commits, and the WAL checkpoints run in the committing connection, the writer's.
 * Null when worker threads cannot be started here.
 */
export function threadWriter(db: SqlDialect): RequestLogWriter | null {
  const spec = moduleWorkerSpec(import.meta.url, 'request-log-worker')
  if (!spec) return null
  const workerData = { location: db.location, nice: WRITER_NICE }
  const options = { workerData, resourceLimits: WRITER_LIMITS }
  const worker = 'url' in spec ? new Worker(spec.url, options) : new Worker(spec.code, { eval: true, ...options })
  const waiting = new Map<number, { resolve: (r: WriteResult) => void; reject: (e: Error) => void }>()
  let next = 0
  let failed: Error | null = null
  const failAll = (e: Error) => {
    failed = e
    for (const w of waiting.values()) w.reject(e)
    waiting.clear()
  }
  let markReady!: () => void
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  worker.on('message', (m: { id: number; written?: number; pruned?: number; buffers?: ArrayBuffer[]; error?: string } | { ready: true }) => {
    if ('ready' in m) {
      if (waiting.size === 0) worker.unref()
      return markReady()
    }
    const w = waiting.get(m.id)
    if (!w) return
    waiting.delete(m.id)
    if (m.error !== undefined) w.reject(new Error(m.error))
    else w.resolve({ written: m.written ?? 0, pruned: m.pruned ?? 0, buffers: m.buffers })
    if (waiting.size === 0) worker.unref()
  })
  worker.on('error', (e) => failAll(e))
  worker.on('exit', (code) => failAll(new Error(`request log writer thread exited with code ${code}`)))
  worker.once('error', () => markReady())
  worker.once('exit', () => markReady())
  // Idle, the thread must not keep the process alive; while it starts or a batch is in flight it must.
  return {
    ready,
    write(batch) {
      if (failed) return Promise.reject(failed)
      const id = next++
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        worker.ref()
        worker.postMessage({ id, batch }, transferList(batch.rows))
      })
    },
    async close() {
      if (failed) return
      worker.ref()
      await new Promise<void>((resolve) => {
        worker.once('exit', () => resolve())
        worker.postMessage({ close: true })
      })
    },
  }
}
