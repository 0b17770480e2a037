import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'

/** A started forest worker and the port its trees come back on (read synchronously). */
export interface PooledWorker {
  readonly worker: Worker
  readonly results: MessagePort
  readonly ready: Promise<void>
}

const pool: PooledWorker[] = []
let spec: { url: URL } | { code: string } | null | undefined

/**
 * How to start the worker: the compiled forest-worker.js beside this file (dist), else the .ts
 * source through tsx's loader (vitest, tsx), else null (train in-thread).
 */
function workerSpec(): { url: URL } | { code: string } | null {
  if (spec !== undefined) return spec
  spec = workerSource(new URL('./forest-worker.js', import.meta.url), new URL('./forest-worker.ts', import.meta.url))
  return spec
}

/**
 * How to start a worker whose entry is `js` once compiled (dist) or `ts` in the sources (run through
 * tsx's loader under vitest or tsx); null when neither can be loaded here.
 */
export function workerSource(js: URL, ts: URL): { url: URL } | { code: string } | null {
  try {
    if (js.protocol === 'file:' && existsSync(fileURLToPath(js))) return { url: js }
    if (ts.protocol === 'file:' && existsSync(fileURLToPath(ts))) {
      const tsxDir = fileURLToPath(new URL('.', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))))
      const api = pathToFileURL(tsxDir + 'dist/esm/api/index.mjs').href
      if (existsSync(fileURLToPath(api))) {
        return { code: `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(ts.href)}, ${JSON.stringify(ts.href)}))` }
      }
    }
  } catch {
    // no loader: in-thread
  }
  return null
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
