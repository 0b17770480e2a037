import type { Matrix } from '../matrix.js'
import { MT19937 } from '../mt19937.js'
import { scratchBuffer } from './fit-memory.js'

/** Most non-missing bins a feature gets: with its missing bin, codes fit a Uint8Array. */
export const MAX_BINS = 255
/** Rows used to choose the cut points (scikit-learn's `subsample=2e5` in _BinMapper). */
export const BINNING_SUBSAMPLE = 200_000

/**
 * Per-feature cut points learned once per fit. Feature f has `nBins[f]` non-missing bins: value v
 * goes to bin b = number of edges strictly below v (so `v <= edges[b]` ⇔ bin ≤ b, and a split after
 * bin b is the real threshold `edges[b]`); NaN goes to the feature's missing bin, code nBins[f].
 */
export interface BinMapper {
  readonly nFeatures: number
  readonly nBins: Int32Array
  /** Cut points of feature f at edges[edgeStart[f] .. edgeStart[f] + nBins[f] - 1). */
  readonly edges: Float64Array
  readonly edgeStart: Int32Array
  /** 1 where the training data had NaN in that feature (sklearn's has_missing_values). */
  readonly hasMissing: Uint8Array
  /** Offset of feature f's first bin in a node histogram; its missing bin is at binOffset[f] + nBins[f]. */
  readonly binOffset: Int32Array
  /** Bins of one node histogram over all features (missing bins included). */
  readonly totalBins: number
}

/**
 * Chooses cut points per column: one bin per distinct value when there are ≤ maxBins (cut midway
 * between neighbours), else maxBins − 1 percentiles, computed on at most 200k rows drawn with
 * `seed` exactly as scikit-learn's HistGradientBoosting* draw them for `random_state=seed` (so both
 * cut in the same places; seeds outside 0 … 2³² − 1, which numpy refuses, are reduced modulo 2³²).
 * NaN is left out of the cut points and gets its own bin.
 * With `parallel`, the columns are sorted on several threads (the same cut points for any number).
 */
export function fitBinMapper(x: Matrix, maxBins: number, seed: number, parallel?: ParallelEdges): BinMapper {
  const { nRows: n, nCols: p, data } = x
  // the rows scikit-learn's _BinMapper samples for the same random_state: its fit draws a seed for
  // its parts (rng.randint(2**32 - 1, dtype="u8")) and the mapper takes choice(n, 2e5, replace=False)
  // with it, so both bin the same rows and cut in the same places at any size
  const rows = n > BINNING_SUBSAMPLE ? new MT19937(new MT19937(seed).randint(4294967295)).choiceWithoutReplacement(n, BINNING_SUBSAMPLE) : null
  const m = rows === null ? n : rows.length
  const nBins = new Int32Array(p)
  const edgeStart = new Int32Array(p + 1)
  const hasMissing = new Uint8Array(p)
  const binOffset = new Int32Array(p + 1)
  const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer => (parallel === undefined ? new ArrayBuffer(bytes) : new SharedArrayBuffer(bytes))
  // one sequential pass: NaN flags over every row, and the sampled rows column-major (reading
  // a column straight from the row-major matrix streams all of it once per feature); on several
  // threads another one first-touches the later columns' pages meanwhile (see ParallelEdges.columns)
  const cols = new Float64Array(parallel === undefined ? scratchBuffer(m * p * 8, false).buffer : parallel.columns(m * p * 8, Math.floor(p / 2) * m * 8), 0, m * p)
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < p; f++) {
      const v = data[i * p + f]
      if (v !== v) hasMissing[f] = 1
      if (rows === null) cols[f * m + i] = v
    }
  }
  if (rows !== null) for (let r = 0; r < m; r++) for (let f = 0; f < p; f++) cols[f * m + r] = data[rows[r] * p + f]
  const job: EdgesJob = { cols, m, p, maxBins, edges: new Float64Array(alloc(p * Math.max(1, maxBins - 1) * 8)), counts: new Int32Array(alloc(p * 4)), next: new Int32Array(alloc(12)) }
  // run in this thread, a failure throws from runEdgesJob; on several, ParallelEdges.run throws it (awaitClaimed)
  if (parallel === undefined) runEdgesJob(job)
  else parallel.run(job)
  for (let f = 0; f < p; f++) {
    const nEdges = job.counts[f]
    nBins[f] = nEdges + 1
    edgeStart[f + 1] = edgeStart[f] + nEdges
    binOffset[f + 1] = binOffset[f] + nBins[f] + 1
  }
  const allEdges = new Float64Array(edgeStart[p])
  const stride = Math.max(1, maxBins - 1)
  for (let f = 0; f < p; f++) allEdges.set(job.edges.subarray(f * stride, f * stride + job.counts[f]), edgeStart[f])
  return { nFeatures: p, nBins, edges: allEdges, edgeStart, hasMissing, binOffset, totalBins: binOffset[p] }
}

/**
 * The cut points of every feature from its sampled column, as posted to the histogram workers: the
 * features are claimed one at a time from `next[0]` by every thread taking part (each feature's
 * result depends on its column alone, so any split of the work gives the same bits), and `next[1]`
 * counts the finished ones. Memory shared between the threads when `parallel` is given.
 */
export interface EdgesJob {
  /** Sampled values column-major: feature f at cols[f * m .. (f + 1) * m), NaN included; sorted in place. */
  readonly cols: Float64Array
  readonly m: number
  readonly p: number
  readonly maxBins: number
  /** Feature f's cut points at edges[f * (maxBins − 1) ..], counts[f] of them. */
  readonly edges: Float64Array
  readonly counts: Int32Array
  /** [next feature to claim, features done, 1 when a thread failed]. */
  readonly next: Int32Array
}

/** Runs an EdgesJob on several threads: every feature's counts/edges written when run returns; throws when a thread failed. */
export interface ParallelEdges {
  /**
   * A shared buffer of at least `bytes` for the sampled columns (scratchBuffer's): when it is new,
   * another thread writes its pages from byte `touchFrom` on first while the calling thread fills
   * the earlier ones (a fresh page's first write is a page fault, ~13 µs per 4 KiB on the Firecracker
   * VM of the benches: ~40 ms of serial faults for 80k × 20 columns).
   */
  columns(bytes: number, touchFrom: number): SharedArrayBuffer
  run(job: EdgesJob): void
}

/** Pages of a fresh shared buffer for a worker to fault in first (TouchJob.touch's pages from `from` on, the last first). */
export interface TouchJob {
  readonly touch: Int32Array
  /** First int32 of the range. */
  readonly from: number
}

/** Int32 slots of a 4 KiB page. */
const PAGE_INTS = 1024

/**
 * Writes one word of every page of the job's range, from the last page back (an atomic add of 0:
 * the word keeps whatever another thread wrote there, before or after): the writes that fault the
 * pages in, done by this thread instead of the one that fills the buffer from the front.
 */
export function runTouchJob(job: TouchJob): void {
  const { touch, from } = job
  for (let i = touch.length - 1 - ((touch.length - 1) % PAGE_INTS); i >= from; i -= PAGE_INTS) Atomics.add(touch, i, 0)
}

/** Claims features of `job` until none is left; returns how many this thread did. */
export function runEdgesJob(job: EdgesJob): number {
  const { cols, m, maxBins, edges, counts, next } = job
  const stride = Math.max(1, maxBins - 1)
  let spare: Float64Array | null = null
  return claimAll(next, job.p, (f) => {
    spare ??= new Float64Array(m)
    counts[f] = columnEdges(cols.subarray(f * m, (f + 1) * m), spare, maxBins, edges.subarray(f * stride, (f + 1) * stride))
  })
}

/**
 * Waits until `count` items of a claimAll job are finished (by any thread; next[1]), then throws when one
 * of them failed (next[2]): the calling thread's side of a job it posted to workers and claimed from itself.
 */
export function awaitClaimed(next: Int32Array, count: number): void {
  for (;;) {
    const done = Atomics.load(next, 1)
    if (done >= count) break
    Atomics.wait(next, 1, done, 1000)
  }
  if (next[2] !== 0) throw new Error('a boosting worker failed while binning')
}

/**
 * The claim loop of a job shared by threads: takes item numbers from next[0] until `count` are taken,
 * runs `work` on each, counts finished items in next[1] (notifying a waiter), and sets next[2] to 1
 * when one threw (the error is rethrown). Returns how many this thread did.
 */
function claimAll(next: Int32Array, count: number, work: (item: number) => void): number {
  let done = 0
  for (;;) {
    const item = Atomics.add(next, 0, 1)
    if (item >= count) return done
    try {
      work(item)
    } catch (err) {
      Atomics.store(next, 2, 1)
      throw err
    } finally {
      Atomics.add(next, 1, 1)
      Atomics.notify(next, 1)
    }
    done++
  }
}

/**
 * Cut points of one column (its non-NaN values, reordered in place; `spare` as long) into `out`
 * (≥ maxBins − 1 long); returns how many. One per gap between distinct values when there are
 * ≤ maxBins of them, else maxBins − 1 percentiles.
 */
function columnEdges(column: Float64Array, spare: Float64Array, maxBins: number, out: Float64Array): number {
  let k = 0
  for (let r = 0; r < column.length; r++) {
    const v = column[r]
    if (v === v) column[k++] = v
  }
  const sorted = sortFloats(column.subarray(0, k), spare.subarray(0, k))
  let distinct = k > 0 ? 1 : 0
  for (let i = 1; i < k; i++) if (sorted[i] !== sorted[i - 1]) distinct++
  let nEdges = 0
  if (distinct <= maxBins) {
    for (let i = 1; i < k; i++) if (sorted[i] !== sorted[i - 1]) out[nEdges++] = mid(sorted[i - 1], sorted[i])
  } else {
    // numpy.percentile(col, linspace(0, 100, maxBins + 1)[1:-1], method='midpoint'), as sklearn's
    // _find_binning_thresholds: always maxBins − 1 cut points, repeats allowed (their bins stay empty)
    const step = 100 / maxBins
    for (let b = 1; b < maxBins; b++) {
      const vi = (k - 1) * ((b * step) / 100)
      const lo = Math.floor(vi)
      const a = sorted[lo]
      if (lo === vi) out[nEdges++] = a
      else {
        const d = sorted[lo + 1] - a
        out[nEdges++] = sorted[lo + 1] - d * 0.5
      }
    }
  }
  return nEdges
}

/** Radix passes of sortFloats: 11, 11 and 10 bits of each 32-bit half. */
const RADIX_BITS = [11, 11, 10]

/**
 * Sorts values without NaN ascending, as TypedArray.prototype.sort does (−0 before +0), in a or
 * in spare (returned): LSD radix sort on the IEEE-754 bits made order-preserving (a negative value
 * has every bit flipped, a positive one its sign bit), six passes of 11/11/10 bits over the low
 * and then the high word, all digits counted in one pass first and passes whose digit is the same
 * for every value skipped. V8's comparison sort took ~5 ms per 80k-value column, ~70 % of binning.
 */
export function sortFloats(a: Float64Array, spare: Float64Array): Float64Array {
  const n = a.length
  if (n < 2048) return a.sort()
  const counts = new Uint32Array(6 * 2048)
  let w = new Int32Array(a.buffer, a.byteOffset, 2 * n)
  for (let i = 0; i < n; i++) {
    const sign = w[2 * i + 1] >> 31
    const lo = w[2 * i] ^ sign
    const hi = w[2 * i + 1] ^ (sign | 0x80000000)
    counts[lo & 2047]++
    counts[2048 + ((lo >>> 11) & 2047)]++
    counts[4096 + (lo >>> 22)]++
    counts[6144 + (hi & 2047)]++
    counts[8192 + ((hi >>> 11) & 2047)]++
    counts[10240 + (hi >>> 22)]++
  }
  let src = a
  let dst = spare
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * 2048
    const word = pass < 3 ? 0 : 1
    const shift = pass % 3 === 0 ? 0 : pass % 3 === 1 ? 11 : 22
    const mask = (1 << RADIX_BITS[pass % 3]) - 1
    // counts become start positions; a digit held by every value leaves the order as it is
    let trivial = false
    let pos = 0
    for (let d = 0; d <= mask; d++) {
      const c = counts[base + d]
      if (c === n) trivial = true
      counts[base + d] = pos
      pos += c
    }
    if (trivial) continue
    w = new Int32Array(src.buffer, src.byteOffset, 2 * n)
    for (let i = 0; i < n; i++) {
      const sign = w[2 * i + 1] >> 31
      const key = word === 0 ? w[2 * i] ^ sign : w[2 * i + 1] ^ (sign | 0x80000000)
      dst[counts[base + ((key >>> shift) & mask)]++] = src[i]
    }
    const t = src
    src = dst
    dst = t
  }
  return src
}

/** (a + b) / 2 as numpy computes it (sklearn's midpoints), falling back to a/2 + b/2 on overflow. */
function mid(a: number, b: number): number {
  const m = (a + b) * 0.5
  return Number.isFinite(m) ? m : a / 2 + b / 2
}

/**
 * Cells of each feature's lookup table in binRows (8 KB a feature): with 255 bins a cell rarely
 * holds an edge, so the exact step after the lookup is rarely taken (1024 cells: a step in ~1 of 4
 * values, a coin-flip branch; 1M × 20: 430 → 300 ms).
 */
const LOOKUP_CELLS = 8192

/**
 * Bin codes of the given rows of x, row-major (codes[r * stride + f], stride ≥ p; padding bytes 0):
 * one sample's features share a cache line, so a histogram build reads one line per sample.
 * A value's bin (edges strictly below it) starts from a per-feature table over equal-width cells
 * between the first and last edge, then steps to the exact count: one or two predictable steps
 * instead of eight coin-flip branches of a binary search (~6× faster at 1M × 20). Written into
 * `out` when given (n × stride bytes, padding already 0), else into a new array.
 */
export function binRows(x: Matrix, mapper: BinMapper, rows: ArrayLike<number> | null, stride = x.nCols, out?: Uint8Array): Uint8Array {
  const p = x.nCols
  const n = rows === null ? x.nRows : rows.length
  const codes = out ?? new Uint8Array(n * stride)
  const { edges, edgeStart, nBins } = mapper
  const data = x.data
  // table[f * LOOKUP_CELLS + c] = edges strictly below the start of cell c
  const table = new Uint8Array(p * LOOKUP_CELLS)
  const lo = new Float64Array(p)
  const scale = new Float64Array(p)
  for (let f = 0; f < p; f++) {
    const base = edgeStart[f]
    const m = edgeStart[f + 1] - base
    if (m === 0) continue
    lo[f] = edges[base]
    const width = (edges[base + m - 1] - edges[base]) / LOOKUP_CELLS
    scale[f] = width > 0 && Number.isFinite(width) ? 1 / width : 0
    let b = 0
    for (let c = 0; c < LOOKUP_CELLS; c++) {
      const start = lo[f] + c * width
      while (b < m && edges[base + b] < start) b++
      table[f * LOOKUP_CELLS + c] = b
    }
  }
  for (let r = 0; r < n; r++) {
    const src = (rows === null ? r : rows[r]) * p
    const dst = r * stride
    for (let f = 0; f < p; f++) {
      const v = data[src + f]
      if (v !== v) {
        codes[dst + f] = nBins[f]
        continue
      }
      const base = edgeStart[f]
      const m = edgeStart[f + 1] - base
      let cell = Math.floor((v - lo[f]) * scale[f])
      cell = cell < 0 ? 0 : cell >= LOOKUP_CELLS ? LOOKUP_CELLS - 1 : cell
      let b = m === 0 ? 0 : table[f * LOOKUP_CELLS + cell]
      // exact whatever the rounding of the cell: back while an edge at or above v is counted, on while one below is not
      while (b > 0 && edges[base + b - 1] >= v) b--
      while (b < m && edges[base + b] < v) b++
      codes[dst + f] = b
    }
  }
  return codes
}

/** Bins a training matrix into the fit's codes on several threads (binRows; the same bytes for any number). */
export interface ParallelBinning {
  run(x: Matrix, mapper: BinMapper, stride: number, codes: Uint8Array): void
}

/**
 * Rows of a matrix to bin on the histogram workers: rows `from`..n are split into `blocks` blocks
 * claimed from next[0] by every thread taking part, each binned (binRows) into its rows of the
 * shared `codes`; next[1] counts the finished blocks, next[2] is 1 when a thread failed.
 */
export interface BinJob {
  /** Rows from..n, row-major (shared: a copy unless the matrix already was). */
  readonly rows: Float64Array
  readonly from: number
  readonly n: number
  readonly p: number
  readonly blocks: number
  readonly mapper: BinMapper
  readonly stride: number
  readonly codes: Uint8Array
  readonly next: Int32Array
}

/** Claims blocks of `job` until none is left; returns how many this thread did. */
export function runBinJob(job: BinJob): number {
  const { rows, from, n, p, blocks, next } = job
  return claimAll(next, blocks, (b) => {
    const r0 = from + Math.round((b * (n - from)) / blocks)
    const r1 = from + Math.round(((b + 1) * (n - from)) / blocks)
    binRows({ data: rows.subarray((r0 - from) * p, (r1 - from) * p), nRows: r1 - r0, nCols: p }, job.mapper, null, job.stride, job.codes.subarray(r0 * job.stride, r1 * job.stride))
  })
}

