import type { BinMapper } from './bin-mapper.js'
import { buildHistogram, subtractHistogram } from './histogram.js'
import { findBestSplit, nodeValue, SplitInfo, type SplitConstraints } from './splitter.js'

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
  /** Samples of a leaf are idx[start[node] .. end[node]) of the grower. */
  readonly start: number[]
  readonly end: number[]
}

export interface GrowerParams extends SplitConstraints {
  /** null: unlimited. */
  readonly maxLeafNodes: number | null
  /** null: unlimited; the root has depth 0. */
  readonly maxDepth: number | null
  readonly learningRate: number
}

/** Something that builds node histograms (in-thread, or split by feature across worker threads). */
export interface HistogramBuilder {
  /** Adds samples idx[start..end) (start..end when idx is null) of the current tree's gradients into hist (zeroed). */
  build(idx: Uint32Array | null, start: number, end: number, hist: Float64Array): void
}

interface OpenNode {
  readonly id: number
  readonly start: number
  readonly end: number
  readonly depth: number
  readonly g: number
  readonly h: number
  hist: Float64Array | null
  readonly split: SplitInfo
}

/**
 * Grows gradient-boosting trees leaf-wise (best first, as LightGBM and scikit-learn's TreeGrower):
 * the open leaf of largest split gain is split next, until maxLeafNodes leaves exist or no leaf can
 * be split. Sample indices are partitioned in place (stable, so histogram sums keep a fixed order);
 * only the smaller child's histogram is built, the larger one is the parent's minus it.
 * Reused across the trees of one fit: the buffers are allocated once.
 */
export class TreeGrower {
  /** Sample indices, partitioned so that every node owns a contiguous range. */
  readonly idx: Uint32Array
  readonly #scratch: Uint32Array
  readonly #scratchGh: Float32Array
  /** Per-split table: 1 where a bin code goes left. */
  readonly #goesLeft = new Uint8Array(256)
  readonly #pool: Float64Array[] = []
  readonly #histLength: number

  /**
   * `columns` holds bin codes column-major (feature f of sample i at f * nSamples + i): a partition
   * reads one feature of random samples, and a 1-byte-per-sample column stays in cache where
   * row-major codes would cost a miss per sample. `idx` (length nSamples) may live in a
   * SharedArrayBuffer for worker-thread builders.
   */
  constructor(
    private readonly columns: Uint8Array,
    private readonly nSamples: number,
    private readonly mapper: BinMapper,
    private readonly builder: HistogramBuilder,
    private readonly params: GrowerParams,
    idx: Uint32Array = new Uint32Array(nSamples),
    /** Gradient/hessian pairs kept in idx order, so histograms read them sequentially (length 2 nSamples). */
    readonly ordered: Float32Array = new Float32Array(2 * nSamples),
  ) {
    this.idx = idx
    this.#scratchGh = new Float32Array(2 * nSamples)
    this.#scratch = new Uint32Array(nSamples)
    this.#histLength = mapper.totalBins * 3
  }

  #acquire(): Float64Array {
    const h = this.#pool.pop()
    if (h === undefined) return new Float64Array(this.#histLength)
    h.fill(0)
    return h
  }

  #release(node: OpenNode): void {
    if (node.hist !== null) this.#pool.push(node.hist)
    node.hist = null
  }

  /** Grows one tree on gradients/hessians `gh` (interleaved by sample; the builder reads the same). */
  grow(gh: Float32Array): GrownTree {
    const n = this.nSamples
    const p = this.params
    const { idx } = this
    for (let i = 0; i < n; i++) idx[i] = i
    this.ordered.set(gh)
    const t: GrownTree = { feature: [], bin: [], threshold: [], missingLeft: [], left: [], right: [], value: [], gain: [], start: [], end: [] }
    const addNode = (start: number, end: number): number => {
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
      return t.feature.length - 1
    }
    const finalize = (node: OpenNode): void => {
      t.value[node.id] = p.learningRate * nodeValue(node.g, node.h, p.l2Regularization)
      this.#release(node)
    }
    const canSplit = (n: number, depth: number): boolean => n >= 2 * p.minSamplesLeaf && (p.maxDepth === null || depth < p.maxDepth)
    const open: OpenNode[] = []
    // the root's sums come from its histogram (any feature's bins add up to the node's totals)
    const rootHist = this.#acquire()
    this.builder.build(null, 0, n, rootHist)
    let g = 0
    let h = 0
    const j0 = this.mapper.binOffset[0] * 3
    const j1 = this.mapper.binOffset[1] * 3
    for (let j = j0; j < j1; j += 3) {
      g += rootHist[j]
      h += rootHist[j + (p.constHessian ? 2 : 1)]
    }
    const root: OpenNode = { id: addNode(0, n), start: 0, end: n, depth: 0, g, h, hist: rootHist, split: new SplitInfo() }
    this.#consider(root, open, canSplit, finalize)
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
      const mid = this.#partition(node.start, node.end, s)
      t.feature[node.id] = s.feature
      t.bin[node.id] = s.bin
      // the split after the last non-missing bin (every number left, NaN right) uses Number.MAX_VALUE, not Infinity, which JSON cannot carry
      t.threshold[node.id] = s.bin < this.mapper.nBins[s.feature] - 1 ? this.mapper.edges[this.mapper.edgeStart[s.feature] + s.bin] : Number.MAX_VALUE
      t.missingLeft[node.id] = s.missingLeft
      t.gain[node.id] = s.gain
      const lid = addNode(node.start, mid)
      const rid = addNode(mid, node.end)
      t.left[node.id] = lid
      t.right[node.id] = rid
      nLeaves++
      const depth = node.depth + 1
      const left: OpenNode = { id: lid, start: node.start, end: mid, depth, g: s.gLeft, h: s.hLeft, hist: null, split: new SplitInfo() }
      const right: OpenNode = { id: rid, start: mid, end: node.end, depth, g: s.gRight, h: s.hRight, hist: null, split: new SplitInfo() }
      const splitLeft = canSplit(mid - node.start, depth)
      const splitRight = canSplit(node.end - mid, depth)
      if (splitLeft || splitRight) {
        const [small, large] = mid - node.start <= node.end - mid ? [left, right] : [right, left]
        small.hist = this.#acquire()
        this.builder.build(this.idx, small.start, small.end, small.hist)
        large.hist = this.#acquire()
        subtractHistogram(node.hist!, small.hist, large.hist, this.mapper.binOffset, 0, this.mapper.nFeatures)
      }
      this.#release(node)
      this.#consider(left, open, canSplit, finalize)
      this.#consider(right, open, canSplit, finalize)
    }
    return t
  }

  /** Finds the node's best split and opens it, or makes it a leaf. */
  #consider(node: OpenNode, open: OpenNode[], canSplit: (n: number, depth: number) => boolean, finalize: (node: OpenNode) => void): void {
    const n = node.end - node.start
    if (node.hist === null || !canSplit(n, node.depth) || node.h < this.params.minHessianToSplit) return finalize(node)
    if (!findBestSplit(node.hist, this.mapper, node.g, node.h, n, this.params, node.split)) return finalize(node)
    open.push(node)
  }

  /**
   * Stable in-place partition of idx[start..end) by the split; returns where the right child starts.
   * Branch-free (each index is written to both sides, one cursor advances): the side is a coin flip
   * the CPU cannot predict, and the branchy loop cost a third of fit time at 100k rows.
   */
  #partition(start: number, end: number, s: SplitInfo): number {
    const { idx } = this
    const scratch = this.#scratch
    const f = s.feature
    const col = this.columns.subarray(f * this.nSamples, (f + 1) * this.nSamples)
    const goesLeft = this.#goesLeft
    const missing = this.mapper.nBins[f]
    for (let b = 0; b <= missing; b++) goesLeft[b] = b <= s.bin ? 1 : 0
    goesLeft[missing] = s.missingLeft ? 1 : 0
    const og = this.ordered
    const sg = this.#scratchGh
    let l = start
    let r = 0
    for (let k = start; k < end; k++) {
      const i = idx[k]
      const left = goesLeft[col[i]]
      const g = og[2 * k]
      const h = og[2 * k + 1]
      idx[l] = i
      og[2 * l] = g
      og[2 * l + 1] = h
      scratch[r] = i
      sg[2 * r] = g
      sg[2 * r + 1] = h
      l += left
      r += 1 - left
    }
    idx.set(scratch.subarray(0, r), l)
    og.set(sg.subarray(0, 2 * r), 2 * l)
    return l
  }
}
