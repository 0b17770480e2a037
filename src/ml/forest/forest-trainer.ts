import { receiveMessageOnPort } from 'node:worker_threads'
import type { BinnedData } from '../tree/binning.js'
import type { FlatTree } from '../tree/flat-tree.js'
import type { TreeBuildParams } from '../tree/tree-builder.js'
import { DONE, FAILED, runForestJob, type ForestJob } from './forest-job.js'
import { getWorkers } from './worker-pool.js'

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
export function trainTrees(binned: BinnedData, y: Int32Array, params: TreeBuildParams, seeds: Uint32Array, threads: number): TrainedTrees {
  const trees = new Array<FlatTree>(seeds.length)
  const workers = threads > 1 ? getWorkers(threads - 1) : []
  const control = new Int32Array(new SharedArrayBuffer(16))
  let sharedY = y
  if (workers.length > 0 && !(y.buffer instanceof SharedArrayBuffer)) {
    sharedY = new Int32Array(new SharedArrayBuffer(y.length * 4))
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
      for (let msg = receiveMessageOnPort(w.results); msg !== undefined; msg = receiveMessageOnPort(w.results)) {
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
