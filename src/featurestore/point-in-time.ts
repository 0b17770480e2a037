// The as-of (point-in-time) join over typed columns: for each left row, the right row with equal key values
// whose time is the latest at or before the left row's time. A sort-merge per key: the right rows are grouped
// into one run per key, ordered by time (the database delivers them so; they are sorted here only when not),
// and each left row looks its time up in its key's run through a table of the run's time buckets (a binary
// search where a bucket is crowded). O(n + m) for evenly spread times, O(n log(m / keys)) at worst, with no
// row objects: a million label rows with a million feature rows over 1,000 keys merge in 0.08–0.09 s in key
// order, 0.11 s unordered (2-core machine at load ~5; 0.13–0.16 s with binary searches, 0.24–0.38 s before
// integer keys skipped the Map), see bench/featurestore/asof.ts.

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
  const n = left.nRows
  // Each row's key as a dense id (numbered by first appearance among the right rows; -1 for a missing key,
  // and on the left for a key no right row has or a missing time).
  const { rightId: rowId, leftId, nKeys } = keyIds(left, right)
  // Contiguous runs per key, each in (time, tie-break) order: the order the read asks the database for.
  let contiguous = true
  for (let i = 0, next = 0; i < m; i++) {
    const id = rowId[i]
    if (id < 0) continue
    // ids are numbered by first appearance: an id below `next` was seen before, and must continue its run
    if (id < next) {
      if (rowId[i - 1] !== id) contiguous = false
    } else next = id + 1
  }
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
  // Within each run, rows by (time, tie-break, given order); a run already in order (the usual case) is left
  // as it is, one made of a few ordered pieces (a table scan that wrapped around, rows moved by updates) is
  // merged piece by piece, and any other sorted.
  const time = right.time
  const tie = right.tieBreak ?? []
  const compare = (a: number, b: number) => time[a] - time[b] || compareTies(tie, a, b) || a - b
  let scratch: Int32Array | null = null
  for (let k = 0; k < nKeys; k++) {
    let inOrder = true
    for (let p = start[k] + 1; p < end[k]; p++) {
      const a = order === null ? p - 1 : order[p - 1]
      const b = order === null ? p : order[p]
      if (time[b] < time[a] || (time[b] === time[a] && compareTies(tie, a, b) > 0)) {
        inOrder = false
        break
      }
    }
    if (inOrder) continue
    if (order === null) order = identity(m)
    const run = order.subarray(start[k], end[k])
    scratch ??= new Int32Array(m)
    if (!mergePieces(run, compare, scratch)) run.sort(compare)
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
  const out = new Int32Array(n).fill(-1)
  const bucket = new Int32Array(nKeys + 1)
  for (let i = 0; i < n; i++) if (leftId[i] >= 0) bucket[leftId[i] + 1]++
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
  // Each run gets a table of its times' buckets (as many buckets as rows, evenly over the run's time span):
  // a left row's bucket narrows its match to the few run rows of that bucket, found by a short scan, instead
  // of a binary search of ~log2(run) dependent, unpredictable steps (73 of the merge's 135 ms on the bench).
  // The bucket of a time is monotone in the time (a subtraction, a product with a positive scale and a floor,
  // each monotone in floating point), so a row of a lower bucket is earlier and one of a higher bucket later:
  // exact whatever the rounding. Skewed times only make a bucket hold more rows (searched by halving).
  let maxRun = 0
  for (let k = 0; k < nKeys; k++) if (end[k] - start[k] > maxRun) maxRun = end[k] - start[k]
  const firstOf = new Int32Array(maxRun + 2)
  for (let k = 0; k < nKeys; k++) {
    const s = start[k]
    const e = end[k]
    if (e === s) continue
    const lo = sortedTime[s]
    const hi = sortedTime[e - 1]
    const nb = e - s
    const scale = nb / (hi - lo)
    // firstOf[b] (b = 0 … nb + 1): how many of the run's rows are in buckets before b
    const tabled = hi > lo && scale > 0 && scale < Infinity && fillBuckets(sortedTime, s, e, lo, scale, firstOf)
    for (let q = bucket[k]; q < bucket[k + 1]; q++) {
      const t = byKeyTime[q]
      if (!(t >= lo)) continue
      let base: number
      if (t >= hi) base = e - 1
      else if (tabled) {
        // the last row at or before t lies in [s + firstOf[b] - 1, s + firstOf[b + 1] - 1]
        const b = Math.min(Math.floor((t - lo) * scale), nb)
        base = lastAtOrBefore(sortedTime, s + firstOf[b], s + firstOf[b + 1], t)
      } else base = lastAtOrBefore(sortedTime, s, e, t)
      out[byKey[q]] = order === null ? base : order[base]
    }
  }
  return out
}

/**
 * Dense key ids of both sides. One numeric key column whose right values are integers in a span of at most
 * 2^22 (ids, codes, small counts: the usual join key) is looked up in a table; any other key through a Map
 * (the bench's whole merge took 0.24–0.38 s with the Map, 0.11–0.17 s with the table).
 */
function keyIds(left: AsOfSide, right: AsOfSide): { rightId: Int32Array; leftId: Int32Array; nKeys: number } {
  const m = right.nRows
  const n = left.nRows
  const rightId = new Int32Array(m)
  const leftId = new Int32Array(n)
  const rk = right.keys[0]
  const lk = left.keys[0]
  if (right.keys.length === 1 && rk instanceof Float64Array && lk instanceof Float64Array) {
    let lo = Infinity
    let hi = -Infinity
    let integral = true
    for (let i = 0; i < m; i++) {
      const v = rk[i]
      if (v !== v) continue
      if (v < lo) lo = v
      if (v > hi) hi = v
      if (!Number.isInteger(v)) integral = false
    }
    if (integral && (m === 0 || hi - lo < 1 << 22)) {
      const span = m === 0 || lo > hi ? 0 : hi - lo + 1
      const table = new Int32Array(span).fill(-1)
      let nKeys = 0
      for (let i = 0; i < m; i++) {
        const v = rk[i]
        if (v !== v) {
          rightId[i] = -1
          continue
        }
        let id = table[v - lo]
        if (id < 0) id = table[v - lo] = nKeys++
        rightId[i] = id
      }
      for (let i = 0; i < n; i++) {
        const d = lk[i] - lo
        // NaN, out of range and fractional keys all miss (a fractional key equals no integer)
        leftId[i] = d >= 0 && d < span && Number.isInteger(d) && left.time[i] === left.time[i] ? table[d] : -1
      }
      return { rightId, leftId, nKeys }
    }
  }
  const ids = new Map<string | number, number>()
  const keyOfRight = keyReader(right.keys)
  for (let i = 0; i < m; i++) {
    const k = keyOfRight(i)
    let id = -1
    if (k !== null) {
      const seen = ids.get(k)
      if (seen === undefined) ids.set(k, (id = ids.size))
      else id = seen
    }
    rightId[i] = id
  }
  const keyOfLeft = keyReader(left.keys)
  for (let i = 0; i < n; i++) {
    const k = keyOfLeft(i)
    const id = k === null || Number.isNaN(left.time[i]) ? undefined : ids.get(k)
    leftId[i] = id === undefined ? -1 : id
  }
  return { rightId, leftId, nKeys: ids.size }
}

/**
 * Counts a sorted run's rows per time bucket (bucket of x: floor((x - lo) × scale), at most nb = e − s) into
 * firstOf as running totals: firstOf[b] rows are in buckets before b. False when a time has no bucket (NaN).
 */
function fillBuckets(time: Float64Array, s: number, e: number, lo: number, scale: number, firstOf: Int32Array): boolean {
  const nb = e - s
  firstOf.fill(0, 0, nb + 2)
  for (let p = s; p < e; p++) {
    const b = Math.floor((time[p] - lo) * scale)
    if (!(b >= 0)) return false
    firstOf[(b < nb ? b : nb) + 1]++
  }
  for (let b = 0; b <= nb; b++) firstOf[b + 1] += firstOf[b]
  return true
}

/**
 * The position before the first p in [from, to) with time[p] > t (to − 1 when there is none), times sorted:
 * the last row at or before t when the rows before `from` are too and those from `to` on are not. A scan of a
 * few rows, halving first while the range is long.
 */
function lastAtOrBefore(time: Float64Array, from: number, to: number, t: number): number {
  let base = from - 1
  let len = to - from + 1
  // branch-free halving (the comparison picks the next base rather than a branch that mispredicts half the time)
  while (len > 8) {
    const half = len >>> 1
    base = time[base + half] <= t ? base + half : base
    len -= half
  }
  let p = base + 1
  while (p < to && time[p] <= t) p++
  return p - 1
}

/** Pieces a run may have to be merged rather than sorted (each merge pass reads the run once). */
const MAX_PIECES = 8

/**
 * Orders `run` (row indices) by `compare` when it is made of at most MAX_PIECES pieces each already in order,
 * by merging neighbouring pieces pass by pass through `scratch`; false (run untouched) when it has more.
 */
function mergePieces(run: Int32Array, compare: (a: number, b: number) => number, scratch: Int32Array): boolean {
  const bounds = [0]
  for (let p = 1; p < run.length; p++) {
    if (compare(run[p - 1], run[p]) > 0) {
      if (bounds.length === MAX_PIECES) return false
      bounds.push(p)
    }
  }
  bounds.push(run.length)
  const buf = scratch.subarray(0, run.length)
  while (bounds.length > 2) {
    const next = [0]
    for (let i = 0; i + 1 < bounds.length; i += 2) {
      const lo = bounds[i]
      const mid = bounds[i + 1]
      const hi = i + 2 < bounds.length ? bounds[i + 2] : mid
      let a = lo
      let b = mid
      let o = lo
      while (a < mid && b < hi) buf[o++] = compare(run[a], run[b]) <= 0 ? run[a++] : run[b++]
      while (a < mid) buf[o++] = run[a++]
      while (b < hi) buf[o++] = run[b++]
      next.push(hi)
    }
    run.set(buf)
    bounds.splice(0, bounds.length, ...next)
  }
  return true
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
