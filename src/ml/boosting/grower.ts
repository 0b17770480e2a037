import type { BinMapper } from './bin-mapper.js'
import { clearHistogram, DATA_ORDER } from './histogram.js'
import type { KernelExports } from './kernels.js'
import { positionIndex, type PositionIndex, type SampleBuffers } from './partition.js'
import { nodeValue, SplitInfo, type SplitConstraints, type SplitRequest } from './splitter.js'

/** One boosting tree as grown: nodes in creation order, node 0 the root. */
export interface GrownTree {
  /** Split feature, −1 for a leaf. */
  readonly feature: number[]
  /** Non-missing samples with bin ≤ bin[node] go left. */
  readonly bin: number[]
  /** The same split as a raw value: x <= threshold goes left (the bin's upper cut point). */
  readonly threshold: number[]
  readonly missingLeft: boolean[]
  readonly left: number[]
  readonly right: number[]
  /** Leaf value (shrinkage applied), 0 for internal nodes. */
  readonly value: number[]
  /** Split gain of internal nodes (feature importances), 0 for leaves. */
  readonly gain: number[]
  /** Samples of a leaf are positions start[node] .. end[node] of grower.sampleIndices(part[node]) (null: the samples start..end). */
  readonly start: number[]
  readonly end: number[]
  readonly part: number[]
}

export interface GrowerParams extends SplitConstraints {
  /** null: unlimited. */
  readonly maxLeafNodes: number | null
  /** null: unlimited; the root has depth 0. */
  readonly maxDepth: number | null
  readonly learningRate: number
}

/**
 * Something that builds node histograms (in-thread, or split by feature across worker threads).
 * `part` says where the node's samples are: DATA_ORDER, or one of the two node-ordered copies of
 * SampleBuffers (0, 1), whose positions start..end are the node's.
 */
export interface HistogramBuilder {
  /** Adds samples start..end of `part` (current tree's gradients) into hist (zeroed); without withCount the count slots stay 0. */
  build(part: number, start: number, end: number, hist: Float64Array, withCount: boolean): void
  /** Finds the best split of the node whose histogram is hist (findBestSplit) into req.out. */
  findSplit(hist: Float64Array, req: SplitRequest): void
  /**
   * The children of a split: builds `small` (any content; counts included) from samples
   * start..end of `part`, sets large = parent − small, and finds the best split of each child
   * whose request is given (null: it will not be split) into its out, as findSplit would.
   */
  children(part: number, start: number, end: number, parent: Float64Array, small: Float64Array, large: Float64Array, smallReq: SplitRequest | null, largeReq: SplitRequest | null): void
  /**
   * Moves samples start..end of part `from` into part `to`: those whose code of feature f goes
   * left (buffers.goesLeft[code] = 1; nLeft of them) to start on, the others to start + nLeft on,
   * both in order. Throws when a different number went left (an internal error).
   */
  partition(from: number, to: number, f: number, start: number, end: number, nLeft: number): void
  /**
   * A split: partition(from, to, f, start, end, nLeft), then, unless `children` is null,
   * children(to, ...) of the moved samples (a threaded builder may do both in one task).
   */
  split(from: number, to: number, f: number, start: number, end: number, nLeft: number, children: SplitChildren | null): void
  /** The calling thread's kernels (clearing). */
  readonly kernels: KernelExports
}

/** What HistogramBuilder.children takes besides the part: the smaller child's samples start..end, the histograms and the requests. */
export interface SplitChildren {
  readonly start: number
  readonly end: number
  readonly parent: Float64Array
  readonly small: Float64Array
  readonly large: Float64Array
  readonly smallReq: SplitRequest | null
  readonly largeReq: SplitRequest | null
}

/** HistogramBuilder.split as its two steps, one after the other. */
export function splitInSteps(builder: HistogramBuilder, from: number, to: number, f: number, start: number, end: number, nLeft: number, children: SplitChildren | null): void {
  builder.partition(from, to, f, start, end, nLeft)
  if (children !== null) builder.children(to, children.start, children.end, children.parent, children.small, children.large, children.smallReq, children.largeReq)
}

interface OpenNode {
  readonly id: number
  readonly start: number
  readonly end: number
  readonly depth: number
  readonly part: number
  readonly g: number
  readonly h: number
  hist: Float64Array | null
  readonly split: SplitInfo
}

/**
 * Grows gradient-boosting trees leaf-wise (best first, as LightGBM and scikit-learn's TreeGrower):
 * the open leaf of largest split gain is split next, until maxLeafNodes leaves exist or no leaf can
 * be split. A split moves its node's samples (index, gradient pair and row of bin codes) into the
 * other node-ordered copy, stably, so every node's samples are contiguous and in data order:
 * histograms stream them (no gather of random rows in deep nodes) and sum in a fixed order. Only
 * the smaller child's histogram is built, the larger one is the parent's minus it; the root's
 * counts are the same for every tree and are counted once. Reused across the trees of one fit:
 * the buffers are allocated once.
 */
export class TreeGrower {
  /** Free histograms: the memory's slots first (the kernels write them in place), then any made on the heap once they ran out. */
  readonly #pool: Float64Array[]
  readonly #histLength: number
  /** Count slots of the root histogram, by bin. */
  #rootCounts: Float64Array | null = null

  /** The builder reads the gradients of buffers.gh[c] after its useTree(c). */
  constructor(
    private readonly buffers: SampleBuffers,
    private readonly nSamples: number,
    private readonly mapper: BinMapper,
    private readonly builder: HistogramBuilder,
    private readonly params: GrowerParams,
  ) {
    this.#histLength = mapper.totalBins * 3
    this.#pool = [...buffers.histograms].reverse()
  }

  /** Sample indices of a part's positions (null for DATA_ORDER: position k is sample k). */
  sampleIndices(part: number): PositionIndex | null {
    return part === DATA_ORDER ? null : positionIndex(this.buffers, part, this.mapper.nFeatures)
  }

  /** A histogram from the pool, zeroed unless `overwritten` (the caller writes every slot, as a subtraction does). */
  #acquire(overwritten = false): Float64Array {
    const h = this.#pool.pop()
    if (h === undefined) return new Float64Array(this.#histLength)
    if (!overwritten) clearHistogram(this.builder.kernels, this.buffers, h)
    return h
  }

  #release(node: OpenNode): void {
    if (node.hist !== null) this.#pool.push(node.hist)
    node.hist = null
  }

  /** Grows one tree on the gradients/hessians the builder was told to use (useTree). */
  grow(): GrownTree {
    const n = this.nSamples
    const p = this.params
    const t: GrownTree = { feature: [], bin: [], threshold: [], missingLeft: [], left: [], right: [], value: [], gain: [], start: [], end: [], part: [] }
    const addNode = (start: number, end: number, part: number): number => {
      t.feature.push(-1)
      t.bin.push(0)
      t.threshold.push(0)
      t.missingLeft.push(false)
      t.left.push(-1)
      t.right.push(-1)
      t.value.push(0)
      t.gain.push(0)
      t.start.push(start)
      t.end.push(end)
      t.part.push(part)
      return t.feature.length - 1
    }
    const finalize = (node: OpenNode): void => {
      t.value[node.id] = p.learningRate * nodeValue(node.g, node.h, p.l2Regularization)
      this.#release(node)
    }
    const canSplit = (n: number, depth: number): boolean => n >= 2 * p.minSamplesLeaf && (p.maxDepth === null || depth < p.maxDepth)
    const open: OpenNode[] = []
    // the root's counts are the same every tree: the first tree's build counts them (on the
    // builder's threads), later ones build gradients and hessians only and copy the counts in
    // (with constant hessians the hessian slot is the count)
    const rootHist = this.#acquire()
    const counting = !p.constHessian && this.#rootCounts === null
    this.builder.build(DATA_ORDER, 0, n, rootHist, counting)
    if (counting) {
      const counts = (this.#rootCounts = new Float64Array(this.mapper.totalBins))
      for (let b = 0; b < counts.length; b++) counts[b] = rootHist[3 * b + 2]
    } else if (this.#rootCounts !== null) {
      const counts = this.#rootCounts
      for (let b = 0; b < counts.length; b++) rootHist[3 * b + 2] = counts[b]
    }
    // the root's sums come from its histogram (any feature's bins add up to the node's totals)
    let g = 0
    let h = 0
    const j0 = this.mapper.binOffset[0] * 3
    const j1 = this.mapper.binOffset[1] * 3
    for (let j = j0; j < j1; j += 3) {
      g += rootHist[j]
      h += rootHist[j + 1]
    }
    const root: OpenNode = { id: addNode(0, n, DATA_ORDER), start: 0, end: n, depth: 0, part: DATA_ORDER, g, h, hist: rootHist, split: new SplitInfo() }
    const rootReq = this.#request(root, canSplit)
    if (rootReq !== null) this.builder.findSplit(rootHist, rootReq)
    this.#consider(root, open, finalize)
    let nLeaves = 1
    while (open.length > 0) {
      if (p.maxLeafNodes !== null && nLeaves >= p.maxLeafNodes) {
        for (const node of open) finalize(node)
        break
      }
      // highest gain first, ties to the older node
      let bi = 0
      for (let i = 1; i < open.length; i++) if (open[i].split.gain > open[bi].split.gain) bi = i
      const node = open.splice(bi, 1)[0]
      const s = node.split
      const part = node.part === 0 ? 1 : 0
      // the left child's size is known from the histogram: its samples go to start.., the right ones to mid..
      const mid = node.start + s.nLeft
      t.feature[node.id] = s.feature
      t.bin[node.id] = s.bin
      // the split after the last non-missing bin (every number left, NaN right) uses Number.MAX_VALUE, not Infinity, which JSON cannot carry
      t.threshold[node.id] = s.bin < this.mapper.nBins[s.feature] - 1 ? this.mapper.edges[this.mapper.edgeStart[s.feature] + s.bin] : Number.MAX_VALUE
      t.missingLeft[node.id] = s.missingLeft
      t.gain[node.id] = s.gain
      const lid = addNode(node.start, mid, part)
      const rid = addNode(mid, node.end, part)
      t.left[node.id] = lid
      t.right[node.id] = rid
      nLeaves++
      const depth = node.depth + 1
      const left: OpenNode = { id: lid, start: node.start, end: mid, depth, part, g: s.gLeft, h: s.hLeft, hist: null, split: new SplitInfo() }
      const right: OpenNode = { id: rid, start: mid, end: node.end, depth, part, g: s.gRight, h: s.hRight, hist: null, split: new SplitInfo() }
      // the split that reaches maxLeafNodes makes two leaves: their histograms would never be read
      const full = p.maxLeafNodes !== null && nLeaves >= p.maxLeafNodes
      const splitLeft = !full && canSplit(mid - node.start, depth)
      const splitRight = !full && canSplit(node.end - mid, depth)
      let children: SplitChildren | null = null
      if (splitLeft || splitRight) {
        const [small, large] = mid - node.start <= node.end - mid ? [left, right] : [right, left]
        small.hist = this.#acquire(true)
        large.hist = this.#acquire(true)
        const req = (child: OpenNode): SplitRequest | null => ((child === left ? splitLeft : splitRight) ? this.#request(child, canSplit) : null)
        children = { start: small.start, end: small.end, parent: node.hist!, small: small.hist, large: large.hist, smallReq: req(small), largeReq: req(large) }
      }
      this.#split(node, part, children)
      this.#release(node)
      this.#consider(left, open, finalize)
      this.#consider(right, open, finalize)
    }
    return t
  }

  /** What to ask the builder for the node's best split, or null when the node must be a leaf (too few samples, too deep, too little hessian). */
  #request(node: OpenNode, canSplit: (n: number, depth: number) => boolean): SplitRequest | null {
    const n = node.end - node.start
    if (!canSplit(n, node.depth) || node.h < this.params.minHessianToSplit) return null
    return { g: node.g, h: node.h, n, out: node.split }
  }

  /** Opens the node when the builder found it a split (gain > 0; a node not asked for has gain 0), else makes it a leaf. */
  #consider(node: OpenNode, open: OpenNode[], finalize: (node: OpenNode) => void): void {
    if (node.hist === null || node.split.gain <= 0) return finalize(node)
    open.push(node)
  }

  /**
   * Moves the node's samples into part `to` at the same positions, stably: left child first (its
   * size is known from the histogram), right child after (the builder moves them, with its threads
   * for large splits); then the children's histograms and splits, when asked for.
   */
  #split(node: OpenNode, to: number, children: SplitChildren | null): void {
    const s = node.split
    const f = s.feature
    const goesLeft = this.buffers.goesLeft
    const missing = this.mapper.nBins[f]
    for (let b = 0; b <= missing; b++) goesLeft[b] = b <= s.bin ? 1 : 0
    goesLeft[missing] = s.missingLeft ? 1 : 0
    this.builder.split(node.part, to, f, node.start, node.end, s.nLeft, children)
  }
}
