import { availableParallelism } from 'node:os'
import { WorkerPool, type PooledWorker } from '../../support/worker-pool.js'

export type { PooledWorker }

/** The forest's threads: forest-worker.js beside this file (dist) or its .ts source (vitest); trees come back on a port read synchronously. */
const pool = new WorkerPool(import.meta.url, 'forest-worker', { resultsPort: true })

/** Whether worker threads can be used here at all. */
export function workersAvailable(): boolean {
  return pool.available()
}

/** nJobs → number of threads (main included): -1 means every core, like sklearn's n_jobs=-1. */
export function resolveThreads(nJobs: number | null): number {
  const cores = availableParallelism()
  if (nJobs === null || nJobs === 0) return 1
  if (nJobs < 0) return Math.max(1, cores + 1 + nJobs)
  return nJobs
}

/** At least `count` pooled forest workers, started on first use and kept for later fits; [] when workers cannot be loaded. */
export function getWorkers(count: number): PooledWorker[] {
  return pool.get(count)
}

/** Starts the workers a fit with `nJobs` would use and waits until they are loaded (e.g. at server start). */
export function warmUpForestWorkers(nJobs = -1): Promise<number> {
  return pool.warmUp(resolveThreads(nJobs) - 1)
}

/** Stops the pooled workers (tests, graceful shutdown). */
export function terminateForestWorkers(): Promise<void> {
  return pool.terminate()
}
