// The as-of (point-in-time) join over typed columns: for each left row, the right row with equal key values
// whose time is the latest at or before the left row's time. A sort-merge per key: the right rows are grouped
// into one run per key, ordered by time (the database delivers them so; they are sorted here only when not),
// and each left row binary-searches its key's run. O((n + m) + n log(m / keys)) with no row objects: a
// million label rows with a million feature rows over 1,000 keys merge in about 0.3 s (bench/featurestore/asof.ts).

/** A key column in model-input form: numbers (NaN = missing) or text (null = missing). */
export type KeyColumn = Float64Array | readonly (string | null)[]

export interface AsOfSide {
  readonly nRows: number
  /** The `on` columns, in the same order on both sides. */
  readonly keys: readonly KeyColumn[]
  /** Event time, epoch ms. */
  readonly time: Float64Array
}

export interface AsOfRight extends AsOfSide {
  /**
   * Break ties between rows of one key and one time, compared in order (numbers by value, text by code
   * unit): the greater wins, e.g. the later commit, then the greater primary key. Rows tied on these too, or
   * all ties when there are none, keep their given order, the later winning.
   */
  readonly tieBreak?: readonly KeyColumn[]
}

/**
 * For each left row, the index of its as-of match among the right rows, or -1 where there is none (no
 * right row with that key at or before that time, or a missing key or time on the left).
 */
export function asOfIndex(left: AsOfSide, right: AsOfRight): Int32Array {
  const m = right.nRows
  const keyOfRight = keyReader(right.keys)
  const ids = new Map<string | number, number>()
  const rowId = new Int32Array(m)
  // Contiguous runs per key, each in (time, tie-break) order: the order the read asks the database for.
  let contiguous = true
  for (let i = 0; i < m; i++) {
    const k = keyOfRight(i)
    let id = -1
    if (k !== null) {
      const seen = ids.get(k)
      if (seen === undefined) {
        id = ids.size
        ids.set(k, id)
      } else {
        id = seen
        if (rowId[i - 1] !== id) contiguous = false
      }
    }
    rowId[i] = id
  }
  const nKeys = ids.size
  // Positions of each key's run: the rows themselves when contiguous, else a stable counting sort by key.
  const start = new Int32Array(nKeys + 1)
  let order: Int32Array | null = null
  if (contiguous) {
    start.fill(-1)
    for (let i = m - 1; i >= 0; i--) if (rowId[i] >= 0) start[rowId[i]] = i
  } else {
    const counts = new Int32Array(nKeys + 1)
    for (let i = 0; i < m; i++) if (rowId[i] >= 0) counts[rowId[i] + 1]++
    for (let k = 0; k < nKeys; k++) counts[k + 1] += counts[k]
    start.set(counts)
    const next = counts.slice(0, nKeys)
    order = new Int32Array(counts[nKeys])
    for (let i = 0; i < m; i++) if (rowId[i] >= 0) order[next[rowId[i]]++] = i
  }
  const end = new Int32Array(nKeys)
  for (let k = 0; k < nKeys; k++) end[k] = contiguous ? start[k] + countRun(rowId, start[k], k) : start[k + 1]
  // Within each run, rows by (time, tie-break, given order); a run already in order (the usual case) is left as it is.
  const time = right.time
  const tie = right.tieBreak ?? []
  for (let k = 0; k < nKeys; k++) {
    const at = (p: number) => (order === null ? p : order[p])
    let inOrder = true
    for (let p = start[k] + 1; p < end[k] && inOrder; p++) {
      const a = at(p - 1)
      const b = at(p)
      if (time[b] < time[a] || (time[b] === time[a] && compareTies(tie, a, b) > 0)) inOrder = false
    }
    if (inOrder) continue
    if (order === null) order = identity(m)
    const run = order.subarray(start[k], end[k])
    run.sort((a, b) => time[a] - time[b] || compareTies(tie, a, b) || a - b)
  }
  // Run times laid out by position, so the search below reads one array.
  let sortedTime = time
  if (order !== null) {
    // A plain loop: TypedArray.from with a mapper is many times slower.
    sortedTime = new Float64Array(order.length)
    for (let p = 0; p < order.length; p++) sortedTime[p] = time[order[p]]
  }
  // Left rows are visited key by key (a counting sort by key), so that each key's run stays in cache while
  // its rows search it: in label order the searches jump between runs, and at a million rows those cache
  // misses cost several times the search itself.
  const n = left.nRows
  const out = new Int32Array(n).fill(-1)
  const keyOfLeft = keyReader(left.keys)
  const leftId = new Int32Array(n)
  const bucket = new Int32Array(nKeys + 1)
  for (let i = 0; i < n; i++) {
    const k = keyOfLeft(i)
    const id = k === null || Number.isNaN(left.time[i]) ? undefined : ids.get(k)
    leftId[i] = id === undefined ? -1 : id
    if (id !== undefined) bucket[id + 1]++
  }
  for (let k = 0; k < nKeys; k++) bucket[k + 1] += bucket[k]
  const byKey = new Int32Array(bucket[nKeys])
  const fill = bucket.slice(0, nKeys)
  // Times copied in that order too: the search then reads them in sequence.
  const byKeyTime = new Float64Array(byKey.length)
  for (let i = 0; i < n; i++) {
    const id = leftId[i]
    if (id < 0) continue
    const q = fill[id]++
    byKey[q] = i
    byKeyTime[q] = left.time[i]
  }
  for (let k = 0; k < nKeys; k++) {
    const s = start[k]
    const e = end[k]
    for (let q = bucket[k]; q < bucket[k + 1]; q++) {
      const t = byKeyTime[q]
      // The last position in the run whose time is at or before t: a branch-free binary search (the
      // comparison picks the next base rather than a branch, which mispredicts half the time).
      if (e === s || sortedTime[s] > t) continue
      let base = s
      let len = e - s
      while (len > 1) {
        const half = len >>> 1
        base = sortedTime[base + half] <= t ? base + half : base
        len -= half
      }
      out[byKey[q]] = order === null ? base : order[base]
    }
  }
  return out
}

/** Rows a and b by the tie-break columns: negative, 0 or positive. */
function compareTies(tie: readonly KeyColumn[], a: number, b: number): number {
  for (const c of tie) {
    const x = c[a]
    const y = c[b]
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return x - y
    return x === null ? -1 : y === null ? 1 : x < y ? -1 : 1
  }
  return 0
}

/** Length of the run of `id` starting at `from` (rows known contiguous). */
function countRun(rowId: Int32Array, from: number, id: number): number {
  let n = 0
  while (from + n < rowId.length && rowId[from + n] === id) n++
  return n
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n)
  for (let i = 0; i < n; i++) a[i] = i
  return a
}

/** Takes `values[idx[i]]` for each i, a missing value (NaN or null) where idx[i] is -1. */
export function gather(values: Float64Array | readonly (string | null)[], idx: Int32Array): Float64Array | (string | null)[] {
  const n = idx.length
  if (values instanceof Float64Array) {
    const out = new Float64Array(n)
    for (let i = 0; i < n; i++) out[i] = idx[i] < 0 ? NaN : values[idx[i]]
    return out
  }
  const out = new Array<string | null>(n)
  for (let i = 0; i < n; i++) out[i] = idx[i] < 0 ? null : values[idx[i]]
  return out
}

/** A row's key as one Map key (the value itself for one column), or null when any part is missing. */
function keyReader(keys: readonly KeyColumn[]): (i: number) => string | number | null {
  if (keys.length === 1) {
    const k = keys[0]
    if (k instanceof Float64Array) return (i) => (Number.isNaN(k[i]) ? null : k[i])
    return (i) => k[i] ?? null
  }
  return (i) => {
    let s = ''
    for (const k of keys) {
      const v = k[i]
      if (v === null || (typeof v === 'number' && Number.isNaN(v))) return null
      // A type mark keeps 1 and '1' apart; the separator cannot occur in a number and is escaped in text.
      s += typeof v === 'number' ? `n${v}\u0000` : `s${v.replaceAll('\\', '\\\\').replaceAll('\u0000', '\\0')}\u0000`
    }
    return s
  }
}
