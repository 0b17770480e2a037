import { WorkerPool, type PooledWorker } from '../../support/worker-pool.js'
import { resolveThreads } from '../forest/worker-pool.js'
import { releaseFitMemory, scratchBuffer } from './fit-memory.js'
import type { Matrix } from '../matrix.js'
import { awaitClaimed, binRows, runBinJob, runEdgesJob, type BinJob, type TouchJob } from './bin-mapper.js'
import type { HistGradientBoostingParams } from './boosting-options.js'
import { splitInSteps } from './grower.js'
import {
  buildInto,
  checkMove,
  childrenInThread,
  findSplitInThread,
  fitBoosting,
  fitKernels,
  inThreadBuilder,
  type BoostingResult,
  type HistogramBuilderFactory,
} from './fit-boosting.js'
import { buildHistogram, inKernelMemory } from './histogram.js'
import {
  awaitCount,
  BUILD_CHILDREN,
  BY_WORKERS,
  claimChunks,
  controlSlots,
  DONE,
  END,
  FAILED,
  FEATURE,
  FLAGS,
  GEN,
  GRADIENTS,
  HIST,
  ADD_TREE,
  HISTOGRAM,
  MOVE,
  MOVED,
  NEXT,
  PHASE2,
  NODE,
  NODE_SUMS,
  PARENT,
  PART,
  SCAN_LARGE,
  SCAN_SMALL,
  SIBLING,
  SPLIT,
  splitAt,
  START,
  STOP,
  TASK,
  TO,
  TREE,
  WITH_COUNT,
  type HistogramJob,
} from './histogram-job.js'
import type { BoostingLoss } from './losses.js'
import { addLeafValues, SampleMover, scatterLeaves } from './partition.js'
import { readSplit, SPLIT_SLOTS, type SplitRequest } from './splitter.js'

/**
 * Below this many training cells (rows × features) a fit builds histograms in-thread whatever
 * nJobs allows: waking a worker costs ~10–50 µs per node, more than it saves on small data.
 */
export const MIN_THREADED_CELLS = 400_000
/**
 * Splits whose smaller child has fewer cells (samples × features) than this are built, subtracted
 * and scanned by the calling thread alone (same bits either way): a node task costs a worker's
 * wake-up and the calling thread's, against the scans and subtraction it takes off the calling thread
 * (~35 µs at 20 features × 255 bins) besides half the build. 40k on the first 2-core VM, where 10k was no
 * faster at 80k × 20; on the 2026-11-30 evening VM (interleaved A/B, 2 rounds × 6 fits, 80k × 20 clf / reg /
 * clf NaN / reg NaN) 10k made two-thread fits 3–8 % faster (median reg 516 → 477–493 ms) and equal at 800k,
 * 5k no faster than 10k (bench/ml/README.md).
 */
export const MIN_THREADED_NODE_CELLS = 10_000
/**
 * Splits of fewer samples than this are moved by the calling thread alone, unless their children go
 * to the threads (then the move is the first phase of the same SPLIT task and costs no wake-up of
 * its own). Set when a move cost ~10 ns a sample; ~2 ns since the kernels, not re-tuned on this shared machine.
 */
export const MIN_THREADED_MOVE = 8_000
/** Fits of fewer samples than this take gradients and add trees to the raw predictions on the calling thread alone. */
export const MIN_THREADED_SAMPLES = 20_000

/** The histogram threads: boosting-worker.js beside this file (dist) or its .ts source (vitest). */
const pool = new WorkerPool(import.meta.url, 'boosting-worker')

/**
 * Shared bytes (fit memories, binning buffers) posted to the pooled workers since they started,
 * after which a fit's end replaces them with fresh ones. A worker allocates almost nothing on its
 * own heap, so its garbage collector seldom runs and keeps every buffer it was ever posted. Fits
 * reuse their buffers (fitMemory, scratchBuffer), so a buffer posted again adds nothing and a
 * series of fits of one size posts new ones only once; new ones come with a larger fit (kept, or
 * over KEEP_BYTES, used once). Replacing the workers costs their start (~60 ms, under tsx ~250 ms)
 * and their code's warm-up, overlapped with the caller's work on the next fit.
 */
export const WORKER_RECYCLE_BYTES = 128 * 2 ** 20
let postedBytes = 0
/** Buffers posted to the current workers (counted once in postedBytes). */
let posted = new WeakSet<SharedArrayBuffer>()
let recycled = 0

/** Counts a shared buffer about to be posted to the workers in postedBytes, unless they were posted it already. */
function posting(buffer: SharedArrayBuffer): void {
  if (posted.has(buffer)) return
  posted.add(buffer)
  postedBytes += buffer.byteLength
}

/** Shared bytes posted to the current boosting workers (tests): each buffer counted once. */
export function boostingBytesPosted(): number {
  return postedBytes
}

/** Times the boosting workers were replaced because of WORKER_RECYCLE_BYTES (tests). */
export function boostingWorkersRecycled(): number {
  return recycled
}

function getWorkers(count: number): PooledWorker[] {
  return pool.get(count)
}

/** Starts the histogram workers a fit with `nJobs` would use and waits until they are loaded. */
export function warmUpBoostingWorkers(nJobs = -1): Promise<number> {
  return pool.warmUp(resolveThreads(nJobs) - 1)
}

/** Stops the pooled histogram workers (tests, graceful shutdown) and drops the buffers kept for the next fit. */
export function terminateBoostingWorkers(): Promise<void> {
  postedBytes = 0
  posted = new WeakSet()
  releaseFitMemory()
  return pool.terminate()
}

let lastWorkerChunks = 0

/** Chunks worker threads did in the last threaded fit (to check they took part). */
export function lastFitWorkerChunks(): number {
  return lastWorkerChunks
}

let lastSplitTasks = 0

/** Splits the last threaded fit moved and built the children of in one task (SPLIT; to check the path ran). */
export function lastFitSplitTasks(): number {
  return lastSplitTasks
}

/**
 * Histograms and split scans split by feature, and split moves, gradients and each tree's raw update by sample
 * range, across `threads` threads (the calling one included), every thread running the fit's
 * kernels over its shared memory: the calling thread publishes each task in a shared control
 * array, wakes the workers, and every thread claims chunks from a shared counter: feature ranges
 * of a node's children (the smaller one built, the larger one subtracted from the parent, both
 * scanned for their best split in those features, as scikit-learn's splitter does per feature in
 * parallel; the calling thread then keeps the first best over the chunks) or of the root's build
 * and scan, sample ranges moved to places the calling thread computed first
 * (it counts the left-going samples of every chunk but the last, so each chunk knows where its left
 * and right samples start), or sample ranges of per-sample work. A large split is one task of two
 * phases (SPLIT: its move, then its children's feature ranges), and so is a tree's raw update
 * (ADD_TREE: leaf numbers, then the raw update and, with one tree an iteration, the next
 * gradients): one wake-up each instead of two or three. A worker that is slow to wake (a busy machine) just claims fewer chunks: the
 * calling thread never waits for one that has not started. The call stays synchronous
 * (Atomics.wait), so fit() can return `this`. Small nodes are built and scanned, and small
 * splits moved, by the calling thread alone;
 * the bits are the same.
 */
export function threadedBuilder(threads: number): HistogramBuilderFactory {
  return {
    shared: true,
    edges: {
      columns(bytes, touchFrom) {
        const { buffer, fresh } = scratchBuffer(bytes, true)
        posting(buffer)
        if (fresh) touchPages(getWorkers(Math.min(threads, 2) - 1), buffer, touchFrom)
        return buffer
      },
      run(job) {
        // the same claim-and-count scheme as a histogram task: a worker slow to start just sorts fewer columns
        for (const w of getWorkers(Math.min(threads, job.p) - 1)) w.worker.postMessage(job)
        runEdgesJob(job)
        awaitClaimed(job.next, job.p)
      },
    },
    binning: {
      run(x, mapper, stride, codes) {
        const { nRows: n, nCols: p } = x
        const workers = getWorkers(Math.min(threads, p) - 1)
        // the calling thread bins its share straight from the caller's matrix; the rest is copied
        // into shared memory (~2 ms at 100k × 20, a tenth of binning it) in blocks any thread claims
        const from = Math.round(n / (workers.length + 1))
        const rest = x.data.subarray(from * p, n * p)
        // the scratch buffer the columns were sorted in when it is large enough (its pages are in
        // already; n ≤ twice the binning subsample), else a fresh one whose pages a worker faults in
        // from the back while this thread copies from the front (64 MB at 1M × 20: ~16k first
        // touches of ~13 µs on the bench's VM)
        let rows = rest
        if (!(rest.buffer instanceof SharedArrayBuffer)) {
          const { buffer, fresh } = scratchBuffer(rest.byteLength, true)
          posting(buffer)
          if (fresh) touchPages(workers, buffer, 0)
          rows = new Float64Array(buffer, 0, rest.length)
          rows.set(rest)
        }
        const job: BinJob = { rows, from, n, p, blocks: 2 * workers.length, mapper, stride, codes, next: new Int32Array(new SharedArrayBuffer(12)) }
        for (const w of workers) w.worker.postMessage(job)
        binRows({ data: x.data.subarray(0, from * p), nRows: from, nCols: p }, mapper, null, stride, codes.subarray(0, from * stride))
        runBinJob(job)
        awaitClaimed(job.next, job.blocks)
      },
    },
    create(ctx) {
      const p = ctx.p
      const workers = getWorkers(Math.min(threads, p) - 1)
      // one chunk per thread: every chunk re-reads each sample's row of slots, and at 1M rows the
      // fit is memory-bound (two chunks per thread made two threads slower than one there)
      const nChunks = Math.min(p, workers.length + 1)
      const control = new Int32Array(new SharedArrayBuffer(controlSlots(nChunks) * 4))
      const cut = Int32Array.from({ length: nChunks + 1 }, (_, c) => Math.round((c * p) / nChunks))
      const moves = new Int32Array(new SharedArrayBuffer((3 * nChunks + 3) * 4))
      const splits = new Float64Array(new SharedArrayBuffer((NODE_SUMS + 2 * nChunks * SPLIT_SLOTS) * 8))
      // range 0: every feature (small nodes, calling thread alone); range c + 1: chunk c
      const ranges: [number, number][] = [[0, p]]
      for (let c = 0; c < nChunks; c++) ranges.push([cut[c], cut[c + 1]])
      const { module, kernels } = fitKernels(ctx, ranges)
      const { mapper, constraints } = ctx
      const job: HistogramJob = {
        control,
        buffers: ctx.buffers,
        module,
        p,
        n: ctx.n,
        loss: { name: ctx.loss.name, k: ctx.loss.k },
        binOffset: ctx.binOffset,
        nBins: mapper.nBins,
        hasMissing: mapper.hasMissing,
        constraints: { l2Regularization: constraints.l2Regularization, minSamplesLeaf: constraints.minSamplesLeaf, minHessianToSplit: constraints.minHessianToSplit, constHessian: constraints.constHessian },
        splits,
        cut,
        moves,
      }
      if (workers.length > 0) posting(ctx.buffers.memory.buffer as SharedArrayBuffer)
      for (const w of workers) w.worker.postMessage(job)
      const mover = new SampleMover(ctx.buffers, kernels)
      let tree = 0
      /** The last addTree took the next iteration's gradients already (one tree an iteration). */
      let gradientsTaken = false
      let splitTasks = 0
      /** Publishes the task set up in `control`, takes part, and waits until all its chunks are done. */
      const run = (chunks: number): void => {
        Atomics.store(control, TREE, tree)
        Atomics.store(control, DONE, 0)
        Atomics.store(control, MOVED, 0)
        Atomics.store(control, NEXT, 0)
        const task = Atomics.load(control, TASK)
        const claimed = task === SPLIT || task === ADD_TREE ? 0 : 1
        for (let c = 0; c < chunks; c++) Atomics.store(control, PHASE2 + c, claimed)
        Atomics.add(control, GEN, 1)
        Atomics.notify(control, GEN)
        claimChunks(job, 0)
        // a worker's last chunk usually ends within a few µs of this thread's: awaitCount polls a little before sleeping
        awaitCount(control, DONE, chunks)
        const failed = Atomics.load(control, FAILED)
        if (failed === 2) throw new Error('internal: a threaded split moved a different number of samples left than counted')
        if (failed !== 0) throw new Error('a boosting histogram worker failed')
      }
      /** Runs a NODE (or SPLIT) task (its histogram addresses already in control) and keeps, per node asked for, the first best split over the chunks in feature order. */
      const runNode = (flags: number, smallReq: SplitRequest | null, largeReq: SplitRequest | null, task = NODE): void => {
        const reqs = [smallReq, largeReq]
        reqs.forEach((r, s) => {
          if (r === null) return
          splits[3 * s] = r.g
          splits[3 * s + 1] = r.h
          splits[3 * s + 2] = r.n
        })
        Atomics.store(control, TASK, task)
        Atomics.store(control, FLAGS, flags)
        run(nChunks)
        reqs.forEach((r, s) => {
          if (r === null) return
          // strictly greater: a tie keeps the earlier chunk's (lower feature's) split, as one scan over all features does
          let best = 0
          for (let c = 0; c < nChunks; c++) {
            const at = splitAt(c, s)
            if (splits[at] > best) {
              best = splits[at]
              readSplit(splits, at, r.out)
            }
          }
          r.out.gain = best
        })
      }
      /** Whether a split of samples start..end is moved on the threads (small ones: by the calling thread alone). */
      const threadedMove = (start: number, end: number): boolean => workers.length > 0 && end - start >= MIN_THREADED_MOVE
      /** Whether children() of a smaller child of samples start..end runs on the threads: not for small nodes, nor heap histograms (the slots ran out), which the kernels cannot reach. */
      const threadedChildren = (start: number, end: number, parent: Float64Array, small: Float64Array, large: Float64Array): boolean =>
        workers.length > 0 && (end - start) * p >= MIN_THREADED_NODE_CELLS && inKernelMemory(parent, ctx.buffers) && inKernelMemory(small, ctx.buffers) && inKernelMemory(large, ctx.buffers)
      /**
       * Places a threaded move's chunks in `moves` and its parameters in control. Chunk c's samples
       * go left from start + (left samples of chunks before it), right from start + nLeft + (right
       * ones before it); the last chunk moves backward from both children's ends instead, so only
       * chunks before the last two are counted first (none with two threads: the count of half the
       * node was serial work of the calling thread).
       */
      const placeMove = (from: number, to: number, f: number, start: number, end: number, nLeft: number): void => {
        let l = start
        let r = start + nLeft
        for (let c = 0; c < nChunks; c++) {
          const a = start + Math.round((c * (end - start)) / nChunks)
          const b = start + Math.round(((c + 1) * (end - start)) / nChunks)
          moves[3 * c] = a
          moves[3 * c + 1] = c < nChunks - 1 ? l : start + nLeft
          moves[3 * c + 2] = c < nChunks - 1 ? r : end
          if (c < nChunks - 2) {
            const left = mover.countLeft(from, f, a, b)
            l += left
            r += b - a - left
          }
        }
        moves[3 * nChunks] = end
        Atomics.store(control, PART, from)
        Atomics.store(control, TO, to)
        Atomics.store(control, FEATURE, f)
      }
      /** After a threaded move: the forward chunks' left samples must end where the backward chunk's begin. */
      const checkMoves = (start: number, end: number): void => {
        if (moves[3 * nChunks + 1] !== moves[3 * nChunks + 2]) throw new Error(`internal: threaded split of ${end - start} samples: forward chunks sent samples left up to ${moves[3 * nChunks + 2]}, the last chunk from ${moves[3 * nChunks + 1]}`)
      }
      return {
        useTree(c) {
          tree = c
        },
        build(part, start, end, hist, withCount) {
          buildInto(hist, ctx.buffers, (target) => {
            if (workers.length === 0) {
              buildHistogram(kernels, ctx.buffers, part, tree, start, end, withCount, target, 0)
              return
            }
            Atomics.store(control, TASK, HISTOGRAM)
            Atomics.store(control, START, start)
            Atomics.store(control, END, end)
            Atomics.store(control, PART, part)
            Atomics.store(control, WITH_COUNT, withCount ? 1 : 0)
            Atomics.store(control, HIST, target.byteOffset)
            run(nChunks)
          })
        },
        findSplit(hist, req) {
          if (workers.length === 0 || !inKernelMemory(hist, ctx.buffers)) return findSplitInThread(ctx, kernels, hist, req)
          Atomics.store(control, HIST, hist.byteOffset)
          runNode(SCAN_SMALL, req, null)
        },
        children(part, start, end, parent, small, large, smallReq, largeReq) {
          const buffers = ctx.buffers
          if (!threadedChildren(start, end, parent, small, large)) {
            childrenInThread(ctx, kernels, (target) => buildHistogram(kernels, buffers, part, tree, start, end, true, target, 0), parent, small, large, smallReq, largeReq)
            return
          }
          Atomics.store(control, START, start)
          Atomics.store(control, END, end)
          Atomics.store(control, PART, part)
          Atomics.store(control, HIST, small.byteOffset)
          Atomics.store(control, PARENT, parent.byteOffset)
          Atomics.store(control, SIBLING, large.byteOffset)
          runNode(BUILD_CHILDREN | (smallReq === null ? 0 : SCAN_SMALL) | (largeReq === null ? 0 : SCAN_LARGE), smallReq, largeReq)
        },
        partition(from, to, f, start, end, nLeft) {
          // small splits: the calling thread moves them alone
          if (!threadedMove(start, end)) {
            checkMove(mover.move(from, to, tree, f, start, end, start, start + nLeft), start, end, nLeft)
            return
          }
          placeMove(from, to, f, start, end, nLeft)
          Atomics.store(control, TASK, MOVE)
          run(nChunks)
          checkMoves(start, end)
        },
        split(from, to, f, start, end, nLeft, kids) {
          // whenever the children go to the threads, so does the move (even one below MIN_THREADED_MOVE: it costs no wake-up of its own)
          if (kids === null || workers.length === 0 || !threadedChildren(kids.start, kids.end, kids.parent, kids.small, kids.large)) {
            splitInSteps(this, from, to, f, start, end, nLeft, kids)
            return
          }
          // one task: the move, then (every chunk moved) the children as children() builds them
          placeMove(from, to, f, start, end, nLeft)
          Atomics.store(control, START, kids.start)
          Atomics.store(control, END, kids.end)
          Atomics.store(control, HIST, kids.small.byteOffset)
          Atomics.store(control, PARENT, kids.parent.byteOffset)
          Atomics.store(control, SIBLING, kids.large.byteOffset)
          runNode(BUILD_CHILDREN | (kids.smallReq === null ? 0 : SCAN_SMALL) | (kids.largeReq === null ? 0 : SCAN_LARGE), kids.smallReq, kids.largeReq, SPLIT)
          checkMoves(start, end)
          splitTasks++
        },
        gradients() {
          if (gradientsTaken) {
            gradientsTaken = false
            return
          }
          if (workers.length === 0 || ctx.n < MIN_THREADED_SAMPLES) {
            ctx.loss.gradients(ctx.buffers.y, ctx.buffers.raw, ctx.buffers.gh)
            return
          }
          Atomics.store(control, TASK, GRADIENTS)
          run(nChunks)
        },
        addTree(nLeaves, c) {
          if (workers.length === 0 || ctx.n < MIN_THREADED_SAMPLES) {
            scatterLeaves(ctx.buffers, p, nLeaves, 0, ctx.n)
            addLeafValues(ctx.buffers, ctx.loss.k, c, 0, ctx.n)
            return
          }
          // one task: the leaf numbers, then (every one written) the raw update; with one tree an
          // iteration this is the iteration's last raw update, and the next iteration's gradients (a
          // sample's own y and raw) are taken in the same pass
          gradientsTaken = ctx.loss.k === 1
          Atomics.store(control, TASK, ADD_TREE)
          Atomics.store(control, START, nLeaves)
          Atomics.store(control, FLAGS, gradientsTaken ? 1 : 0)
          tree = c // run() publishes it as the raw column
          run(nChunks)
        },
        kernels,
        close() {
          lastWorkerChunks = Atomics.load(control, BY_WORKERS)
          lastSplitTasks = splitTasks
          Atomics.store(control, STOP, 1)
          Atomics.add(control, GEN, 1)
          Atomics.notify(control, GEN)
          if (postedBytes >= WORKER_RECYCLE_BYTES) {
            postedBytes = 0
            posted = new WeakSet()
            recycled++
            pool.recycle()
          }
        },
      }
    },
  }
}

/** Has the last of `workers` (if any) fault in the pages of a fresh shared buffer from its end back to byte `from` (runTouchJob). */
function touchPages(workers: readonly PooledWorker[], buffer: SharedArrayBuffer, from: number): void {
  if (workers.length === 0) return
  const job: TouchJob = { touch: new Int32Array(buffer, 0, buffer.byteLength >> 2), from: from >> 2 }
  workers[workers.length - 1].worker.postMessage(job)
}

/** Threads a fit uses: nJobs resolved (−1: every core), 1 below MIN_THREADED_CELLS, never more than features. */
export function boostingThreads(nJobs: number, nRows: number, nFeatures: number): number {
  if (nRows * nFeatures < MIN_THREADED_CELLS) return 1
  return Math.max(1, Math.min(resolveThreads(nJobs), nFeatures))
}

/** Runs a boosting fit with the histogram builder nJobs asks for; the model is the same for every nJobs. */
export function fitBoostingThreaded(x: Matrix, y: Float64Array, loss: BoostingLoss, p: HistGradientBoostingParams, nClasses: number | null): BoostingResult {
  const threads = boostingThreads(p.nJobs, x.nRows, x.nCols)
  return fitBoosting(x, y, loss, p, nClasses, threads > 1 ? threadedBuilder(threads) : inThreadBuilder)
}
