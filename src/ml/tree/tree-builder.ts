import { Random } from '../random.js'
import { BIN_STRIDE, type BinnedData } from './binning.js'
import type { FlatTree } from './flat-tree.js'

/** Everything buildTree needs, already validated and resolved to numbers (safe to post to a worker). */
export interface TreeBuildParams {
  /** 1 for regression trees. */
  readonly nClasses: number
  /** 'squared_error' grows a regression tree (buildRegressionTree); the others a classification tree. */
  readonly criterion: 'gini' | 'entropy' | 'squared_error'
  /** Infinity for unlimited. */
  readonly maxDepth: number
  readonly minSamplesSplit: number
  readonly minSamplesLeaf: number
  /** Number of non-constant features examined per node. */
  readonly maxFeatures: number
  readonly bootstrap: boolean
}

// sklearn's EPSILON: a node whose impurity is below this is pure
const EPSILON = 2.220446049250313e-16

/**
 * Grows one CART tree on pre-binned features: per node, a class-count histogram per candidate
 * feature, scanned in bin order for the best gini / entropy split. Deterministic for a given seed.
 */
export function buildTree(d: BinnedData, y: ArrayLike<number>, p: TreeBuildParams, seed: number): FlatTree {
  const n = d.nSamples
  const nf = d.nFeatures
  const K = p.nClasses
  const { codes, binLo, binHi, nBins } = d
  const rng = new Random(seed)
  const entropy = p.criterion === 'entropy'

  const ws = workspace(n, K)
  // bootstrap as integer sample weights, like sklearn; samples lists the distinct rows drawn
  const w = ws.w
  let m = 0
  if (p.bootstrap) {
    w.fill(0, 0, n)
    for (let i = 0; i < n; i++) w[rng.int(n)] += 1
    for (let i = 0; i < n; i++) if (w[i] > 0) m++
  } else {
    w.fill(1, 0, n)
    m = n
  }
  const samples = ws.samples
  for (let i = 0, t = 0; i < n; i++) if (w[i] > 0) samples[t++] = i

  const { feature, threshold, left, right, value } = ws
  const importance = new Float64Array(nf)
  let nNodes = 0
  let nLeaves = 0

  // DFS stack: start, end, depth, parent (−1 root), side (0 left, 1 right), and class counts
  const { sStart, sEnd, sDepth, sParent, sSide, sCounts } = ws
  let top = 0
  sStart[0] = 0
  sEnd[0] = m
  sDepth[0] = 0
  sParent[0] = -1
  sCounts.fill(0, 0, K)
  for (let t = 0; t < m; t++) sCounts[y[samples[t]]] += w[samples[t]]
  top = 1

  const { hist, cnt, touched, ordered } = ws
  const counts = new Float64Array(K)
  const leftAcc = new Float64Array(K)
  const bestLeft = new Float64Array(K)
  const feats = new Int32Array(nf)
  for (let f = 0; f < nf; f++) feats[f] = f

  while (top > 0) {
    top--
    const start = sStart[top]
    const end = sEnd[top]
    const depth = sDepth[top]
    const parent = sParent[top]
    let W = 0
    for (let c = 0; c < K; c++) {
      counts[c] = sCounts[top * K + c]
      W += counts[c]
    }
    const id = nNodes++
    if (parent >= 0) {
      if (sSide[top] === 0) left[parent] = id
      else right[parent] = id
    }
    const mNode = end - start
    const imp = impurity(counts, W, K, entropy)

    let bestF = -1
    let bestBinL = 0
    let bestBinR = 0
    if (depth < p.maxDepth && mNode >= p.minSamplesSplit && mNode >= 2 * p.minSamplesLeaf && imp > EPSILON) {
      let bestProxy = -Infinity
      let visited = 0
      for (let t = 0; t < nf && visited < p.maxFeatures; t++) {
        // draw features without replacement (Fisher–Yates step); constant ones don't count
        const j = t + rng.int(nf - t)
        const f = feats[j]
        feats[j] = feats[t]
        feats[t] = f
        const base = f * n
        const nb = nBins[f]
        let tc = 0
        // large nodes: branch-free fill, then find the used bins by one sweep; small nodes: remember touched bins
        const dense = mNode > 2 * nb
        if (dense) {
          for (let i = start; i < end; i++) {
            const s = samples[i]
            const b = codes[base + s]
            cnt[b]++
            hist[b * K + y[s]] += w[s]
          }
          for (let b = 0; b < nb; b++) if (cnt[b] > 0) touched[tc++] = b
        } else {
          for (let i = start; i < end; i++) {
            const s = samples[i]
            const b = codes[base + s]
            if (cnt[b] === 0) touched[tc++] = b
            cnt[b]++
            hist[b * K + y[s]] += w[s]
          }
        }
        if (tc > 1) {
          visited++
          // bins in increasing order: sort the few touched ones, or sweep all when many
          let no = 0
          if (dense) {
            for (let a = 0; a < tc; a++) ordered[a] = touched[a]
            no = tc
          } else if (tc <= 32) {
            for (let a = 0; a < tc; a++) {
              const v = touched[a]
              let q = a
              while (q > 0 && ordered[q - 1] > v) {
                ordered[q] = ordered[q - 1]
                q--
              }
              ordered[q] = v
            }
            no = tc
          } else {
            for (let b = 0; b < nb; b++) if (cnt[b] > 0) ordered[no++] = b
          }
          for (let c = 0; c < K; c++) leftAcc[c] = 0
          let wL = 0
          let nL = 0
          for (let a = 0; a < no - 1; a++) {
            const b = ordered[a]
            for (let c = 0; c < K; c++) {
              const h = hist[b * K + c]
              leftAcc[c] += h
              wL += h
            }
            nL += cnt[b]
            if (nL < p.minSamplesLeaf) continue
            if (mNode - nL < p.minSamplesLeaf) break
            const wR = W - wL
            let proxy: number
            if (entropy) {
              proxy = -xlogx(wL) - xlogx(wR)
              for (let c = 0; c < K; c++) proxy += xlogx(leftAcc[c]) + xlogx(counts[c] - leftAcc[c])
            } else {
              let sl = 0
              let sr = 0
              for (let c = 0; c < K; c++) {
                const l = leftAcc[c]
                const r = counts[c] - l
                sl += l * l
                sr += r * r
              }
              proxy = sl / wL + sr / wR
            }
            if (proxy > bestProxy) {
              bestProxy = proxy
              bestF = f
              bestBinL = b
              bestBinR = ordered[a + 1]
              for (let c = 0; c < K; c++) bestLeft[c] = leftAcc[c]
            }
          }
        }
        for (let a = 0; a < tc; a++) {
          const b = touched[a]
          cnt[b] = 0
          for (let c = 0; c < K; c++) hist[b * K + c] = 0
        }
      }
    }

    if (bestF < 0) {
      feature[id] = -1
      threshold[id] = 0 // scratch arrays are reused: every field of a node must be written
      left[id] = nLeaves
      right[id] = -1
      for (let c = 0; c < K; c++) value[nLeaves * K + c] = counts[c]
      nLeaves++
      continue
    }

    // threshold midway between the two bins' training values, in feature units
    const hi = binHi[bestF * BIN_STRIDE + bestBinL]
    const lo = binLo[bestF * BIN_STRIDE + bestBinR]
    let thr = hi / 2 + lo / 2
    if (thr >= lo || !Number.isFinite(thr)) thr = hi
    feature[id] = bestF
    threshold[id] = thr

    // partition samples[start, end) so that bin <= bestBinL comes first
    const base = bestF * n
    let i = start
    let j = end - 1
    while (i <= j) {
      if (codes[base + samples[i]] <= bestBinL) i++
      else {
        const tmp = samples[i]
        samples[i] = samples[j]
        samples[j] = tmp
        j--
      }
    }
    const mid = i
    let wL = 0
    for (let c = 0; c < K; c++) wL += bestLeft[c]
    const wR = W - wL
    for (let c = 0; c < K; c++) leftAcc[c] = counts[c] - bestLeft[c]
    importance[bestF] += W * imp - wL * impurity(bestLeft, wL, K, entropy) - wR * impurity(leftAcc, wR, K, entropy)

    // push right first so the left child is numbered (and built) next: pre-order like sklearn
    sStart[top] = mid
    sEnd[top] = end
    sDepth[top] = depth + 1
    sParent[top] = id
    sSide[top] = 1
    for (let c = 0; c < K; c++) sCounts[top * K + c] = leftAcc[c]
    top++
    sStart[top] = start
    sEnd[top] = mid
    sDepth[top] = depth + 1
    sParent[top] = id
    sSide[top] = 0
    for (let c = 0; c < K; c++) sCounts[top * K + c] = bestLeft[c]
    top++
  }

  return {
    feature: feature.slice(0, nNodes),
    threshold: threshold.slice(0, nNodes),
    left: left.slice(0, nNodes),
    right: right.slice(0, nNodes),
    value: value.slice(0, nLeaves * K),
    nLeaves,
    importance,
  }
}

interface Workspace {
  readonly n: number
  readonly k: number
  readonly w: Float64Array
  readonly samples: Int32Array
  readonly feature: Int32Array
  readonly threshold: Float64Array
  readonly left: Int32Array
  readonly right: Int32Array
  readonly value: Float64Array
  readonly sStart: Int32Array
  readonly sEnd: Int32Array
  readonly sDepth: Int32Array
  readonly sParent: Int32Array
  readonly sSide: Uint8Array
  readonly sCounts: Float64Array
  readonly hist: Float64Array
  readonly cnt: Int32Array
  readonly touched: Int32Array
  readonly ordered: Int32Array
}

let cached: Workspace | undefined

/**
 * Scratch arrays reused by every tree this thread builds: allocating ~100 bytes per sample per tree
 * made two threads fight over page faults, and the GC, more than over the CPU.
 */
function workspace(n: number, k: number): Workspace {
  if (cached !== undefined && cached.n >= n && cached.k >= k) return cached
  cached = {
    n,
    k,
    w: new Float64Array(n),
    samples: new Int32Array(n),
    feature: new Int32Array(2 * n),
    threshold: new Float64Array(2 * n),
    left: new Int32Array(2 * n),
    right: new Int32Array(2 * n),
    value: new Float64Array(n * k),
    sStart: new Int32Array(n + 2),
    sEnd: new Int32Array(n + 2),
    sDepth: new Int32Array(n + 2),
    sParent: new Int32Array(n + 2),
    sSide: new Uint8Array(n + 2),
    sCounts: new Float64Array((n + 2) * k),
    hist: new Float64Array(BIN_STRIDE * k),
    cnt: new Int32Array(BIN_STRIDE),
    touched: new Int32Array(BIN_STRIDE),
    ordered: new Int32Array(BIN_STRIDE),
  }
  return cached
}

function xlogx(v: number): number {
  return v > 0 ? v * Math.log(v) : 0
}

/** Gini or entropy (bits) of weighted class counts summing to W. */
function impurity(counts: Float64Array, W: number, K: number, entropy: boolean): number {
  if (W <= 0) return 0
  let s = 0
  if (entropy) {
    for (let c = 0; c < K; c++) {
      const q = counts[c] / W
      if (q > 0) s -= q * Math.log2(q)
    }
    return s
  }
  for (let c = 0; c < K; c++) {
    const q = counts[c] / W
    s += q * q
  }
  return 1 - s
}
