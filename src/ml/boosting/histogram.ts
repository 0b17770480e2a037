/**
 * Node histograms: for every feature and bin, the sums of gradient, hessian and sample count of the
 * node's samples, as [g, h, count] triples in one Float64Array (feature f's bin b at
 * (binOffset[f] + b) * 3, its missing bin at (binOffset[f] + nBins[f]) * 3).
 */

/**
 * Adds samples idx[start..end) to `hist` for features [f0, f1). `gh` holds gradient and hessian of
 * sample i at gh[2i], gh[2i + 1]; with `constHessian` the hessian slot is left alone (its sum is the
 * count). Each feature's bins are summed in sample order, so a thread building a feature range
 * gets the same bits as one thread building all features.
 */
export function buildHistogram(
  codes: Uint8Array,
  p: number,
  binOffset: Int32Array,
  idx: Uint32Array | null,
  start: number,
  end: number,
  gh: Float32Array,
  constHessian: boolean,
  hist: Float64Array,
  f0: number,
  f1: number,
): void {
  if (constHessian) {
    for (let k = start; k < end; k++) {
      const i = idx === null ? k : idx[k]
      const row = i * p
      const g = gh[2 * i]
      for (let f = f0; f < f1; f++) {
        const j = (binOffset[f] + codes[row + f]) * 3
        hist[j] += g
        hist[j + 2] += 1
      }
    }
    return
  }
  for (let k = start; k < end; k++) {
    const i = idx === null ? k : idx[k]
    const row = i * p
    const g = gh[2 * i]
    const h = gh[2 * i + 1]
    for (let f = f0; f < f1; f++) {
      const j = (binOffset[f] + codes[row + f]) * 3
      hist[j] += g
      hist[j + 1] += h
      hist[j + 2] += 1
    }
  }
}

/** sibling = parent − child over features [f0, f1) (histogram subtraction: the larger child for free). */
export function subtractHistogram(parent: Float64Array, child: Float64Array, sibling: Float64Array, binOffset: Int32Array, f0: number, f1: number): void {
  const a = binOffset[f0] * 3
  const b = binOffset[f1] * 3
  for (let j = a; j < b; j++) sibling[j] = parent[j] - child[j]
}
