import { KdTree } from './kd-tree.js'

/** Training rows indexed for k-nearest-neighbour queries (shared by KNN classifier and regressor). */
export interface NeighborIndex {
  readonly nSamples: number
  readonly nFeatures: number
  /** Training rows, row-major. */
  readonly x: Float64Array
  /** Search index for many rows in few dimensions (rebuilt on load, not serialised). */
  readonly tree: KdTree | null
}

/** Below this many rows, or above this many features, brute force is as fast as the k-d tree. */
const KD_MIN_ROWS = 512
const KD_MAX_FEATURES = 16

export function neighborIndex(x: Float64Array, nSamples: number, nFeatures: number): NeighborIndex {
  const tree = nSamples >= KD_MIN_ROWS && nFeatures <= KD_MAX_FEATURES ? new KdTree(x, nSamples, nFeatures) : null
  return { nSamples, nFeatures, x, tree }
}

/**
 * The k nearest training rows of q[qOff..]: indices into idx[0..k), distances into dist[0..k) in
 * increasing order (squared for euclidean, plain for manhattan). Brute force with early-abandoned
 * distances and a sorted k-list, or the k-d tree; ties between equally distant rows keep the lower
 * training index.
 */
export function kNearest(f: NeighborIndex, q: ArrayLike<number>, qOff: number, kn: number, manhattan: boolean, dist: Float64Array, idx: Int32Array): void {
  dist.fill(Infinity)
  idx.fill(-1)
  if (f.tree !== null) {
    f.tree.query(q, qOff, kn, manhattan, dist, idx)
    return
  }
  const { x, nSamples: n, nFeatures: p } = f
  let worst = Infinity
  for (let i = 0, base = 0; i < n; i++, base += p) {
    let d = 0
    if (manhattan) {
      for (let j = 0; j < p; j++) {
        d += Math.abs(x[base + j] - q[qOff + j])
        if (d >= worst) break
      }
    } else {
      for (let j = 0; j < p; j++) {
        const t = x[base + j] - q[qOff + j]
        d += t * t
        if (d >= worst) break
      }
    }
    // strictly closer only: an equally distant later row never displaces an earlier one
    if (d < worst) {
      let pos = kn - 1
      while (pos > 0 && dist[pos - 1] > d) {
        dist[pos] = dist[pos - 1]
        idx[pos] = idx[pos - 1]
        pos--
      }
      dist[pos] = d
      idx[pos] = i
      worst = dist[kn - 1]
    }
  }
}
