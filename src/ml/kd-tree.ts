/**
 * A k-d tree over row-major points for exact k-nearest-neighbour search (euclidean or manhattan).
 * Nodes keep bounding boxes so whole subtrees are skipped when the box is farther than the current
 * k-th neighbour. Results equal brute force, ties included: neighbours are ordered by
 * (distance, training index).
 */
export class KdTree {
  readonly #p: number
  /** Points in tree order (leaves contiguous) and their original row index. */
  readonly #pts: Float64Array
  readonly #index: Int32Array
  readonly #start: Int32Array
  readonly #end: Int32Array
  readonly #left: Int32Array
  readonly #right: Int32Array
  /** Per node, p minima then p maxima. */
  readonly #box: Float64Array
  #nNodes = 0
  readonly #stack: Int32Array
  readonly #stackD: Float64Array

  constructor(data: Float64Array, n: number, p: number, leafSize = 24) {
    this.#p = p
    const idx = new Int32Array(n)
    for (let i = 0; i < n; i++) idx[i] = i
    const maxNodes = 2 * Math.ceil(n / Math.max(1, leafSize >> 1)) + 2
    this.#start = new Int32Array(maxNodes)
    this.#end = new Int32Array(maxNodes)
    this.#left = new Int32Array(maxNodes).fill(-1)
    this.#right = new Int32Array(maxNodes).fill(-1)
    this.#box = new Float64Array(maxNodes * 2 * p)
    this.#build(data, idx, 0, n, leafSize)
    this.#pts = new Float64Array(n * p)
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) this.#pts[i * p + j] = data[idx[i] * p + j]
    this.#index = idx
    this.#stack = new Int32Array(this.#nNodes + 1)
    this.#stackD = new Float64Array(this.#nNodes + 1)
  }

  #build(data: Float64Array, idx: Int32Array, start: number, end: number, leafSize: number): number {
    const p = this.#p
    const id = this.#nNodes++
    this.#start[id] = start
    this.#end[id] = end
    const box = this.#box
    const b = id * 2 * p
    for (let j = 0; j < p; j++) {
      box[b + j] = Infinity
      box[b + p + j] = -Infinity
    }
    for (let i = start; i < end; i++) {
      for (let j = 0; j < p; j++) {
        const v = data[idx[i] * p + j]
        if (v < box[b + j]) box[b + j] = v
        if (v > box[b + p + j]) box[b + p + j] = v
      }
    }
    if (end - start <= leafSize) return id
    let dim = 0
    let spread = -1
    for (let j = 0; j < p; j++) {
      const s = box[b + p + j] - box[b + j]
      if (s > spread) {
        spread = s
        dim = j
      }
    }
    if (spread <= 0) return id // all points equal: keep as one leaf
    const mid = (start + end) >>> 1
    quickselect(data, idx, start, end - 1, mid, dim, p)
    this.#left[id] = this.#build(data, idx, start, mid, leafSize)
    this.#right[id] = this.#build(data, idx, mid, end, leafSize)
    return id
  }

  /**
   * Writes the k nearest neighbours of q[qOff..] into dist / idx (ascending), distances squared for
   * euclidean, plain sums for manhattan.
   */
  query(q: ArrayLike<number>, qOff: number, k: number, manhattan: boolean, dist: Float64Array, idx: Int32Array): void {
    const p = this.#p
    const pts = this.#pts
    const index = this.#index
    const box = this.#box
    const stack = this.#stack
    const stackD = this.#stackD
    dist.fill(Infinity, 0, k)
    idx.fill(0x7fffffff, 0, k)
    let worst = Infinity
    let worstIdx = 0x7fffffff
    let top = 0
    stack[top] = 0
    stackD[top] = 0
    top++
    while (top > 0) {
      top--
      const node = stack[top]
      // prune only when strictly farther: an equally distant point with a lower index may still win a tie
      if (stackD[top] > worst) continue
      const l = this.#left[node]
      if (l < 0) {
        for (let i = this.#start[node], end = this.#end[node]; i < end; i++) {
          const base = i * p
          let d = 0
          if (manhattan) {
            for (let j = 0; j < p; j++) {
              d += Math.abs(pts[base + j] - q[qOff + j])
              if (d > worst) break
            }
          } else {
            for (let j = 0; j < p; j++) {
              const t = pts[base + j] - q[qOff + j]
              d += t * t
              if (d > worst) break
            }
          }
          if (d > worst) continue
          const oi = index[i]
          if (d === worst && oi >= worstIdx) continue
          let pos = k - 1
          while (pos > 0 && (dist[pos - 1] > d || (dist[pos - 1] === d && idx[pos - 1] > oi))) {
            dist[pos] = dist[pos - 1]
            idx[pos] = idx[pos - 1]
            pos--
          }
          dist[pos] = d
          idx[pos] = oi
          worst = dist[k - 1]
          worstIdx = idx[k - 1]
        }
        continue
      }
      const r = this.#right[node]
      const dl = boxDistance(box, l * 2 * p, p, q, qOff, manhattan)
      const dr = boxDistance(box, r * 2 * p, p, q, qOff, manhattan)
      // push the farther child first so the nearer one is searched next
      if (dl <= dr) {
        if (dr <= worst) {
          stack[top] = r
          stackD[top++] = dr
        }
        if (dl <= worst) {
          stack[top] = l
          stackD[top++] = dl
        }
      } else {
        if (dl <= worst) {
          stack[top] = l
          stackD[top++] = dl
        }
        if (dr <= worst) {
          stack[top] = r
          stackD[top++] = dr
        }
      }
    }
  }
}

/** Distance from q to the box (0 inside), squared for euclidean. */
function boxDistance(box: Float64Array, b: number, p: number, q: ArrayLike<number>, qOff: number, manhattan: boolean): number {
  let d = 0
  for (let j = 0; j < p; j++) {
    const v = q[qOff + j]
    const lo = box[b + j]
    const hi = box[b + p + j]
    const t = v < lo ? lo - v : v > hi ? v - hi : 0
    d += manhattan ? t : t * t
  }
  return d
}

/** Reorders idx[lo..hi] so position k holds the median along dim (Hoare quickselect). */
function quickselect(data: Float64Array, idx: Int32Array, lo: number, hi: number, k: number, dim: number, p: number): void {
  while (hi > lo) {
    const pivot = data[idx[(lo + hi) >>> 1] * p + dim]
    let i = lo
    let j = hi
    while (i <= j) {
      while (data[idx[i] * p + dim] < pivot) i++
      while (data[idx[j] * p + dim] > pivot) j--
      if (i <= j) {
        const t = idx[i]
        idx[i] = idx[j]
        idx[j] = t
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return
  }
}
