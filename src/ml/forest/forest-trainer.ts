import { receiveMessageOnPort } from 'node:worker_threads'
import type { BinnedData } from '../tree/binning.js'
import type { FlatTree } from '../tree/flat-tree.js'
import type { TreeBuildParams } from '../tree/tree-builder.js'
import { DONE, FAILED, runForestJob, type ForestJob } from './forest-job.js'
import { getWorkers } from './worker-pool.js'

/**
 * Below this much work (training rows × trees × features tried per split) a fit trains in-thread:
 * starting a job on workers, waking them and shipping trees back costs a few ms, more than two
 * threads save on fits of ~20–50 ms (titanic RF100 is ~140k and iris ~24k; synthetic 1k×10 is 300k).
 */
export const MIN_THREADED_WORK = 300_000

/**
 * Threads a forest fit uses: `maxThreads` (resolved nJobs) capped by the number of trees, and 1 for
 * small fits (see MIN_THREADED_WORK). Only speed depends on it: each tree depends on its seed alone.
 */
export function fitThreads(maxThreads: number, nRows: number, nTrees: number, featuresPerSplit: number): number {
  if (nRows * nTrees * featuresPerSplit < MIN_THREADED_WORK) return 1
  return Math.max(1, Math.min(maxThreads, nTrees))
}

export interface TrainedTrees {
  readonly trees: FlatTree[]
  /** Trees built by worker threads (the rest by the calling thread). */
  readonly builtByWorkers: number
}

/**
 * Builds one tree per seed. With threads > 1, pooled workers and the calling thread claim trees
 * from one shared counter; the call stays synchronous (Atomics.wait + receiveMessageOnPort) so
 * fit() can return `this`. Each tree depends only on its seed, so the result never depends on
 * which thread built it.
 */
export function trainTrees(binned: BinnedData, y: Int32Array | Float64Array, params: TreeBuildParams, seeds: Uint32Array, threads: number): TrainedTrees {
  const trees = new Array<FlatTree>(seeds.length)
  const workers = threads > 1 ? getWorkers(threads - 1) : []
  const control = new Int32Array(new SharedArrayBuffer(16))
  let sharedY = y
  if (workers.length > 0 && !(y.buffer instanceof SharedArrayBuffer)) {
    sharedY = y instanceof Float64Array ? new Float64Array(new SharedArrayBuffer(y.length * 8)) : new Int32Array(new SharedArrayBuffer(y.length * 4))
    sharedY.set(y)
  }
  const job: ForestJob = { binned, y: sharedY, params, seeds, control }
  for (const w of workers) w.worker.postMessage(job)

  runForestJob(job, (index, tree) => {
    trees[index] = tree
  })

  let builtByWorkers = 0
  const drain = (): void => {
    for (const w of workers) {
      const port = w.results! // the forest pool is made with a results port
      for (let msg = receiveMessageOnPort(port); msg !== undefined; msg = receiveMessageOnPort(port)) {
        const m = msg.message as { index: number; tree: FlatTree } | { error: string }
        if ('error' in m) throw new Error(`forest worker failed: ${m.error}`)
        trees[m.index] = m.tree
        builtByWorkers++
      }
    }
  }
  for (;;) {
    const done = Atomics.load(control, DONE)
    if (Atomics.load(control, FAILED) !== 0) drain()
    if (done >= seeds.length) break
    Atomics.wait(control, DONE, done, 1000)
  }
  drain()
  return { trees, builtByWorkers }
}
