import { buildHistogram, DATA_ORDER, type HistogramSource } from './histogram.js'
import { SampleMover, type SampleBuffers } from './partition.js'

/** Slots of the control array shared by the threads of one fit. */
export const GEN = 0 // bumped by the calling thread for every threaded task (workers wait on it)
export const DONE = 1 // chunks finished in the current task
export const STOP = 2 // 1: the fit is over, leave the loop
export const START = 3
export const END = 4
export const PART = 5 // where the samples are: 0 or 1 (node-ordered copies), 2 (data order); a move's source
export const TREE = 6 // which gradient array (class) to read
export const READY = 7 // workers inside the loop
export const FAILED = 8 // a worker threw (1), or a move sent a different number of samples left than counted (2)
export const NEXT = 9 // next chunk to claim
export const BY_WORKERS = 10 // chunks done by workers in this fit (a statistic)
export const WITH_COUNT = 11 // 1: fill the count slots
export const TASK = 12 // HISTOGRAM or MOVE
export const TO = 13 // a move's destination part
export const FEATURE = 14 // a move's split feature
export const CONTROL_SLOTS = 15

export const HISTOGRAM = 0
export const MOVE = 1

/** One fit as posted to a histogram worker: every buffer is a SharedArrayBuffer view. */
export interface HistogramJob {
  readonly control: Int32Array
  readonly buffers: SampleBuffers
  /** Gradient pairs of each tree of an iteration in data order. */
  readonly gh: readonly Float32Array[]
  /** Every thread's output: a chunk's feature range is zeroed, then filled, by the thread that claimed it. */
  readonly hist: Float64Array
  readonly p: number
  readonly binOffset: Int32Array
  readonly constHessian: boolean
  /** Feature chunk c is [cut[c], cut[c + 1]); a task of either kind has cut.length − 1 chunks. */
  readonly cut: Int32Array
  /** The current move's chunks: chunk c is samples moves[3c] .. moves[3c + 3], moved to moves[3c + 1] (left) and moves[3c + 2] (right); its left ones end at moves[3c + 4]. */
  readonly moves: Int32Array
  /** The current move's table: 1 where a code of the split feature goes left. */
  readonly goesLeft: Uint8Array
}

/** Per job (a worker keeps one): the mover over its buffers. */
const movers = new WeakMap<HistogramJob, SampleMover>()

/**
 * Claims chunks of the current task until none is left: feature ranges of a histogram build
 * (each zeroed and built into the shared histogram), or sample ranges of a move (each written
 * where the calling thread placed it). Both kinds have the same number of chunks, and every
 * parameter, the kind included, is read after a successful claim: the calling thread cannot start
 * another task before every claimed chunk is done, so they belong to the task the chunk is part
 * of (a late claim on a finished task's counter gets a number past the last chunk). Each feature is summed in sample order by whichever thread claims it, and
 * a move is an exact copy, so the result has the same bits for any number of threads. Returns the
 * chunks done.
 */
export function claimChunks(job: HistogramJob): number {
  const { control } = job
  const nChunks = job.cut.length - 1
  let done = 0
  for (;;) {
    const c = Atomics.add(control, NEXT, 1)
    if (c >= nChunks) return done
    try {
      if (Atomics.load(control, TASK) === MOVE) moveChunk(job, c)
      else buildChunk(job, c)
    } catch (err) {
      Atomics.store(control, FAILED, 1)
      throw err
    } finally {
      Atomics.add(control, DONE, 1)
      Atomics.notify(control, DONE)
    }
    done++
  }
}

function buildChunk(job: HistogramJob, c: number): void {
  const { control, hist, cut, binOffset, buffers } = job
  const f0 = cut[c]
  const f1 = cut[c + 1]
  hist.fill(0, binOffset[f0] * 3, binOffset[f1] * 3)
  const part = Atomics.load(control, PART)
  const src: HistogramSource = part === DATA_ORDER ? { rows: buffers.codes, gh: job.gh[Atomics.load(control, TREE)] } : { rows: buffers.rows[part], gh: buffers.ordered[part] }
  const withCount = Atomics.load(control, WITH_COUNT) === 1
  buildHistogram(src, job.p, binOffset, Atomics.load(control, START), Atomics.load(control, END), job.constHessian, withCount, hist, f0, f1)
}

function moveChunk(job: HistogramJob, c: number): void {
  const { control, moves } = job
  let mover = movers.get(job)
  if (mover === undefined) movers.set(job, (mover = new SampleMover(job.buffers, job.p, job.gh)))
  const l = mover.move(Atomics.load(control, PART), Atomics.load(control, TO), Atomics.load(control, TREE), Atomics.load(control, FEATURE), job.goesLeft, moves[3 * c], moves[3 * c + 3], moves[3 * c + 1], moves[3 * c + 2])
  // a chunk's left samples must end where the next chunk's start (the last chunk's, at the split's left end)
  if (l !== moves[3 * c + 4]) Atomics.store(control, FAILED, 2)
}

/** A worker's side of one fit: wake on every task, claim chunks, until STOP. */
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
