import { countSlot } from './histogram.js'
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
  const nSlot = countSlot(c.constHessian)
  const parent = (G * G) / (H + c.l2Regularization)
  let best = 0
  out.gain = 0
  out.feature = -1
  for (let f = 0; f < mapper.nFeatures; f++) {
    const off = binOffset[f] * 3
    const nb = nBins[f]
    const withMissing = hist[off + nb * 3 + nSlot] > 0
    best = scanBins(hist, off, nb, withMissing, false, G, H, N, parent, c, f, best, out)
    if (withMissing) best = scanBins(hist, off, nb, true, true, G, H, N, parent, c, f, best, out)
    if (out.feature === f && hasMissing[f] === 0) out.missingLeft = out.nLeft > out.nRight
  }
  out.gain = best
  return best > 0
}

/**
 * One scan of feature f's bins for findBestSplit, writing into `out` every split that beats `best`
 * and returning the new best. missingLeft false: bins left to right, the left side accumulated,
 * missing values right (with `withMissing` the split after the last non-missing bin is tried too);
 * true: right to left, the right side accumulated, missing values left. The side being
 * accumulated gives up (break) once the other one would hold fewer than minSamplesLeaf samples.
 */
function scanBins(
  hist: Float64Array,
  off: number,
  nb: number,
  withMissing: boolean,
  missingLeft: boolean,
  G: number,
  H: number,
  N: number,
  parent: number,
  c: SplitConstraints,
  f: number,
  best: number,
  out: SplitInfo,
): number {
  const l2 = c.l2Regularization
  const minLeaf = c.minSamplesLeaf
  const minHess = c.minHessianToSplit
  const nSlot = countSlot(c.constHessian)
  // splits after bins 0 .. last − 1; scanned from the right, bin b's split adds bin b + 1 to the right side
  const last = withMissing && !missingLeft ? nb : nb - 1
  let ga = 0
  let ha = 0
  let na = 0
  for (let i = 0; i < last; i++) {
    const b = missingLeft ? last - 1 - i : i
    const j = off + (missingLeft ? b + 1 : b) * 3
    ga += hist[j]
    ha += hist[j + 1]
    na += hist[j + nSlot]
    if (na < minLeaf) continue
    if (N - na < minLeaf) break
    const gl = missingLeft ? G - ga : ga
    const hl = missingLeft ? H - ha : ha
    const gr = missingLeft ? ga : G - ga
    const hr = missingLeft ? ha : H - ha
    if (hl < minHess || hr < minHess) continue
    const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent
    if (gain > best) {
      best = gain
      out.feature = f
      out.bin = b
      out.missingLeft = missingLeft
      out.gLeft = gl
      out.hLeft = hl
      out.nLeft = missingLeft ? N - na : na
      out.gRight = gr
      out.hRight = hr
      out.nRight = missingLeft ? na : N - na
    }
  }
  return best
}
