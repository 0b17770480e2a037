import { DATA_ORDER, rowStride } from './histogram.js'
import type { KernelExports } from './kernels.js'
import { newMemory } from './fit-memory.js'
import { MAX_PAGES, type WasmMemory } from './wasm-module.js'

/**
 * Everything the hot loops of a boosting fit read and write, in one WebAssembly memory (the
 * kernels address it directly; shared for worker threads): bin codes in data order (DATA_ORDER,
 * rowStride(p) bytes per row), the data-order gradient pairs of each tree of an iteration, and two
 * node-ordered copies (parts 0 and 1) of the samples as records of recordBytes(p) bytes: the row
 * of codes, the sample index (uint32 at byte stride) and the gradient pair (two float32 at byte
 * stride + 4); then the split's goes-left table, a split scan's result, histogram slots, and
 * the targets, raw predictions and leaf table of the per-sample work after each tree. A split reads its node's
 * records from one part and writes the children's into the other at the same range, so no
 * copy-back is needed and every node's samples stay contiguous; a record is whole 16-byte words,
 * aligned, so a move is two 128-bit copies at 20 features. The memory never grows, so the views
 * stay valid; it may be larger than they need (a memory kept from a larger fit).
 */
export interface SampleBuffers {
  readonly memory: WasmMemory
  readonly codes: Uint8Array
  /** Node-ordered records of parts 0 and 1 (recordBytes(p) bytes each). */
  readonly records: readonly [Uint8Array, Uint8Array]
  /** Interleaved gradient/hessian of each tree of an iteration, in data order. */
  readonly gh: readonly Float32Array[]
  /** 1 where a bin code of the current split's feature goes left (256 bytes). */
  readonly goesLeft: Uint8Array
  /** Histograms in the memory ([g, h, count] cells) for the grower to hand out. */
  readonly histograms: readonly Float64Array[]
  /** One more: where a build lands when its target lives outside the memory, before it is copied out. */
  readonly scratch: Float64Array
  /**
   * Where split scans report their best split (bin, then the scanned side's g, h and count sums):
   * 4 float64 for the calling thread, then 4 for each feature chunk (threads scan chunks at once).
   */
  readonly scanOut: Float64Array
  /** Training targets (or class indices), data order. */
  readonly y: Float64Array
  /** Raw predictions, n × k row-major, data order. */
  readonly raw: Float64Array
  /** Per sample, the number of its leaf in the tree just grown (bytes when at most 256 leaves). */
  readonly leafOf: Uint8Array | Uint32Array
  /** The tree just grown: leaf L's value, and where its samples are (part, start, end at 3L). */
  readonly leafValue: Float64Array
  readonly leaves: Int32Array
}

/** Bytes of one node-ordered record: the row of codes, the sample index and the gradient pair, in whole 16-byte words. */
export function recordBytes(p: number): number {
  return (rowStride(p) + 12 + 15) & ~15
}

/**
 * Allocates SampleBuffers for n samples of p features, k trees per iteration, trees of at most
 * maxLeaves leaves and `histSlots` histograms of `histCells` cells, in the memory `allocate` gives
 * (at least the bytes asked, the first ones zero: a new one by default, fitMemory's in a fit).
 * Throws RangeError when they exceed the 4 GiB a 32-bit WebAssembly memory can address (about 30M
 * rows of 20 features).
 */
export function sampleBuffers(
  n: number,
  p: number,
  k: number,
  histCells: number,
  histSlots: number,
  shared: boolean,
  maxLeaves = 1,
  allocate: (bytes: number, shared: boolean) => WasmMemory = newMemory,
): SampleBuffers {
  const rec = recordBytes(p)
  const wideLeaves = maxLeaves > 256
  const sizes = [
    n * rowStride(p),
    n * rec,
    n * rec,
    ...Array<number>(k).fill(8 * n),
    256,
    32 * (p + 1),
    ...Array<number>(histSlots + 1).fill(histCells * 8),
    8 * n,
    8 * n * k,
    wideLeaves ? 4 * n : n,
    8 * maxLeaves,
    12 * maxLeaves,
  ]
  const offsets: number[] = []
  let bytes = 0
  for (const s of sizes) {
    offsets.push(bytes)
    bytes += (s + 15) & ~15
  }
  const pages = Math.ceil(bytes / 65536)
  if (pages > MAX_PAGES) throw new RangeError(`a boosting fit of ${n} rows × ${p} features needs ${(bytes / 2 ** 30).toFixed(1)} GiB of sample buffers, more than the 4 GiB WebAssembly can address`)
  const memory = allocate(pages * 65536, shared)
  const buf = memory.buffer
  let i = 0
  const u8 = (): Uint8Array => new Uint8Array(buf, offsets[i], sizes[i++])
  const f32 = (): Float32Array => new Float32Array(buf, offsets[i], sizes[i++] >> 2)
  const f64 = (): Float64Array => new Float64Array(buf, offsets[i], sizes[i++] >> 3)
  const i32 = (): Int32Array => new Int32Array(buf, offsets[i], sizes[i++] >> 2)
  const codes = u8()
  const records: [Uint8Array, Uint8Array] = [u8(), u8()]
  const gh = Array.from({ length: k }, f32)
  const goesLeft = u8()
  const scanOut = f64()
  const histograms = Array.from({ length: histSlots }, f64)
  const scratch = f64()
  const y = f64()
  const raw = f64()
  const leafOf = wideLeaves ? new Uint32Array(buf, offsets[i], sizes[i++] >> 2) : u8()
  return { memory, codes, records, gh, goesLeft, histograms, scratch, scanOut, y, raw, leafOf, leafValue: f64(), leaves: i32() }
}

/** The sample indices of a part's positions: position j holds sample words[j * step + at]. */
export interface PositionIndex {
  readonly words: Uint32Array
  readonly step: number
  readonly at: number
}

/** Where part 0 or 1 keeps its records' sample indices. */
export function positionIndex(buffers: SampleBuffers, part: number, p: number): PositionIndex {
  const r = buffers.records[part]
  return { words: new Uint32Array(r.buffer, r.byteOffset, r.byteLength >> 2), step: recordBytes(p) >> 2, at: rowStride(p) >> 2 }
}

/**
 * Moves samples between the parts of SampleBuffers through the fit's kernels (any thread holding
 * the same memory gets the same bytes: the moves are exact copies). The split's table is
 * buffers.goesLeft.
 */
export class SampleMover {
  constructor(
    private readonly buffers: SampleBuffers,
    private readonly kernels: KernelExports,
  ) {}

  /** Samples among start..end of part `from` whose code of feature f goes left. */
  countLeft(from: number, f: number, start: number, end: number): number {
    const b = this.buffers
    return from === DATA_ORDER
      ? this.kernels.count_left_data(b.codes.byteOffset, b.goesLeft.byteOffset, f, start, end)
      : this.kernels.count_left_ordered(b.records[from].byteOffset, b.goesLeft.byteOffset, f, start, end)
  }

  /**
   * Moves samples start..end of part `from` into part `to` (tree `tree`'s gradients when `from`
   * is DATA_ORDER): those going left to leftStart on, the others to rightStart on, both in order.
   * Returns the left cursor at the end (leftStart + the samples that went left).
   */
  move(from: number, to: number, tree: number, f: number, start: number, end: number, leftStart: number, rightStart: number): number {
    const b = this.buffers
    const dst = b.records[to].byteOffset
    return from === DATA_ORDER
      ? this.kernels.move_data(b.codes.byteOffset, b.gh[tree].byteOffset, dst, b.goesLeft.byteOffset, f, start, end, leftStart, rightStart)
      : this.kernels.move_ordered(b.records[from].byteOffset, 0, dst, b.goesLeft.byteOffset, f, start, end, leftStart, rightStart)
  }

  /**
   * move() from the last sample back: those going left end at leftEnd, the others at rightEnd
   * (exclusive), both in order. Returns where its left samples begin.
   */
  moveBack(from: number, to: number, tree: number, f: number, start: number, end: number, leftEnd: number, rightEnd: number): number {
    const b = this.buffers
    const dst = b.records[to].byteOffset
    return from === DATA_ORDER
      ? this.kernels.move_data_back(b.codes.byteOffset, b.gh[tree].byteOffset, dst, b.goesLeft.byteOffset, f, start, end, leftEnd, rightEnd)
      : this.kernels.move_ordered_back(b.records[from].byteOffset, 0, dst, b.goesLeft.byteOffset, f, start, end, leftEnd, rightEnd)
  }
}

/**
 * The leaf of each sample for positions a..b of the tree in buffers.leaves (nLeaves leaves, each
 * a position range of part 0, 1 or DATA_ORDER): leafOf[sample] = leaf. Leaves cover every
 * position once, so threads taking disjoint position ranges write disjoint samples.
 */
export function scatterLeaves(buffers: SampleBuffers, p: number, nLeaves: number, a: number, b: number): void {
  const { leaves, leafOf } = buffers
  const parts = [positionIndex(buffers, 0, p), positionIndex(buffers, 1, p)]
  for (let leaf = 0; leaf < nLeaves; leaf++) {
    const part = leaves[3 * leaf]
    const start = Math.max(a, leaves[3 * leaf + 1])
    const end = Math.min(b, leaves[3 * leaf + 2])
    if (part === DATA_ORDER) {
      for (let j = start; j < end; j++) leafOf[j] = leaf
      continue
    }
    const { words, step, at } = parts[part]
    for (let j = start; j < end; j++) leafOf[words[j * step + at]] = leaf
  }
}

/** raw[i·k + c] += leafValue[leafOf[i]] for samples a..b, in data order (the leaf numbers stay in cache, raw streams). */
export function addLeafValues(buffers: SampleBuffers, k: number, c: number, a: number, b: number): void {
  const { raw, leafOf, leafValue } = buffers
  for (let i = a; i < b; i++) raw[i * k + c] += leafValue[leafOf[i]]
}
