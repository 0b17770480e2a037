import type { BinMapper } from './bin-mapper.js'

/** What a split needs beyond the histogram (scikit-learn's SplittingContext). */
export interface SplitConstraints {
  readonly l2Regularization: number
  readonly minSamplesLeaf: number
  /** Least hessian sum a child may have (sklearn's min_hessian_to_split, 1e-3). */
  readonly minHessianToSplit: number
  /** Hessians are all 1 (squared / absolute error): a bin's hessian sum is its count. */
  readonly constHessian: boolean
}

/** The best split of one node; `gain` 0 means none was found. */
export class SplitInfo {
  gain = 0
  feature = -1
  /** Non-missing samples with bin ≤ bin go left. */
  bin = 0
  missingLeft = false
  gLeft = 0
  hLeft = 0
  nLeft = 0
  gRight = 0
  hRight = 0
  nRight = 0
}

/**
 * Leaf value −G / (H + λ) (Newton step, before shrinkage): the 1e-15 keeps a node of zero hessian
 * finite, as scikit-learn's compute_node_value does.
 */
export function nodeValue(g: number, h: number, l2: number): number {
  return -g / (h + l2 + 1e-15)
}

/**
 * Finds the split of a node with gradient sum G, hessian sum H and N samples that maximises
 *   gain = G_L² / (H_L + λ) + G_R² / (H_R + λ) − G² / (H + λ)
 * (twice the loss reduction of XGBoost's paper, eq. 7; scikit-learn's _split_gain without the
 * constant), over features in order and bins left to right, first best kept on ties. Missing
 * values (the feature's last bin) are tried on the right (scan left to right, including the split
 * "all non-missing left, missing right") and, when the node has any, on the left (scan right to
 * left), so each split learns its default direction. A feature without NaN in training sends NaN
 * to the child with more samples (sklearn's rule). Children need ≥ minSamplesLeaf samples and
 * ≥ minHessianToSplit hessian. Returns false (out.gain = 0) when no split has positive gain.
 */
export function findBestSplit(
  hist: Float64Array,
  mapper: BinMapper,
  G: number,
  H: number,
  N: number,
  c: SplitConstraints,
  out: SplitInfo,
): boolean {
  const { nBins, binOffset, hasMissing } = mapper
  const l2 = c.l2Regularization
  const minLeaf = c.minSamplesLeaf
  const minHess = c.minHessianToSplit
  const hSlot = c.constHessian ? 2 : 1
  const parent = (G * G) / (H + l2)
  let best = 0
  out.gain = 0
  out.feature = -1
  for (let f = 0; f < mapper.nFeatures; f++) {
    const off = binOffset[f] * 3
    const nb = nBins[f]
    const nMissing = hist[off + nb * 3 + 2]
    // left to right, missing right; with missing values the last non-missing bin is a split too
    const last = nMissing > 0 ? nb : nb - 1
    let gl = 0
    let hl = 0
    let nl = 0
    for (let b = 0; b < last; b++) {
      const j = off + b * 3
      gl += hist[j]
      hl += hist[j + hSlot]
      nl += hist[j + 2]
      if (nl < minLeaf) continue
      const nr = N - nl
      if (nr < minLeaf) break
      const hr = H - hl
      if (hl < minHess || hr < minHess) continue
      const gr = G - gl
      const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent
      if (gain > best) {
        best = gain
        out.feature = f
        out.bin = b
        out.missingLeft = false
        out.gLeft = gl
        out.hLeft = hl
        out.nLeft = nl
        out.gRight = gr
        out.hRight = hr
        out.nRight = nr
      }
    }
    if (nMissing > 0) {
      // right to left, missing left
      let gr = 0
      let hr = 0
      let nr = 0
      for (let b = nb - 2; b >= 0; b--) {
        const j = off + (b + 1) * 3
        gr += hist[j]
        hr += hist[j + hSlot]
        nr += hist[j + 2]
        if (nr < minLeaf) continue
        const nl = N - nr
        if (nl < minLeaf) break
        const hl = H - hr
        if (hl < minHess || hr < minHess) continue
        const gl = G - gr
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent
        if (gain > best) {
          best = gain
          out.feature = f
          out.bin = b
          out.missingLeft = true
          out.gLeft = gl
          out.hLeft = hl
          out.nLeft = nl
          out.gRight = gr
          out.hRight = hr
          out.nRight = nr
        }
      }
    }
    if (out.feature === f && hasMissing[f] === 0) out.missingLeft = out.nLeft > out.nRight
  }
  out.gain = best
  return best > 0
}
