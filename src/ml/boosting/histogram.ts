/**
 * Node histograms: for every feature and bin, the sums of gradient, hessian and sample count of the
 * node's samples, as [g, h, count] triples in one Float64Array (feature f's bin b at
 * (binOffset[f] + b) * 3, its missing bin at (binOffset[f] + nBins[f]) * 3).
 */

/**
 * The samples a histogram is built from: bin codes row-major with `stride` bytes per row (p codes,
 * then padding to a multiple of 4 so a row moves as whole 32-bit words) and gradient/hessian pairs,
 * both in the same order, so the build reads them sequentially whatever node they belong to.
 */
export interface HistogramSource {
  readonly rows: Uint8Array
  readonly gh: Float32Array
}

/** The part holding samples in data order (the root's): bin codes as binned, gradients as the loss wrote them; parts 0 and 1 are the grower's node-ordered copies. */
export const DATA_ORDER = 2

/** Bytes per row of node-ordered bin codes: p rounded up to whole 32-bit words. */
export function rowStride(p: number): number {
  return (p + 3) & ~3
}

/**
 * Adds samples start..end of `src` to `hist` for features [f0, f1). With `constHessian` the hessian
 * slot is left alone (the count is the hessian sum); without `withCount` the count slot is left
 * alone too (the root: its counts are the same for every tree and are copied in by the caller).
 * Row by row, gradients and codes read sequentially (the grower keeps each node's rows
 * contiguous), so a node's build streams memory however deep it is. Each feature's bins are
 * summed in sample order, so a thread building a feature range gets the same bits as one thread
 * building all features.
 */
export function buildHistogram(
  src: HistogramSource,
  p: number,
  binOffset: Int32Array,
  start: number,
  end: number,
  constHessian: boolean,
  withCount: boolean,
  hist: Float64Array,
  f0: number,
  f1: number,
): void {
  if (f1 - f0 <= MAX_UNROLLED_FEATURES) {
    unrolledKernel(p, binOffset, f0, f1, constHessian, withCount)(src.rows, start, end, src.gh, hist)
    return
  }
  const stride = rowStride(p)
  const { rows, gh } = src
  for (let k = start; k < end; k++) {
    const row = k * stride
    const g = gh[2 * k]
    const h = gh[2 * k + 1]
    for (let f = f0; f < f1; f++) {
      const j = (binOffset[f] + rows[row + f]) * 3
      hist[j] += g
      if (!constHessian) hist[j + 1] += h
      if (withCount) hist[j + 2] += 1
    }
  }
}

type Kernel = (rows: Uint8Array, start: number, end: number, gh: Float32Array, hist: Float64Array) => void

/** Wider feature ranges use the plain loop (the generated source grows with the width). */
const MAX_UNROLLED_FEATURES = 256
/** Kernels per bin layout: they bake in its offsets, and go with the fit's BinMapper. */
const kernels = new WeakMap<Int32Array, Map<string, Kernel>>()

/**
 * The histogram loop with the feature loop unrolled for this width and these bin offsets,
 * generated once per (p, offsets, feature range, hessian kind, counting): constant offsets let V8
 * drop the inner loop's counter, bounds re-checks and branch (halved the build at 100k × 20).
 * The source is built from integers only.
 */
function unrolledKernel(p: number, binOffset: Int32Array, f0: number, f1: number, constHessian: boolean, withCount: boolean): Kernel {
  let forLayout = kernels.get(binOffset)
  if (forLayout === undefined) kernels.set(binOffset, (forLayout = new Map()))
  const key = `${p}:${f0}:${f1}:${constHessian ? 1 : 0}:${withCount ? 1 : 0}`
  let k = forLayout.get(key)
  if (k !== undefined) return k
  let body = ''
  for (let f = f0; f < f1; f++) {
    body += `j = rows[row + ${f}] * 3 + ${binOffset[f] * 3}; hist[j] += g;${constHessian ? '' : ' hist[j + 1] += h;'}${withCount ? ' hist[j + 2] += 1;' : ''}\n`
  }
  k = new Function(
    'rows',
    'start',
    'end',
    'gh',
    'hist',
    `for (let k = start; k < end; k++) { const row = k * ${rowStride(p)}; const g = gh[2 * k];${constHessian ? '' : ' const h = gh[2 * k + 1];'} let j = 0;\n${body}}`,
  ) as Kernel
  forLayout.set(key, k)
  return k
}

/** sibling = parent − child over features [f0, f1) (histogram subtraction: the larger child for free). */
export function subtractHistogram(parent: Float64Array, child: Float64Array, sibling: Float64Array, binOffset: Int32Array, f0: number, f1: number): void {
  const a = binOffset[f0] * 3
  const b = binOffset[f1] * 3
  for (let j = a; j < b; j++) sibling[j] = parent[j] - child[j]
}
