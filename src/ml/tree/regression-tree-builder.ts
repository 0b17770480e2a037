import { Random } from '../random.js'
import { BIN_STRIDE, type BinnedData } from './binning.js'
import type { FlatTree } from './flat-tree.js'
import type { TreeBuildParams } from './tree-builder.js'

// sklearn's EPSILON: a node whose impurity is below this is pure
const EPSILON = 2.220446049250313e-16

/**
 * Grows one CART regression tree (squared error, sklearn's "squared_error" criterion) on pre-binned
 * features: per node and candidate feature a histogram of weight and weighted target sum, scanned in
 * bin order for the split maximising sL²/wL + sR²/wR (sklearn's proxy improvement). Leaves hold the
 * weighted mean target (`value`, one per leaf). The random draws (bootstrap, feature order) are the
 * classifier builder's, so both follow sklearn's procedure. Kept apart from buildTree so the
 * classifier's hot loop stays as measured.
 *
 * Node impurity (the weighted variance, for pure-node checks and importances) is computed in two
 * passes over the node's samples rather than as E[y²] − E[y]², so a constant node is exactly 0.
 */
export function buildRegressionTree(d: BinnedData, y: ArrayLike<number>, p: TreeBuildParams, seed: number): FlatTree {
  const n = d.nSamples
  const nf = d.nFeatures
  const { codes, binLo, binHi, nBins } = d
  const rng = new Random(seed)

  const ws = workspace(n)
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

  const { sStart, sEnd, sDepth, sParent, sSide } = ws
  sStart[0] = 0
  sEnd[0] = m
  sDepth[0] = 0
  sParent[0] = -1
  let top = 1

  const { hw, hs, cnt, touched, ordered } = ws
  const feats = new Int32Array(nf)
  for (let f = 0; f < nf; f++) feats[f] = f

  while (top > 0) {
    top--
    const start = sStart[top]
    const end = sEnd[top]
    const depth = sDepth[top]
    const parent = sParent[top]
    const id = nNodes++
    if (parent >= 0) {
      if (sSide[top] === 0) left[parent] = id
      else right[parent] = id
    }
    // node weight, mean and weighted variance, two passes
    let W = 0
    let S = 0
    for (let i = start; i < end; i++) {
      const s = samples[i]
      W += w[s]
      S += w[s] * y[s]
    }
    const mean = S / W
    let ss = 0
    for (let i = start; i < end; i++) {
      const s = samples[i]
      const e = y[s] - mean
      ss += w[s] * e * e
    }
    const imp = ss / W
    // importance of the parent's split: its W·imp minus each child's
    if (parent >= 0) importance[feature[parent]] -= ss
    const mNode = end - start

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
        const dense = mNode > 2 * nb
        if (dense) {
          for (let i = start; i < end; i++) {
            const s = samples[i]
            const b = codes[base + s]
            cnt[b]++
            hw[b] += w[s]
            hs[b] += w[s] * y[s]
          }
          for (let b = 0; b < nb; b++) if (cnt[b] > 0) touched[tc++] = b
        } else {
          for (let i = start; i < end; i++) {
            const s = samples[i]
            const b = codes[base + s]
            if (cnt[b] === 0) touched[tc++] = b
            cnt[b]++
            hw[b] += w[s]
            hs[b] += w[s] * y[s]
          }
        }
        if (tc > 1) {
          visited++
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
          let wL = 0
          let sL = 0
          let nL = 0
          for (let a = 0; a < no - 1; a++) {
            const b = ordered[a]
            wL += hw[b]
            sL += hs[b]
            nL += cnt[b]
            if (nL < p.minSamplesLeaf) continue
            if (mNode - nL < p.minSamplesLeaf) break
            const sR = S - sL
            const proxy = (sL * sL) / wL + (sR * sR) / (W - wL)
            if (proxy > bestProxy) {
              bestProxy = proxy
              bestF = f
              bestBinL = b
              bestBinR = ordered[a + 1]
            }
          }
        }
        for (let a = 0; a < tc; a++) {
          const b = touched[a]
          cnt[b] = 0
          hw[b] = 0
          hs[b] = 0
        }
      }
    }

    if (bestF < 0) {
      feature[id] = -1
      threshold[id] = 0 // scratch arrays are reused: every field of a node must be written
      left[id] = nLeaves
      right[id] = -1
      value[nLeaves] = mean
      nLeaves++
      continue
    }

    const hi = binHi[bestF * BIN_STRIDE + bestBinL]
    const lo = binLo[bestF * BIN_STRIDE + bestBinR]
    let thr = hi / 2 + lo / 2
    if (thr >= lo || !Number.isFinite(thr)) thr = hi
    feature[id] = bestF
    threshold[id] = thr
    importance[bestF] += ss

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

    // push right first so the left child is numbered (and built) next: pre-order like sklearn
    sStart[top] = mid
    sEnd[top] = end
    sDepth[top] = depth + 1
    sParent[top] = id
    sSide[top] = 1
    top++
    sStart[top] = start
    sEnd[top] = mid
    sDepth[top] = depth + 1
    sParent[top] = id
    sSide[top] = 0
    top++
  }

  return {
    feature: feature.slice(0, nNodes),
    threshold: threshold.slice(0, nNodes),
    left: left.slice(0, nNodes),
    right: right.slice(0, nNodes),
    value: value.slice(0, nLeaves),
    nLeaves,
    importance,
  }
}

interface Workspace {
  readonly n: number
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
  readonly hw: Float64Array
  readonly hs: Float64Array
  readonly cnt: Int32Array
  readonly touched: Int32Array
  readonly ordered: Int32Array
}

let cached: Workspace | undefined

/** Scratch arrays reused by every tree this thread builds (see tree-builder.ts for why). */
function workspace(n: number): Workspace {
  if (cached !== undefined && cached.n >= n) return cached
  cached = {
    n,
    w: new Float64Array(n),
    samples: new Int32Array(n),
    feature: new Int32Array(2 * n),
    threshold: new Float64Array(2 * n),
    left: new Int32Array(2 * n),
    right: new Int32Array(2 * n),
    value: new Float64Array(n),
    sStart: new Int32Array(n + 2),
    sEnd: new Int32Array(n + 2),
    sDepth: new Int32Array(n + 2),
    sParent: new Int32Array(n + 2),
    sSide: new Uint8Array(n + 2),
    hw: new Float64Array(BIN_STRIDE),
    hs: new Float64Array(BIN_STRIDE),
    cnt: new Int32Array(BIN_STRIDE),
    touched: new Int32Array(BIN_STRIDE),
    ordered: new Int32Array(BIN_STRIDE),
  }
  return cached
}
