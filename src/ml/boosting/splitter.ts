import { countSlot, inKernelMemory } from './histogram.js'
import type { KernelExports } from './kernels.js'
import type { SampleBuffers } from './partition.js'
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

/** What a split scan reads of the bin layout (a BinMapper, or its arrays as posted to a worker). */
export type SplitLayout = Pick<BinMapper, 'nFeatures' | 'nBins' | 'binOffset' | 'hasMissing'>

/** A node whose best split is wanted: its gradient and hessian sums, its sample count, and where the split goes (gain 0: none). */
export interface SplitRequest {
  readonly g: number
  readonly h: number
  readonly n: number
  readonly out: SplitInfo
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
  mapper: SplitLayout,
  G: number,
  H: number,
  N: number,
  c: SplitConstraints,
  out: SplitInfo,
  kernels: KernelExports,
  buffers: SampleBuffers,
): boolean {
  let cells = hist
  if (!inKernelMemory(hist, buffers)) {
    cells = buffers.scratch
    cells.set(hist)
  }
  return scanFeatures(cells, mapper, G, H, N, c, out, kernels, buffers.scanOut.byteOffset, 0, mapper.nFeatures)
}

/**
 * findBestSplit over features f0..f1 only, of a histogram in the kernels' memory, the scan kernel
 * reporting at byte address `scanAt` (4 float64; threads scanning at once each need their own).
 * A chunk's first best, then the first best over chunks in feature order (a later chunk only when
 * its gain is strictly greater), is findBestSplit's split bit for bit: the same gains from the
 * same operations, and the same first-best rule.
 */
export function scanFeatures(
  hist: Float64Array,
  mapper: SplitLayout,
  G: number,
  H: number,
  N: number,
  c: SplitConstraints,
  out: SplitInfo,
  kernels: KernelExports,
  scanAt: number,
  f0: number,
  f1: number,
): boolean {
  const { nBins, binOffset, hasMissing } = mapper
  const nSlot = countSlot(c.constHessian)
  const parent = (G * G) / (H + c.l2Regularization)
  const scan = new Float64Array(hist.buffer, scanAt, 4)
  let best = 0
  out.gain = 0
  out.feature = -1
  for (let f = f0; f < f1; f++) {
    const off = binOffset[f] * 3
    const nb = nBins[f]
    const withMissing = hist[off + nb * 3 + nSlot] > 0
    // splits after bins 0 .. last − 1; scanned from the right, bin b's split adds bin b + 1 to the right side
    for (let side = 0; side < (withMissing ? 2 : 1); side++) {
      const missingLeft = side === 1
      const last = withMissing && !missingLeft ? nb : nb - 1
      const at = hist.byteOffset + 8 * (missingLeft ? off + last * 3 : off)
      const fn = missingLeft ? kernels.scan_left : kernels.scan_right
      const gain = fn(at, last, G, H, N, parent, c.l2Regularization, c.minSamplesLeaf, c.minHessianToSplit, best, scanAt)
      if (gain > best) {
        best = gain
        const i = scan[0]
        const [ga, ha, na] = [scan[1], scan[2], scan[3]]
        out.feature = f
        out.bin = missingLeft ? last - 1 - i : i
        out.missingLeft = missingLeft
        out.gLeft = missingLeft ? G - ga : ga
        out.hLeft = missingLeft ? H - ha : ha
        out.nLeft = missingLeft ? N - na : na
        out.gRight = missingLeft ? ga : G - ga
        out.hRight = missingLeft ? ha : H - ha
        out.nRight = missingLeft ? na : N - na
      }
    }
    if (out.feature === f && hasMissing[f] === 0) out.missingLeft = out.nLeft > out.nRight
  }
  out.gain = best
  return best > 0
}

/** Float64 slots of a split written by writeSplit. */
export const SPLIT_SLOTS = 10

/** Writes s to to[at .. at + SPLIT_SLOTS) (a thread's chunk result in shared memory). */
export function writeSplit(s: SplitInfo, to: Float64Array, at: number): void {
  to[at] = s.gain
  to[at + 1] = s.feature
  to[at + 2] = s.bin
  to[at + 3] = s.missingLeft ? 1 : 0
  to[at + 4] = s.gLeft
  to[at + 5] = s.hLeft
  to[at + 6] = s.nLeft
  to[at + 7] = s.gRight
  to[at + 8] = s.hRight
  to[at + 9] = s.nRight
}

/** Reads what writeSplit wrote into s. */
export function readSplit(from: Float64Array, at: number, s: SplitInfo): void {
  s.gain = from[at]
  s.feature = from[at + 1]
  s.bin = from[at + 2]
  s.missingLeft = from[at + 3] === 1
  s.gLeft = from[at + 4]
  s.hLeft = from[at + 5]
  s.nLeft = from[at + 6]
  s.gRight = from[at + 7]
  s.hRight = from[at + 8]
  s.nRight = from[at + 9]
}
