/**
 * A fitted tree stored flat in typed arrays. Node 0 is the root. An internal node sends
 * x[feature] <= threshold to `left`, else to `right`; a leaf has feature -1 and `left` holding
 * its leaf index into `value` (nLeaves × nClasses weighted class counts; for regression trees one
 * mean target per leaf).
 */
export interface FlatTree {
  readonly feature: Int32Array
  readonly threshold: Float64Array
  readonly left: Int32Array
  readonly right: Int32Array
  readonly value: Float64Array
  readonly nLeaves: number
  /** Unnormalised mean decrease in impurity per feature (weighted by node sample weight). */
  readonly importance: Float64Array
}

/** The JSON shape of one tree: plain number arrays, leaf counts kept as (integer) weights. */
export interface FlatTreeJson {
  readonly feature: number[]
  readonly threshold: number[]
  readonly left: number[]
  readonly right: number[]
  readonly value: number[]
  readonly nLeaves: number
  readonly importance: number[]
}

export function treeToJson(t: FlatTree): FlatTreeJson {
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold),
    left: Array.from(t.left),
    right: Array.from(t.right),
    value: Array.from(t.value),
    nLeaves: t.nLeaves,
    importance: Array.from(t.importance),
  }
}

export function treeFromJson(j: FlatTreeJson): FlatTree {
  return {
    feature: Int32Array.from(j.feature),
    threshold: Float64Array.from(j.threshold),
    left: Int32Array.from(j.left),
    right: Int32Array.from(j.right),
    value: Float64Array.from(j.value),
    nLeaves: j.nLeaves,
    importance: Float64Array.from(j.importance),
  }
}

/** Leaf class probabilities: each leaf's counts divided by their sum. */
export function leafProba(t: FlatTree, nClasses: number): Float64Array {
  const out = new Float64Array(t.value.length)
  for (let l = 0; l < t.nLeaves; l++) {
    let s = 0
    for (let c = 0; c < nClasses; c++) s += t.value[l * nClasses + c]
    for (let c = 0; c < nClasses; c++) out[l * nClasses + c] = s > 0 ? t.value[l * nClasses + c] / s : 1 / nClasses
  }
  return out
}

/** Leaf index reached by the row starting at x[offset]. */
export function applyTree(t: FlatTree, x: ArrayLike<number>, offset: number): number {
  const { feature, threshold, left, right } = t
  let node = 0
  let f = feature[0]
  while (f >= 0) {
    node = x[offset + f] <= threshold[node] ? left[node] : right[node]
    f = feature[node]
  }
  return left[node]
}

/** Importances scaled to sum to 1 (all zero for a single-leaf tree), like sklearn. */
export function normalizeImportance(imp: Float64Array): Float64Array {
  let s = 0
  for (let i = 0; i < imp.length; i++) s += imp[i]
  const out = new Float64Array(imp.length)
  if (s > 0) for (let i = 0; i < imp.length; i++) out[i] = imp[i] / s
  return out
}
