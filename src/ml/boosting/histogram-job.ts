import { buildHistogram } from './histogram.js'
import { instantiateKernels, type KernelExports } from './kernels.js'
import type { WasmModule } from './wasm-module.js'
import { lossByName, type BoostingLoss } from './losses.js'
import { addLeafValues, SampleMover, scatterLeaves, type SampleBuffers } from './partition.js'
import { scanFeatures, SplitInfo, SPLIT_SLOTS, writeSplit, type SplitConstraints } from './splitter.js'

/** Slots of the control array shared by the threads of one fit. */
export const GEN = 0 // bumped by the calling thread for every threaded task (workers wait on it)
export const DONE = 1 // chunks finished in the current task
export const STOP = 2 // 1: the fit is over, leave the loop
export const START = 3
export const END = 4
export const PART = 5 // where the samples are: 0 or 1 (node-ordered copies), 2 (data order); a move's source
export const TREE = 6 // which gradient array (class) to read
export const READY = 7 // workers inside the loop (each numbers itself by it)
export const FAILED = 8 // a worker threw (1), or a move sent a different number of samples left than counted (2)
export const NEXT = 9 // next chunk to claim
export const BY_WORKERS = 10 // chunks done by workers in this fit (a statistic)
export const WITH_COUNT = 11 // 1: fill the count slots
export const TASK = 12 // HISTOGRAM, MOVE, NODE or a per-sample task
export const TO = 13 // a move's destination part
export const FEATURE = 14 // a move's split feature
export const HIST = 15 // a build's target: byte address of the histogram in the fit's memory
export const PARENT = 16 // a NODE task's parent histogram (byte address)
export const SIBLING = 17 // a NODE task's larger child: parent − HIST (byte address)
export const FLAGS = 18 // a NODE task's steps: BUILD_CHILDREN, SCAN_SMALL, SCAN_LARGE
export const MOVED = 19 // a two-phase task's (SPLIT, ADD_TREE) first-phase chunks finished
/**
 * First of one slot per chunk: 0 while the chunk's second phase (of a two-phase task) is unclaimed,
 * 1 once a thread claimed it (set for every chunk of a one-phase task).
 */
export const PHASE2 = 20

/** Slots of a fit's control array with `chunks` chunks per task. */
export function controlSlots(chunks: number): number {
  return PHASE2 + chunks
}

export const HISTOGRAM = 0
export const MOVE = 1
/** Per-sample work, chunked by sample range: gradients, the leaf scatter of a tree, its raw update. */
export const GRADIENTS = 2
export const LEAVES = 3 // START: the tree's number of leaves
export const RAW = 4 // TREE: the raw column
/** RAW, then the gradients of the same samples at the raw predictions just updated (one tree per iteration: the next iteration's). */
export const RAW_GRADIENTS = 6
/**
 * A node's work by feature chunk: with BUILD_CHILDREN, build the smaller child into HIST (START..END
 * of PART, counts included) and SIBLING = PARENT − HIST; then scan the split candidates of HIST
 * (SCAN_SMALL) and of SIBLING (SCAN_LARGE), each chunk's best split written to job.splits.
 */
export const NODE = 5
/**
 * A MOVE (samples of PART into TO, as placed in job.moves) and then a NODE task of the moved
 * samples (the smaller child at START..END of TO, HIST, PARENT, SIBLING, FLAGS), in one task: a
 * thread claims chunks and moves them, and once every chunk is moved (MOVED, counted by all
 * threads) builds and scans the feature chunks of the same numbers; one wake-up per split instead
 * of two.
 */
export const SPLIT = 7
/**
 * LEAVES and then RAW (FLAGS 0) or RAW_GRADIENTS (FLAGS 1) in one task, the same two phases as
 * SPLIT: every leaf number is written before any is read.
 */
export const ADD_TREE = 8
export const BUILD_CHILDREN = 1
export const SCAN_SMALL = 2
export const SCAN_LARGE = 4

/** Where a NODE task's inputs and results are in job.splits: the two nodes' (g, h, n) first, then per chunk c and node s (0 small, 1 large) a split at splitAt(c, s). */
export const NODE_SUMS = 6
export function splitAt(c: number, s: number): number {
  return NODE_SUMS + (2 * c + s) * SPLIT_SLOTS
}

/** One fit as posted to a histogram worker: the buffers live in the fit's shared memory. */
export interface HistogramJob {
  readonly control: Int32Array
  /** Samples, gradients, the split's goes-left table and histograms (a build's target is at control[HIST]). */
  readonly buffers: SampleBuffers
  /** The fit's kernels: hist_{c + 1}_* builds feature chunk c (hist_0_* is all features, for the calling thread alone). */
  readonly module: WasmModule
  readonly p: number
  /** Training samples (per-sample tasks split 0..n into the chunks). */
  readonly n: number
  /** The fit's loss, rebuilt by lossByName in each thread. */
  readonly loss: { readonly name: BoostingLoss['name']; readonly k: number }
  readonly binOffset: Int32Array
  /** Feature chunk c is [cut[c], cut[c + 1]); every task has cut.length − 1 chunks. */
  readonly cut: Int32Array
  /** The bins (with binOffset) and the split rules, for split scans. */
  readonly nBins: Int32Array
  readonly hasMissing: Uint8Array
  readonly constraints: SplitConstraints
  /** Shared: a NODE task's node sums and each chunk's best splits (NODE_SUMS, splitAt). */
  readonly splits: Float64Array
  /**
   * The current move's n chunks: chunk c is samples moves[3c] .. moves[3c + 3], moved to
   * moves[3c + 1] (left) and moves[3c + 2] (right) on, its left ones ending at moves[3c + 4]; the
   * last chunk moves backward, moves[3c + 1] and moves[3c + 2] being where its left and right ones
   * end. Results: moves[3n + 1] where the last chunk's left samples begin, moves[3n + 2] where the
   * last forward chunk's end (the calling thread checks they meet).
   */
  readonly moves: Int32Array
}

interface JobInstance {
  readonly kernels: KernelExports
  readonly mover: SampleMover
  readonly loss: BoostingLoss
  /** A chunk's best split before it is written to job.splits. */
  readonly split: SplitInfo
}

/** Per job (a thread keeps one): its instance of the kernels, the mover over them, the loss. */
const instances = new WeakMap<HistogramJob, JobInstance>()

function instanceFor(job: HistogramJob): JobInstance {
  let it = instances.get(job)
  if (it === undefined) {
    const kernels = instantiateKernels(job.module, job.buffers.memory)
    instances.set(job, (it = { kernels, mover: new SampleMover(job.buffers, kernels), loss: lossByName(job.loss.name, job.loss.k), split: new SplitInfo() }))
  }
  return it
}

/** Chunk c of a per-sample task: samples sampleChunk(n, c, chunks) .. sampleChunk(n, c + 1, chunks). */
export function sampleChunk(n: number, c: number, chunks: number): number {
  return Math.round((c * n) / chunks)
}

/**
 * Claims chunks of the current task until none is left: feature ranges of a histogram build
 * (each zeroed and built into the shared histogram) or of a node's children (built, subtracted,
 * scanned), sample ranges of a move (each written where the calling thread placed it) or of
 * per-sample work, or both phases of a two-phase task (SPLIT, ADD_TREE: first-phase chunks claimed
 * from NEXT, then, once every chunk's first phase is done, second-phase chunks claimed through
 * their PHASE2 slots: a worker that wakes after the calling thread took every first-phase chunk
 * still takes its share of the second phase). Thread `self` (0: the calling thread, workers 1, 2, …)
 * tries second-phase chunk `self` first and then the others: the calling thread claims first-phase
 * chunk 0 at once and a worker usually chunk 1, so each thread keeps the same feature range (the
 * histogram bins it built, subtracts and scans, still in its own cache) and sample range (the leaf
 * numbers it just wrote) from task to task, instead of whichever finished its first phase first
 * taking chunk 0 (every other split, measured: each line of those bins then came from the other
 * core, ~450 ns away on some VMs). Every kind has the same number of chunks, and every parameter,
 * the kind included, is read after a successful claim: the calling thread cannot start another
 * task before every claimed chunk is done, so they belong to the task the chunk is part of (a late
 * claim on a finished task's counter gets a number past the last chunk, its PHASE2 slots are 1 for
 * a one-phase task). Each feature is summed in sample order and scanned by whichever thread claims
 * it, and a move is an exact copy, so the result has the same bits for any number of threads and
 * any thread taking any chunk. Returns the chunks done (one-phase chunks and second phases).
 */
export function claimChunks(job: HistogramJob, self: number): number {
  const { control } = job
  const nChunks = job.cut.length - 1
  let done = 0
  let failure: unknown = null
  for (;;) {
    const c = Atomics.add(control, NEXT, 1)
    if (c >= nChunks) break
    const task = Atomics.load(control, TASK)
    if (task === SPLIT || task === ADD_TREE) {
      try {
        if (task === SPLIT) moveChunk(job, c)
        else sampleTask(job, LEAVES, c)
      } catch (err) {
        Atomics.store(control, FAILED, 1)
        failure ??= err
      } finally {
        Atomics.add(control, MOVED, 1)
        Atomics.notify(control, MOVED)
      }
      continue
    }
    try {
      if (task === HISTOGRAM) buildChunk(job, c)
      else if (task === NODE) nodeChunk(job, c, Atomics.load(control, PART))
      else if (task === MOVE) moveChunk(job, c)
      else sampleTask(job, task, c)
    } catch (err) {
      Atomics.store(control, FAILED, 1)
      throw err
    } finally {
      Atomics.add(control, DONE, 1)
      Atomics.notify(control, DONE)
    }
    done++
  }
  for (let i = 0; i < nChunks; i++) {
    const c = (self + i) % nChunks
    if (Atomics.exchange(control, PHASE2 + c, 1) !== 0) continue
    // a second-phase chunk of the current two-phase task: it cannot end before this chunk is done
    const task = Atomics.load(control, TASK)
    // every first-phase chunk is claimed (NEXT is past the last, or this thread would still be
    // claiming them) by a thread that is doing it: nobody waits here for a chunk nobody has taken
    awaitCount(control, MOVED, nChunks)
    try {
      // after a failed first phase (here or on another thread) the second is skipped; the task throws
      if (failure === null && Atomics.load(control, FAILED) === 0) {
        if (task === SPLIT) nodeChunk(job, c, Atomics.load(control, TO))
        else sampleTask(job, Atomics.load(control, FLAGS) === 1 ? RAW_GRADIENTS : RAW, c)
      }
    } catch (err) {
      Atomics.store(control, FAILED, 1)
      failure ??= err
    } finally {
      Atomics.add(control, DONE, 1)
      Atomics.notify(control, DONE)
    }
    done++
  }
  if (failure !== null) throw failure
  return done
}

/**
 * How long (ms) a thread polls a counter of the current task before it sleeps on it (the calling
 * thread waiting for a worker's last chunk, a worker for the first phase of a two-phase task). A
 * sleeping thread wakes 20–50 µs after the notify on the bench's VM (10–20 µs on a quiet host), so a
 * wait shorter than this costs no wake-up; the thread would otherwise be idle (OpenMP runtimes spin
 * likewise before they sleep).
 */
export const WAIT_SPIN_MS = 0.2

/**
 * How long (ms) a worker polls for the next task after finishing one before it sleeps: tasks of one
 * fit follow each other within the grower's serial work of a split. Measured 80k × 20, two threads,
 * steady state (bench/ml/README.md): worker wake-ups under 10 µs instead of 20–50 µs. The cost is a
 * core busy for at most this long after each task, which on a machine whose cores are all taken
 * by other work is CPU they lose (tried at 0.1 ms under a load of ~3: slower).
 */
export const TASK_SPIN_MS = 0.2

/** Returns once control[slot] ≥ count: polls for WAIT_SPIN_MS, then sleeps on it (Atomics.wait; the counting thread notifies). */
export function awaitCount(control: Int32Array, slot: number, count: number): void {
  if (Atomics.load(control, slot) >= count) return
  const until = performance.now() + WAIT_SPIN_MS
  while (Atomics.load(control, slot) < count && performance.now() < until);
  for (;;) {
    const v = Atomics.load(control, slot)
    if (v >= count) return
    Atomics.wait(control, slot, v, 1000)
  }
}

function buildChunk(job: HistogramJob, c: number): void {
  const { control, cut, binOffset, buffers } = job
  const { kernels } = instanceFor(job)
  const f0 = cut[c]
  const f1 = cut[c + 1]
  const at = Atomics.load(control, HIST)
  // the chunk's bins of the whole-histogram view the kernel writes through
  new Float64Array(buffers.codes.buffer, at + binOffset[f0] * 24, (binOffset[f1] - binOffset[f0]) * 3).fill(0)
  const hist = new Float64Array(buffers.codes.buffer, at, binOffset[job.p] * 3)
  const withCount = Atomics.load(control, WITH_COUNT) === 1
  buildHistogram(kernels, buffers, Atomics.load(control, PART), Atomics.load(control, TREE), Atomics.load(control, START), Atomics.load(control, END), withCount, hist, c + 1)
}

/**
 * Chunk c of a NODE task (the samples in `part`): its features' bins of the small child (zeroed, built), of the large one
 * (subtracted) and their split scans; every step touches only the chunk's bins, so the chunks are
 * independent and each is the bits one thread doing all features would get.
 */
function nodeChunk(job: HistogramJob, c: number, part: number): void {
  const { control, cut, binOffset, buffers, splits, p } = job
  const it = instanceFor(job)
  const { kernels } = it
  const f0 = cut[c]
  const f1 = cut[c + 1]
  const flags = Atomics.load(control, FLAGS)
  const small = Atomics.load(control, HIST)
  const large = Atomics.load(control, SIBLING)
  const lo = binOffset[f0] * 24
  const bytes = (binOffset[f1] - binOffset[f0]) * 24
  const view = (at: number): Float64Array => new Float64Array(buffers.codes.buffer, at, binOffset[p] * 3)
  if ((flags & BUILD_CHILDREN) !== 0) {
    kernels.zero(small + lo, bytes)
    buildHistogram(kernels, buffers, part, Atomics.load(control, TREE), Atomics.load(control, START), Atomics.load(control, END), true, view(small), c + 1)
    kernels.subtract(Atomics.load(control, PARENT) + lo, small + lo, large + lo, bytes)
  }
  const layout = { nFeatures: p, nBins: job.nBins, binOffset, hasMissing: job.hasMissing }
  const scanAt = buffers.scanOut.byteOffset + 32 * (c + 1)
  for (let s = 0; s < 2; s++) {
    if ((flags & (s === 0 ? SCAN_SMALL : SCAN_LARGE)) === 0) continue
    scanFeatures(view(s === 0 ? small : large), layout, splits[3 * s], splits[3 * s + 1], splits[3 * s + 2], job.constraints, it.split, kernels, scanAt, f0, f1)
    writeSplit(it.split, splits, splitAt(c, s))
  }
}

function moveChunk(job: HistogramJob, c: number): void {
  const { control, moves } = job
  const { mover } = instanceFor(job)
  const n = job.cut.length - 1
  const args = [Atomics.load(control, PART), Atomics.load(control, TO), Atomics.load(control, TREE), Atomics.load(control, FEATURE), moves[3 * c], moves[3 * c + 3], moves[3 * c + 1], moves[3 * c + 2]] as const
  if (c === n - 1) {
    moves[3 * n + 1] = mover.moveBack(...args)
    return
  }
  const l = mover.move(...args)
  // a forward chunk's left samples must end where the next one's start (the last forward chunk's: checked by the calling thread)
  if (c === n - 2) moves[3 * n + 2] = l
  else if (l !== moves[3 * c + 4]) Atomics.store(control, FAILED, 2)
}

function sampleTask(job: HistogramJob, task: number, c: number): void {
  const { control, buffers, n } = job
  const chunks = job.cut.length - 1
  const a = sampleChunk(n, c, chunks)
  const b = sampleChunk(n, c + 1, chunks)
  if (task === GRADIENTS) instanceFor(job).loss.gradients(buffers.y, buffers.raw, buffers.gh, a, b)
  else if (task === LEAVES) scatterLeaves(buffers, job.p, Atomics.load(control, START), a, b)
  else if (task === RAW) addLeafValues(buffers, job.loss.k, Atomics.load(control, TREE), a, b)
  else {
    // blocks small enough that the raw predictions just written are still in L1 for the gradients
    const { loss } = instanceFor(job)
    for (let i = a; i < b; i += RAW_BLOCK) {
      const e = Math.min(b, i + RAW_BLOCK)
      addLeafValues(buffers, 1, Atomics.load(control, TREE), i, e)
      loss.gradients(buffers.y, buffers.raw, buffers.gh, i, e)
    }
  }
}

/** Samples per block of a RAW_GRADIENTS chunk (16 KB of raw predictions and targets). */
const RAW_BLOCK = 1024

/** A worker's side of one fit: wake on every task, claim chunks, until STOP. */
export function runHistogramJob(job: HistogramJob): void {
  const { control } = job
  let gen = Atomics.load(control, GEN)
  const self = 1 + Atomics.add(control, READY, 1)
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) return
    // the next task usually comes within the grower's serial work of a split (tens of µs): a worker
    // that polls for it starts at once instead of after a wake-up (20–50 µs on the bench's VM)
    const until = performance.now() + TASK_SPIN_MS
    while (Atomics.load(control, GEN) === gen && performance.now() < until);
    Atomics.wait(control, GEN, gen)
    gen = Atomics.load(control, GEN)
    if (Atomics.load(control, STOP) !== 0) return
    Atomics.add(control, BY_WORKERS, claimChunks(job, self))
  }
}
