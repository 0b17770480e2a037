import type { Matrix } from '../matrix.js'
import { Random } from '../random.js'
import { fitMemory } from './fit-memory.js'
import { binRows, fitBinMapper, type BinMapper, type ParallelBinning, type ParallelEdges } from './bin-mapper.js'
import { treeToPreorder, type BoostedTreeJson } from './boosted-trees.js'
import type { HistGradientBoostingParams } from './boosting-options.js'
import { splitInSteps, TreeGrower, type GrownTree, type HistogramBuilder } from './grower.js'
import { buildHistogram, clearHistogram, inKernelMemory, rowStride, subtractHistogram } from './histogram.js'
import { instantiateKernels, kernelModule, type FeatureRange, type KernelExports } from './kernels.js'
import { median, type BoostingLoss } from './losses.js'
import { findBestSplit, type SplitConstraints, type SplitRequest } from './splitter.js'
import type { WasmModule } from './wasm-module.js'
import { addLeafValues, sampleBuffers, SampleMover, scatterLeaves, type SampleBuffers } from './partition.js'

/** sklearn's min_hessian_to_split. */
const MIN_HESSIAN_TO_SPLIT = 1e-3
/** Histogram slots in a fit's kernel memory at most (more histograms live on the heap and are copied). */
const MAX_HISTOGRAM_BYTES = 64 * 2 ** 20
/** 'auto' early stopping turns on above this many samples (scikit-learn's rule). */
const AUTO_EARLY_STOPPING_ROWS = 10_000

/** What a boosting fit learned, before the estimator wraps it. */
export interface BoostingResult {
  readonly baseline: Float64Array
  /** nIter × k trees, iteration-major. */
  readonly trees: BoostedTreeJson[]
  readonly nIter: number
  /** Split gain summed per feature over all trees, normalised to sum 1 (all 0 without splits). */
  readonly importances: Float64Array
  /** −loss after the baseline and after each iteration on the scored set, when early stopping ran. */
  readonly validationScore: number[]
}

/** What a histogram builder of one fit reads; buffers live in a shared memory when `shared` was asked. */
export interface HistogramContext {
  readonly p: number
  /** Training samples. */
  readonly n: number
  readonly binOffset: Int32Array
  /** The bins, for split scans. */
  readonly mapper: BinMapper
  readonly constraints: SplitConstraints
  /** The grower's samples: codes and gradients in data order, the node-ordered copies, histogram slots, targets and raw predictions. */
  readonly buffers: SampleBuffers
  readonly loss: BoostingLoss
}

/** The kernels of a fit's layout for these feature ranges, compiled (cached) and instantiated over its memory. */
export function fitKernels(ctx: HistogramContext, ranges: readonly FeatureRange[]): { module: WasmModule; kernels: KernelExports } {
  const shared = ctx.buffers.memory.buffer instanceof SharedArrayBuffer
  const module = kernelModule({ p: ctx.p, binOffset: ctx.binOffset, constHessian: ctx.loss.constHessian, ranges, shared })
  return { module, kernels: instantiateKernels(module, ctx.buffers.memory) }
}

/** A histogram builder for one fit, reading the gradients of tree `c` after useTree(c). */
export interface FitHistogramBuilder extends HistogramBuilder {
  useTree(c: number): void
  /** Gradients and hessians of every sample at buffers.raw into buffers.gh (ctx.loss). */
  gradients(): void
  /** raw[i·k + c] += the value of sample i's leaf, for the tree in buffers.leaves / leafValue (nLeaves leaves). */
  addTree(nLeaves: number, c: number): void
  /** Releases threads (end of fit). */
  close(): void
}

/** Makes the builder of one fit; `shared` asks fitBoosting for SharedArrayBuffer-backed context buffers. */
export interface HistogramBuilderFactory {
  readonly shared: boolean
  /** Sorts the binning sample's columns on the fit's threads (absent: the calling thread alone). */
  readonly edges?: ParallelEdges
  /** Bins the training rows on the fit's threads (absent: the calling thread alone). */
  readonly binning?: ParallelBinning
  create(ctx: HistogramContext): FitHistogramBuilder
}

/** Builds every feature's histogram, and moves every split, on the calling thread. */
export const inThreadBuilder: HistogramBuilderFactory = {
  shared: false,
  create(ctx) {
    const { kernels } = fitKernels(ctx, [[0, ctx.p]])
    const mover = new SampleMover(ctx.buffers, kernels)
    let tree = 0
    return {
      useTree(c) {
        tree = c
      },
      build(part, start, end, hist, withCount) {
        buildInto(hist, ctx.buffers, (target) => buildHistogram(kernels, ctx.buffers, part, tree, start, end, withCount, target, 0))
      },
      findSplit(hist, req) {
        findSplitInThread(ctx, kernels, hist, req)
      },
      children(part, start, end, parent, small, large, smallReq, largeReq) {
        childrenInThread(ctx, kernels, (target) => buildHistogram(kernels, ctx.buffers, part, tree, start, end, true, target, 0), parent, small, large, smallReq, largeReq)
      },
      partition(from, to, f, start, end, nLeft) {
        checkMove(mover.move(from, to, tree, f, start, end, start, start + nLeft), start, end, nLeft)
      },
      split(from, to, f, start, end, nLeft, children) {
        splitInSteps(this, from, to, f, start, end, nLeft, children)
      },
      gradients() {
        ctx.loss.gradients(ctx.buffers.y, ctx.buffers.raw, ctx.buffers.gh)
      },
      addTree(nLeaves, c) {
        scatterLeaves(ctx.buffers, ctx.p, nLeaves, 0, ctx.n)
        addLeafValues(ctx.buffers, ctx.loss.k, c, 0, ctx.n)
      },
      kernels,
      close() {},
    }
  },
}

/** Runs `build` on hist when the kernels can write it, else on the zeroed scratch slot and copies that out. */
export function buildInto(hist: Float64Array, buffers: SampleBuffers, build: (target: Float64Array) => void): void {
  if (inKernelMemory(hist, buffers)) return build(hist)
  const scratch = buffers.scratch
  scratch.fill(0)
  build(scratch)
  hist.set(scratch)
}

/** HistogramBuilder.findSplit on the calling thread. */
export function findSplitInThread(ctx: HistogramContext, kernels: KernelExports, hist: Float64Array, req: SplitRequest): void {
  findBestSplit(hist, ctx.mapper, req.g, req.h, req.n, ctx.constraints, req.out, kernels, ctx.buffers)
}

/** HistogramBuilder.children on the calling thread; `build` adds the small child's samples (counts included) into a zeroed target. */
export function childrenInThread(
  ctx: HistogramContext,
  kernels: KernelExports,
  build: (target: Float64Array) => void,
  parent: Float64Array,
  small: Float64Array,
  large: Float64Array,
  smallReq: SplitRequest | null,
  largeReq: SplitRequest | null,
): void {
  clearHistogram(kernels, ctx.buffers, small)
  buildInto(small, ctx.buffers, build)
  subtractHistogram(kernels, ctx.buffers, parent, small, large)
  if (smallReq !== null) findSplitInThread(ctx, kernels, small, smallReq)
  if (largeReq !== null) findSplitInThread(ctx, kernels, large, largeReq)
}

/** Throws when a move sent a different number of samples left than the split's histogram counted (`l`: the left cursor after it). */
export function checkMove(l: number, start: number, end: number, nLeft: number): void {
  if (l !== start + nLeft) throw new Error(`internal: split of ${end - start} samples sent ${l - start} left, its histogram counted ${nLeft}`)
}

/**
 * Rows held out for early stopping: a seeded shuffle, ceil(fraction × n) rows (as sklearn's
 * train_test_split), drawn per class when `nClasses` is given (stratified) so every class keeps
 * its share. Returns sorted train and validation row indices.
 */
export function validationSplit(y: Float64Array, fraction: number, seed: number, nClasses: number | null): { train: Uint32Array; val: Uint32Array } {
  const n = y.length
  const rng = new Random(seed)
  const isVal = new Uint8Array(n)
  const groups: number[][] = nClasses === null ? [Array.from({ length: n }, (_, i) => i)] : Array.from({ length: nClasses }, () => [])
  if (nClasses !== null) for (let i = 0; i < n; i++) groups[y[i]].push(i)
  for (const g of groups) {
    rng.shuffle(g)
    const take = nClasses === null ? Math.ceil(fraction * n) : Math.round(fraction * g.length)
    for (let j = 0; j < take && j < g.length; j++) isVal[g[j]] = 1
  }
  let nVal = 0
  for (let i = 0; i < n; i++) nVal += isVal[i]
  const train = new Uint32Array(n - nVal)
  const val = new Uint32Array(nVal)
  let a = 0
  let b = 0
  for (let i = 0; i < n; i++) {
    if (isVal[i]) val[b++] = i
    else train[a++] = i
  }
  return { train, val }
}

/** sklearn's _should_stop: none of the last nIterNoChange scores beats the one before them by more than tol. */
export function shouldStop(scores: readonly number[], nIterNoChange: number, tol: number): boolean {
  if (scores.length <= nIterNoChange) return false
  const reference = scores[scores.length - nIterNoChange - 1] + tol
  for (let i = scores.length - nIterNoChange; i < scores.length; i++) if (scores[i] > reference) return false
  return true
}

/** Adds a grown tree's prediction on binned rows (row-major codes) to raw[.. * k + c]. */
function addTreeOnCodes(t: GrownTree, mapper: BinMapper, codes: Uint8Array, n: number, raw: Float64Array, k: number, c: number): void {
  const p = mapper.nFeatures
  for (let i = 0; i < n; i++) {
    let node = 0
    while (t.feature[node] >= 0) {
      const f = t.feature[node]
      const code = codes[i * p + f]
      node = (code === mapper.nBins[f] ? t.missingLeft[node] : code <= t.bin[node]) ? t.left[node] : t.right[node]
    }
    raw[i * k + c] += t.value[node]
  }
}

/**
 * Gradient boosting with histogram trees (Friedman 2001; binning, leaf-wise growth and missing-value
 * routing as LightGBM and scikit-learn's HistGradientBoosting): baseline, then per iteration the
 * loss gradients at the current raw predictions and one tree per class fitted to them by Newton
 * steps, shrunk by learningRate. x may contain NaN; y holds targets or class indices (0..k−1).
 */
export function fitBoosting(
  x: Matrix,
  y: Float64Array,
  loss: BoostingLoss,
  p: HistGradientBoostingParams,
  nClasses: number | null,
  makeBuilder: HistogramBuilderFactory = inThreadBuilder,
): BoostingResult {
  const n = x.nRows
  const early = p.earlyStopping === 'auto' ? n > AUTO_EARLY_STOPPING_ROWS : p.earlyStopping
  let trainRows: Uint32Array | null = null
  let valRows: Uint32Array | null = null
  if (early && p.validationFraction !== null) {
    const s = validationSplit(y, p.validationFraction, p.seed, nClasses)
    if (s.val.length > 0 && s.train.length > 0) {
      trainRows = s.train
      valRows = s.val
    }
  }
  const xTrain = trainRows === null ? x : takeRowsOf(x, trainRows)
  const nTrain = xTrain.nRows
  const mapper = fitBinMapper(xTrain, p.maxBins, p.seed, makeBuilder.edges)
  const k = loss.k
  const histCells = mapper.totalBins * 3
  // the grower holds at most maxLeafNodes + 1 histograms at once; the rest (unlimited leaves) go to the heap
  const histSlots = Math.min((p.maxLeafNodes ?? 64) + 1, 64, Math.floor(MAX_HISTOGRAM_BYTES / (histCells * 8)))
  // a tree has at most this many leaves: each holds ≥ minSamplesLeaf samples (or it is the root)
  const maxLeaves = Math.max(1, Math.min(p.maxLeafNodes ?? Infinity, Math.floor(nTrain / Math.max(1, p.minSamplesLeaf)), p.maxDepth === null ? Infinity : 2 ** p.maxDepth))
  const buffers = sampleBuffers(nTrain, x.nCols, k, histCells, histSlots, makeBuilder.shared, maxLeaves, fitMemory)
  if (makeBuilder.binning === undefined) binRows(xTrain, mapper, null, rowStride(x.nCols), buffers.codes)
  else makeBuilder.binning.run(xTrain, mapper, rowStride(x.nCols), buffers.codes)
  const yTrain = buffers.y
  if (trainRows === null) yTrain.set(y)
  else for (let i = 0; i < nTrain; i++) yTrain[i] = y[trainRows[i]]
  const yVal = valRows === null ? null : pick(y, valRows)
  const valCodes = valRows === null ? null : binRows(x, mapper, valRows)
  const nVal = valRows === null ? 0 : valRows.length
  const baseline = loss.baseline(yTrain)
  const raw = buffers.raw
  for (let i = 0; i < nTrain; i++) for (let c = 0; c < k; c++) raw[i * k + c] = baseline[c]
  const rawVal = new Float64Array(nVal * k)
  for (let i = 0; i < nVal; i++) for (let c = 0; c < k; c++) rawVal[i * k + c] = baseline[c]
  const gh = buffers.gh
  if (loss.constHessian) for (const a of gh) for (let i = 1; i < a.length; i += 2) a[i] = 1
  const constraints: SplitConstraints = {
    l2Regularization: p.l2Regularization,
    minSamplesLeaf: p.minSamplesLeaf,
    minHessianToSplit: MIN_HESSIAN_TO_SPLIT,
    constHessian: loss.constHessian,
  }
  const builder = makeBuilder.create({ p: x.nCols, n: nTrain, binOffset: mapper.binOffset, mapper, constraints, buffers, loss })
  try {
    const grower = new TreeGrower(buffers, nTrain, mapper, builder, {
      ...constraints,
      maxLeafNodes: p.maxLeafNodes,
      maxDepth: p.maxDepth,
      learningRate: p.learningRate,
    })
    const trees: BoostedTreeJson[] = []
    const gains = new Float64Array(x.nCols)
    const scores: number[] = []
    if (early) scores.push(-(valRows === null ? loss.loss(yTrain, raw) : loss.loss(yVal!, rawVal)))
    const residuals = loss.medianLeaves ? new Float64Array(nTrain) : null
    const { leafValue, leaves } = buffers
    let nIter = 0
    for (let it = 0; it < p.maxIter; it++) {
      builder.gradients()
      for (let c = 0; c < k; c++) {
        builder.useTree(c)
        const t = grower.grow()
        // leaves counted in node order
        let nLeaves = 0
        for (let node = 0; node < t.feature.length; node++) {
          if (t.feature[node] >= 0) {
            gains[t.feature[node]] += t.gain[node]
            continue
          }
          const start = t.start[node]
          const end = t.end[node]
          // a tree without a split: its one leaf holds every sample, in data order
          const { words, step, at } = grower.sampleIndices(t.part[node]) ?? { words: identity(nTrain), step: 1, at: 0 }
          if (residuals !== null) {
            // absolute error: the leaf moves by the median residual of its samples (sklearn's update_leaves_values)
            for (let j = start; j < end; j++) {
              const i = words[j * step + at]
              residuals[j - start] = yTrain[i] - raw[i]
            }
            t.value[node] = p.learningRate * median(residuals.subarray(0, end - start))
          }
          leafValue[nLeaves] = t.value[node]
          leaves[3 * nLeaves] = t.part[node]
          leaves[3 * nLeaves + 1] = start
          leaves[3 * nLeaves + 2] = end
          nLeaves++
        }
        // raw moves by its samples' leaf values (sklearn updates from the leaves' sample indices the
        // same way); the gradients of all k trees were taken before this loop, so raw can move tree by tree
        builder.addTree(nLeaves, c)
        trees.push(treeToPreorder(t))
        if (valCodes !== null) addTreeOnCodes(t, mapper, valCodes, nVal, rawVal, k, c)
      }
      nIter++
      if (early) {
        scores.push(-(valRows === null ? loss.loss(yTrain, raw) : loss.loss(yVal!, rawVal)))
        if (shouldStop(scores, p.nIterNoChange, p.tol)) break
      }
    }
    let total = 0
    for (let f = 0; f < gains.length; f++) total += gains[f]
    if (total > 0) for (let f = 0; f < gains.length; f++) gains[f] /= total
    return { baseline, trees, nIter, importances: gains, validationScore: scores }
  } finally {
    builder.close()
  }
}

function pick(y: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length)
  for (let i = 0; i < rows.length; i++) out[i] = y[rows[i]]
  return out
}

function takeRowsOf(x: Matrix, rows: Uint32Array): Matrix {
  const p = x.nCols
  const data = new Float64Array(rows.length * p)
  for (let i = 0; i < rows.length; i++) data.set(x.data.subarray(rows[i] * p, rows[i] * p + p), i * p)
  return { data, nRows: rows.length, nCols: p }
}

function identity(n: number): Uint32Array {
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  return out
}
