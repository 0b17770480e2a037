import type { BinnedData } from '../tree/binning.js'
import { buildRegressionTree } from '../tree/regression-tree-builder.js'
import { buildTree, type TreeBuildParams } from '../tree/tree-builder.js'
import type { FlatTree } from '../tree/flat-tree.js'

/** Slots of the shared control array every thread of one fit works on. */
export const NEXT = 0 // next tree index to claim
export const DONE = 1 // trees finished
export const FAILED = 2 // set to 1 when a worker threw

/** One forest fit as posted to workers: data in SharedArrayBuffers, per-tree seeds fixed up front. */
export interface ForestJob {
  readonly binned: BinnedData
  /** Class index per sample (classification) or the target (regression, criterion 'squared_error'). */
  readonly y: Int32Array | Float64Array
  readonly params: TreeBuildParams
  readonly seeds: Uint32Array
  readonly control: Int32Array
}

/**
 * Claims trees from the shared counter until none are left, handing each finished tree to `emit`
 * before counting it done (so whoever waits on DONE can already read it). Returns how many it built.
 */
export function runForestJob(job: ForestJob, emit: (index: number, tree: FlatTree) => void): number {
  const { control, seeds } = job
  let built = 0
  for (;;) {
    const t = Atomics.add(control, NEXT, 1)
    if (t >= seeds.length) return built
    const build = job.params.criterion === 'squared_error' ? buildRegressionTree : buildTree
    emit(t, build(job.binned, job.y, job.params, seeds[t]))
    built++
    Atomics.add(control, DONE, 1)
    Atomics.notify(control, DONE)
  }
}
