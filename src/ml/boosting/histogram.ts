import type { KernelExports } from './kernels.js'
import type { SampleBuffers } from './partition.js'

/**
 * Node histograms: for every feature and bin, the sums of gradient, hessian and sample count of the
 * node's samples, as [g, h, count] triples in one Float64Array (feature f's bin b at
 * (binOffset[f] + b) * 3, its missing bin at (binOffset[f] + nBins[f]) * 3); with constant
 * hessians the count is read from the hessian slot (countSlot).
 */

/**
 * Where a histogram cell keeps its sample count: with constant hessians (all 1) the hessian sum is
 * the count, so the kernels add (g, 1) pairs and slot 2 is not used; otherwise slot 2.
 */
export function countSlot(constHessian: boolean): number {
  return constHessian ? 1 : 2
}

/** The part holding samples in data order (the root's): bin codes as binned, gradients as the loss wrote them; parts 0 and 1 are the grower's node-ordered copies. */
export const DATA_ORDER = 2

/** Bytes per row of node-ordered bin codes: p rounded up to whole 32-bit words. */
export function rowStride(p: number): number {
  return (p + 3) & ~3
}

/**
 * Adds samples start..end of `part` (tree `tree`'s gradients when it is DATA_ORDER) to `hist`, a
 * histogram inside buffers.memory, for the features of the kernels' range `range`. With constant
 * hessians the hessian slot holds the count (countSlot) and the count slot stays 0; otherwise,
 * without withCount, the count slots are left alone (the root: its counts are the same for every
 * tree and are copied in by the caller). The samples are
 * read sequentially (the grower keeps each node's contiguous), so a node's build streams memory
 * however deep it is; each feature's bins are summed in sample order, so a thread building a
 * feature range gets the same bits as one thread building all features.
 */
export function buildHistogram(
  kernels: KernelExports,
  buffers: SampleBuffers,
  part: number,
  tree: number,
  start: number,
  end: number,
  withCount: boolean,
  hist: Float64Array,
  range: number,
): void {
  const count = withCount ? 1 : 0
  if (part === DATA_ORDER) kernels[`hist_${range}_${count}_data`](buffers.codes.byteOffset, buffers.gh[tree].byteOffset, start, end, hist.byteOffset)
  else kernels[`hist_${range}_${count}_ordered`](buffers.records[part].byteOffset, 0, start, end, hist.byteOffset)
}

/** Whether `hist` lives in the fit's memory (the kernels can write it) rather than on the JavaScript heap. */
export function inKernelMemory(hist: Float64Array, buffers: SampleBuffers): boolean {
  return hist.buffer === buffers.codes.buffer
}

/** sibling = parent − child, whole histograms (histogram subtraction: the larger child for free). */
export function subtractHistogram(kernels: KernelExports, buffers: SampleBuffers, parent: Float64Array, child: Float64Array, sibling: Float64Array): void {
  if (inKernelMemory(parent, buffers) && inKernelMemory(child, buffers) && inKernelMemory(sibling, buffers)) {
    kernels.subtract(parent.byteOffset, child.byteOffset, sibling.byteOffset, parent.byteLength)
    return
  }
  for (let j = 0; j < parent.length; j++) sibling[j] = parent[j] - child[j]
}

/** Sets every cell of hist to 0. */
export function clearHistogram(kernels: KernelExports, buffers: SampleBuffers, hist: Float64Array): void {
  if (inKernelMemory(hist, buffers)) kernels.zero(hist.byteOffset, hist.byteLength)
  else hist.fill(0)
}
