import type { FlatTree } from './flat-tree.js'

/**
 * Fitted trees repacked for prediction into one contiguous buffer, so a single-row predict touches
 * as few cache lines as possible (the 100-tree forest on 100k rows has ~2M nodes: memory-bound).
 *
 * The buffer is a sequence of 8-byte units, viewed as Int32Array (2 per unit) and Float64Array
 * (1 per unit). Each tree is stored depth-first (pre-order), so an internal node's left child is the
 * record right after it and only the right child's position is stored:
 *
 *   internal node at unit u (2 units): i32[2u] = feature ≥ 0, i32[2u + 1] = unit of the right child,
 *                                      f64[u + 1] = threshold (x[feature] <= threshold goes left)
 *   leaf at unit u (1 unit):           i32[2u] = -1, i32[2u + 1] = offset of its row in `proba`
 *
 * Leaf probabilities (counts / their sum, as leafProba) are kept once per distinct row: fully grown
 * trees have nearly only pure leaves, so the shared table is a few rows that stay in cache.
 */
export class PackedForest {
  readonly nTrees: number
  readonly nClasses: number
  /** Unit of each tree's root. */
  readonly roots: Int32Array
  readonly nodes: Int32Array
  readonly thresholds: Float64Array
  /** Distinct leaf probability rows, nClasses values each. */
  readonly proba: Float64Array
  /** Per-tree leaf rows of the last single-row walk (scratch: predicting one row allocates nothing). */
  readonly #leafRows: Int32Array

  private constructor(roots: Int32Array, buffer: ArrayBuffer, proba: Float64Array, nClasses: number) {
    this.nTrees = roots.length
    this.nClasses = nClasses
    this.roots = roots
    this.nodes = new Int32Array(buffer)
    this.thresholds = new Float64Array(buffer)
    this.proba = proba
    this.#leafRows = new Int32Array(roots.length)
  }

  /**
   * Packs trees whose nodes may be in any order (every FlatTree starts at node 0). Leaf rows are the
   * class counts normalised to probabilities, or with `raw` (regression trees, nClasses 1) the leaf
   * values as they are, so probaRows / probaOne then average the trees' predictions.
   */
  static from(trees: readonly FlatTree[], nClasses: number, raw = false): PackedForest {
    let units = 0
    for (const t of trees) units += 2 * t.feature.length - t.nLeaves
    const buffer = new ArrayBuffer(units * 8)
    const i32 = new Int32Array(buffer)
    const f64 = new Float64Array(buffer)
    const table = new ProbaTable(nClasses)
    const roots = new Int32Array(trees.length)
    let maxNodes = 1
    for (const t of trees) maxNodes = Math.max(maxNodes, t.feature.length)
    // DFS stack of (node, unit of the parent whose right child it is, or -1)
    const stackNode = new Int32Array(maxNodes + 1)
    const stackParent = new Int32Array(maxNodes + 1)
    const row = new Float64Array(nClasses)
    let cursor = 0
    for (let t = 0; t < trees.length; t++) {
      const { feature, threshold, left, right, value } = trees[t]
      roots[t] = cursor
      let top = 0
      stackNode[0] = 0
      stackParent[0] = -1
      top = 1
      while (top > 0) {
        top--
        const node = stackNode[top]
        const parent = stackParent[top]
        const u = cursor
        if (parent >= 0) i32[2 * parent + 1] = u
        const f = feature[node]
        if (f < 0) {
          const l = left[node] * nClasses
          let s = 0
          for (let c = 0; c < nClasses; c++) s += value[l + c]
          for (let c = 0; c < nClasses; c++) row[c] = raw ? value[l + c] : s > 0 ? value[l + c] / s : 1 / nClasses
          i32[2 * u] = -1
          i32[2 * u + 1] = table.intern(row) * nClasses
          cursor += 1
          continue
        }
        i32[2 * u] = f
        f64[u + 1] = threshold[node]
        cursor += 2
        stackNode[top] = right[node]
        stackParent[top] = u
        top++
        stackNode[top] = left[node]
        stackParent[top] = -1
        top++
      }
    }
    return new PackedForest(roots, buffer, table.rows(), nClasses)
  }

  /** Offset in `proba` of the leaf that tree t sends the row at x[offset] to. */
  leafRow(t: number, x: ArrayLike<number>, offset: number): number {
    const nodes = this.nodes
    const thr = this.thresholds
    let u = this.roots[t]
    let f = nodes[2 * u]
    while (f >= 0) {
      u = x[offset + f] <= thr[u + 1] ? u + 2 : nodes[2 * u + 1]
      f = nodes[2 * u]
    }
    return nodes[2 * u + 1]
  }

  /**
   * Mean class probabilities over trees for the rows of x (row-major, nCols values each), added in
   * tree order so every row gets the same sums as probaOne. Tree-major (one tree's records stay in
   * cache across rows), four rows walked in lockstep.
   */
  probaRows(x: ArrayLike<number>, nRows: number, nCols: number, out: Float64Array): void {
    const k = this.nClasses
    const proba = this.proba
    const { nodes, thresholds } = this
    const leaves = new Int32Array(nRows)
    for (let t = 0; t < this.nTrees; t++) {
      const root = this.roots[t]
      let i = 0
      for (; i + 4 <= nRows; i += 4) walk4(nodes, thresholds, x, root, root, root, root, i * nCols, (i + 1) * nCols, (i + 2) * nCols, (i + 3) * nCols, leaves, i)
      for (; i < nRows; i++) leaves[i] = this.leafRow(t, x, i * nCols)
      for (i = 0; i < nRows; i++) {
        const leaf = leaves[i]
        for (let c = 0; c < k; c++) out[i * k + c] += proba[leaf + c]
      }
    }
    const inv = 1 / this.nTrees
    for (let i = 0; i < nRows * k; i++) out[i] *= inv
  }

  /** Mean class probabilities for one row into out[0..k): allocates nothing. */
  probaOne(x: ArrayLike<number>, out: Float64Array): void {
    const k = this.nClasses
    const leaves = this.#leafRows
    const { nodes, thresholds, roots } = this
    const T = this.nTrees
    let t = 0
    for (; t + 4 <= T; t += 4) walk4(nodes, thresholds, x, roots[t], roots[t + 1], roots[t + 2], roots[t + 3], 0, 0, 0, 0, leaves, t)
    for (; t < T; t++) leaves[t] = this.leafRow(t, x, 0)
    const proba = this.proba
    for (let c = 0; c < k; c++) out[c] = 0
    for (t = 0; t < T; t++) {
      const leaf = leaves[t]
      for (let c = 0; c < k; c++) out[c] += proba[leaf + c]
    }
    const inv = 1 / T
    for (let c = 0; c < k; c++) out[c] *= inv
  }
}

/**
 * Four walks in lockstep, from units a..d with rows at x[xa..], x[xb..], …; writes their leaf rows
 * to leaves[o..o+4). Walking one tree is a chain of dependent loads (a cache miss per level on big
 * trees); four independent chains let the CPU overlap their misses. The child is picked with a mask
 * instead of a branch, since the comparison is unpredictable.
 */
function walk4(
  nodes: Int32Array,
  thr: Float64Array,
  x: ArrayLike<number>,
  a: number,
  b: number,
  c: number,
  d: number,
  xa: number,
  xb: number,
  xc: number,
  xd: number,
  leaves: Int32Array,
  o: number,
): void {
  let fa = nodes[2 * a]
  let fb = nodes[2 * b]
  let fc = nodes[2 * c]
  let fd = nodes[2 * d]
  // the AND's sign bit is set once all four reached a leaf (feature -1)
  while ((fa & fb & fc & fd) >= 0) {
    if (fa >= 0) {
      const next = a + 2
      a = next ^ ((next ^ nodes[2 * a + 1]) & -+(x[xa + fa] > thr[a + 1]))
      fa = nodes[2 * a]
    }
    if (fb >= 0) {
      const next = b + 2
      b = next ^ ((next ^ nodes[2 * b + 1]) & -+(x[xb + fb] > thr[b + 1]))
      fb = nodes[2 * b]
    }
    if (fc >= 0) {
      const next = c + 2
      c = next ^ ((next ^ nodes[2 * c + 1]) & -+(x[xc + fc] > thr[c + 1]))
      fc = nodes[2 * c]
    }
    if (fd >= 0) {
      const next = d + 2
      d = next ^ ((next ^ nodes[2 * d + 1]) & -+(x[xd + fd] > thr[d + 1]))
      fd = nodes[2 * d]
    }
  }
  leaves[o] = nodes[2 * a + 1]
  leaves[o + 1] = nodes[2 * b + 1]
  leaves[o + 2] = nodes[2 * c + 1]
  leaves[o + 3] = nodes[2 * d + 1]
}

/** Distinct rows of k float64 values, found by an open-addressing hash on their bits. */
class ProbaTable {
  readonly #k: number
  #data: Float64Array
  #n = 0
  #slots: Int32Array
  readonly #bits = new Uint32Array(2)
  readonly #f = new Float64Array(this.#bits.buffer)

  constructor(k: number) {
    this.#k = k
    this.#data = new Float64Array(16 * k)
    this.#slots = new Int32Array(64).fill(-1)
  }

  #hash(row: Float64Array, off: number): number {
    let h = 0x811c9dc5
    for (let c = 0; c < this.#k; c++) {
      this.#f[0] = row[off + c]
      h = Math.imul(h ^ this.#bits[0], 0x9e3779b1)
      h = Math.imul(h ^ this.#bits[1], 0x85ebca6b)
    }
    return (h ^ (h >>> 15)) >>> 0
  }

  /** Row number of `row` (k values), adding it when new. */
  intern(row: Float64Array): number {
    const k = this.#k
    const mask = this.#slots.length - 1
    for (let s = this.#hash(row, 0) & mask; ; s = (s + 1) & mask) {
      const r = this.#slots[s]
      if (r < 0) break
      let same = true
      for (let c = 0; c < k && same; c++) same = this.#data[r * k + c] === row[c]
      if (same) return r
    }
    if (this.#data.length < (this.#n + 1) * k) {
      const grown = new Float64Array(this.#data.length * 2)
      grown.set(this.#data)
      this.#data = grown
    }
    const r = this.#n++
    this.#data.set(row, r * k)
    if (2 * this.#n > this.#slots.length) this.#rehash()
    else this.#insert(r)
    return r
  }

  #insert(r: number): void {
    const mask = this.#slots.length - 1
    let s = this.#hash(this.#data, r * this.#k) & mask
    while (this.#slots[s] >= 0) s = (s + 1) & mask
    this.#slots[s] = r
  }

  #rehash(): void {
    this.#slots = new Int32Array(this.#slots.length * 2).fill(-1)
    for (let r = 0; r < this.#n; r++) this.#insert(r)
  }

  rows(): Float64Array {
    return this.#data.slice(0, this.#n * this.#k)
  }
}
