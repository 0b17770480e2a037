import { buildHistogram } from './histogram.js'

/** Slots of the control array shared by the threads of one fit. */
export const GEN = 0 // bumped by the calling thread for every threaded build (workers wait on it)
export const DONE = 1 // workers finished with the current build
export const STOP = 2 // 1: the fit is over, leave the loop
export const START = 3
export const END = 4
export const USE_IDX = 5 // 1: samples are idx[START..END), 0: START..END
export const TREE = 6 // which gradient array (class) to read
export const READY = 7 // workers inside the loop
export const FAILED = 8 // a worker threw
export const CONTROL_SLOTS = 9

/** One fit as posted to a histogram worker: every buffer is a SharedArrayBuffer view. */
export interface HistogramJob {
  readonly control: Int32Array
  readonly slots: Uint16Array | Uint32Array
  readonly idx: Uint32Array
  readonly gh: readonly Float32Array[]
  /** The workers' output: each fills its feature range (zeroing it first). */
  readonly hist: Float64Array
  readonly p: number
  readonly binOffset: Int32Array
  readonly constHessian: boolean
  /** This worker's features. */
  readonly f0: number
  readonly f1: number
}

/**
 * A worker's side of one fit: wait for a build, add the samples to this worker's feature range of
 * the shared histogram, count it done, until STOP. Each feature is summed in sample order, as the
 * in-thread build does, so the histogram has the same bits for any number of threads.
 */
export function runHistogramJob(job: HistogramJob): void {
  const { control, hist } = job
  let gen = Atomics.load(control, GEN)
  Atomics.add(control, READY, 1)
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) return
    Atomics.wait(control, GEN, gen)
    const now = Atomics.load(control, GEN)
    if (now === gen) continue
    gen = now
    if (Atomics.load(control, STOP) !== 0) return
    try {
      hist.fill(0, job.binOffset[job.f0] * 3, job.binOffset[job.f1] * 3)
      const idx = Atomics.load(control, USE_IDX) === 1 ? job.idx : null
      buildHistogram(job.slots, job.p, idx, Atomics.load(control, START), Atomics.load(control, END), job.gh[Atomics.load(control, TREE)], job.constHessian, hist, job.f0, job.f1)
    } catch (err) {
      Atomics.store(control, FAILED, 1)
      throw err
    } finally {
      Atomics.add(control, DONE, 1)
      Atomics.notify(control, DONE)
    }
  }
}
