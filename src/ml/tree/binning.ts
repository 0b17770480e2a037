import type { Matrix } from '../matrix.js'

/** Most bins a feature gets: bin codes fit a Uint8Array. */
export const MAX_BINS = 255
/** Stride of the per-feature bin tables (binLo / binHi). */
export const BIN_STRIDE = 256

/**
 * Features pre-binned once per forest (LightGBM / HistGradientBoosting style) so that split finding
 * is a histogram pass instead of a sort. A feature with ≤ maxBins distinct values gets one bin per
 * value, so binning is exact for iris- and titanic-like data.
 */
export interface BinnedData {
  readonly nSamples: number
  readonly nFeatures: number
  /** Bin code of sample i, feature f at codes[f * nSamples + i] (feature-major for histogram passes). */
  readonly codes: Uint8Array
  readonly nBins: Int32Array
  /** Smallest / largest training value in bin b of feature f, at f * BIN_STRIDE + b. */
  readonly binLo: Float64Array
  readonly binHi: Float64Array
}

/**
 * Bins every column: exact for few distinct values, else quantile cut points (midway between
 * neighbouring sorted values). `shared` puts the codes in a SharedArrayBuffer for worker threads.
 */
export function binFeatures(x: Matrix, maxBins = MAX_BINS, shared = false): BinnedData {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_BINS) throw new RangeError(`maxBins must be an integer in [2, ${MAX_BINS}], got ${maxBins}`)
  const { nRows: n, nCols: p, data } = x
  const codes = shared ? new Uint8Array(new SharedArrayBuffer(n * p)) : new Uint8Array(n * p)
  const nBins = new Int32Array(p)
  const binLo = new Float64Array(p * BIN_STRIDE).fill(Infinity)
  const binHi = new Float64Array(p * BIN_STRIDE).fill(-Infinity)
  const col = new Float64Array(n)
  const edges = new Float64Array(maxBins)
  for (let f = 0; f < p; f++) {
    for (let i = 0; i < n; i++) col[i] = data[i * p + f]
    const sorted = col.slice().sort()
    let distinct = n > 0 ? 1 : 0
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) distinct++
    let nEdges = 0
    if (distinct <= maxBins) {
      for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) edges[nEdges++] = midpoint(sorted[i - 1], sorted[i])
    } else {
      for (let b = 1; b < maxBins; b++) {
        const q = Math.round((b * n) / maxBins)
        if (q <= 0 || q >= n || sorted[q - 1] === sorted[q]) continue
        const e = midpoint(sorted[q - 1], sorted[q])
        if (nEdges === 0 || e > edges[nEdges - 1]) edges[nEdges++] = e
      }
    }
    nBins[f] = nEdges + 1
    const base = f * n
    const tb = f * BIN_STRIDE
    for (let i = 0; i < n; i++) {
      const v = col[i]
      // number of edges strictly below v: v <= edges[b] means bin <= b
      let lo = 0
      let hi = nEdges
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (edges[mid] < v) lo = mid + 1
        else hi = mid
      }
      codes[base + i] = lo
      if (v < binLo[tb + lo]) binLo[tb + lo] = v
      if (v > binHi[tb + lo]) binHi[tb + lo] = v
    }
  }
  return { nSamples: n, nFeatures: p, codes, nBins, binLo, binHi }
}

/** (a + b) / 2 kept strictly below b, so `x <= threshold` separates a from b (as sklearn does). */
export function midpoint(a: number, b: number): number {
  const m = a / 2 + b / 2
  return m >= b || !Number.isFinite(m) ? a : m
}
