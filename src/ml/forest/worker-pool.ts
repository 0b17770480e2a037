import { availableParallelism } from 'node:os'
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import { moduleWorkerSpec, type ModuleWorkerSpec } from '../../support/module-worker.js'

/** A started forest worker and the port its trees come back on (read synchronously). */
export interface PooledWorker {
  readonly worker: Worker
  readonly results: MessagePort
  readonly ready: Promise<void>
}

const pool: PooledWorker[] = []
let spec: ModuleWorkerSpec | null | undefined

/** The compiled forest-worker.js beside this file (dist), else its .ts source through tsx (vitest), else null (train in-thread). */
function workerSpec(): ModuleWorkerSpec | null {
  if (spec === undefined) spec = moduleWorkerSpec(import.meta.url, 'forest-worker')
  return spec
}

/** Whether worker threads can be used here at all. */
export function workersAvailable(): boolean {
  return workerSpec() !== null
}

/** nJobs → number of threads (main included): -1 means every core, like sklearn's n_jobs=-1. */
export function resolveThreads(nJobs: number | null): number {
  const cores = availableParallelism()
  if (nJobs === null || nJobs === 0) return 1
  if (nJobs < 0) return Math.max(1, cores + 1 + nJobs)
  return nJobs
}

/**
 * At least `count` pooled workers, started on first use and kept (unref'd, so they never hold the
 * process open) for later fits. Returns [] when workers cannot be loaded.
 */
export function getWorkers(count: number): PooledWorker[] {
  const s = workerSpec()
  if (s === null) return []
  while (pool.length < count) {
    const { port1, port2 } = new MessageChannel()
    const worker =
      'url' in s
        ? new Worker(s.url, { workerData: { port: port2 }, transferList: [port2] })
        : new Worker(s.code, { eval: true, workerData: { port: port2 }, transferList: [port2] })
    const entry: PooledWorker = {
      worker,
      results: port1,
      ready: new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve())
        worker.once('error', reject)
      }),
    }
    entry.ready.catch(() => undefined)
    worker.on('error', () => {
      // a broken worker leaves the pool; trees it never claimed are built by the other threads
      const i = pool.indexOf(entry)
      if (i >= 0) pool.splice(i, 1)
    })
    worker.unref()
    port1.unref()
    pool.push(entry)
  }
  return pool.slice(0, count)
}

/** Starts the workers a fit with `nJobs` would use and waits until they are loaded (e.g. at server start). */
export async function warmUpForestWorkers(nJobs = -1): Promise<number> {
  const ws = getWorkers(resolveThreads(nJobs) - 1)
  // keep the process alive while they load; pooled workers are otherwise unref'd
  for (const w of ws) w.worker.ref()
  try {
    await Promise.all(ws.map((w) => w.ready))
  } finally {
    for (const w of ws) w.worker.unref()
  }
  return ws.length
}

/** Stops the pooled workers (tests, graceful shutdown). */
export async function terminateForestWorkers(): Promise<void> {
  const ws = pool.splice(0, pool.length)
  await Promise.all(ws.map((w) => w.worker.terminate()))
}
