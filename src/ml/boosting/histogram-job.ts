import { buildHistogram, DATA_ORDER, type HistogramSource } from './histogram.js'

/** Slots of the control array shared by the threads of one fit. */
export const GEN = 0 // bumped by the calling thread for every threaded build (workers wait on it)
export const DONE = 1 // feature chunks finished in the current build
export const STOP = 2 // 1: the fit is over, leave the loop
export const START = 3
export const END = 4
export const PART = 5 // where the samples are: 0 or 1 (node-ordered copies), 2 (data order)
export const TREE = 6 // which gradient array (class) to read
export const READY = 7 // workers inside the loop
export const FAILED = 8 // a worker threw
export const NEXT = 9 // next feature chunk to claim
export const BY_WORKERS = 10 // chunks built by workers in this fit (a statistic)
export const WITH_COUNT = 11 // 1: fill the count slots
export const CONTROL_SLOTS = 12

/** One fit as posted to a histogram worker: every buffer is a SharedArrayBuffer view. */
export interface HistogramJob {
  readonly control: Int32Array
  /** Bin codes in data order, then the grower's two node-ordered copies (parts 0, 1, 2 = data order). */
  readonly codes: Uint8Array
  readonly rows: readonly Uint8Array[]
  /** Gradient pairs of each tree of an iteration in data order, and the two node-ordered copies. */
  readonly gh: readonly Float32Array[]
  readonly ordered: readonly Float32Array[]
  /** Every thread's output: a chunk's feature range is zeroed, then filled, by the thread that claimed it. */
  readonly hist: Float64Array
  readonly p: number
  readonly binOffset: Int32Array
  readonly constHessian: boolean
  /** Feature chunk c is [cut[c], cut[c + 1]). */
  readonly cut: Int32Array
}

/**
 * Claims feature chunks of the current build until none is left, building each into the shared
 * histogram. Parameters are read after a successful claim: the calling thread cannot start another
 * build before every claimed chunk is done, so they belong to the build the chunk is part of.
 * Each feature is summed in sample order by whichever thread claims it, so the histogram has the
 * same bits for any number of threads. Returns the chunks built.
 */
export function claimChunks(job: HistogramJob): number {
  const { control, hist, cut, binOffset } = job
  const nChunks = cut.length - 1
  let built = 0
  for (;;) {
    const c = Atomics.add(control, NEXT, 1)
    if (c >= nChunks) return built
    try {
      const f0 = cut[c]
      const f1 = cut[c + 1]
      hist.fill(0, binOffset[f0] * 3, binOffset[f1] * 3)
      const part = Atomics.load(control, PART)
      const src: HistogramSource = part === DATA_ORDER ? { rows: job.codes, gh: job.gh[Atomics.load(control, TREE)] } : { rows: job.rows[part], gh: job.ordered[part] }
      const withCount = Atomics.load(control, WITH_COUNT) === 1
      buildHistogram(src, job.p, binOffset, Atomics.load(control, START), Atomics.load(control, END), job.constHessian, withCount, hist, f0, f1)
    } catch (err) {
      Atomics.store(control, FAILED, 1)
      throw err
    } finally {
      Atomics.add(control, DONE, 1)
      Atomics.notify(control, DONE)
    }
    built++
  }
}

/** A worker's side of one fit: wake on every build, claim chunks, until STOP. */
export function runHistogramJob(job: HistogramJob): void {
  const { control } = job
  let gen = Atomics.load(control, GEN)
  Atomics.add(control, READY, 1)
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) return
    Atomics.wait(control, GEN, gen)
    gen = Atomics.load(control, GEN)
    if (Atomics.load(control, STOP) !== 0) return
    Atomics.add(control, BY_WORKERS, claimChunks(job))
  }
}
