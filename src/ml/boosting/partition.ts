import { DATA_ORDER, rowStride } from './histogram.js'
import type { KernelExports } from './kernels.js'
import { MAX_PAGES, wasm, type WasmMemory } from './wasm-module.js'

/**
 * Everything the hot loops of a boosting fit read and write, in one WebAssembly memory (the
 * kernels address it directly; shared for worker threads): bin codes in data order (DATA_ORDER,
 * rowStride(p) bytes per row), the data-order gradient pairs of each tree of an iteration, and two
 * node-ordered copies (parts 0 and 1) of the samples as records of recordBytes(p) bytes: the row
 * of codes, the sample index (uint32 at byte stride) and the gradient pair (two float32 at byte
 * stride + 4); then the split's goes-left table, a split scan's result and histogram slots. A split reads its node's
 * records from one part and writes the children's into the other at the same range, so no
 * copy-back is needed and every node's samples stay contiguous; a record is whole 16-byte words,
 * aligned, so a move is two 128-bit copies at 20 features. The memory never grows, so the views
 * stay valid.
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
  /** Where a split scan reports its best split (bin, then the scanned side's g, h and count sums). */
  readonly scanOut: Float64Array
}

/** Bytes of one node-ordered record: the row of codes, the sample index and the gradient pair, in whole 16-byte words. */
export function recordBytes(p: number): number {
  return (rowStride(p) + 12 + 15) & ~15
}

/**
 * Allocates SampleBuffers for n samples of p features, k trees per iteration and `histSlots`
 * histograms of `histCells` cells. Throws RangeError when they exceed the 4 GiB a 32-bit
 * WebAssembly memory can address (about 40M rows of 20 features).
 */
export function sampleBuffers(n: number, p: number, k: number, histCells: number, histSlots: number, shared: boolean): SampleBuffers {
  const rec = recordBytes(p)
  const sizes = [n * rowStride(p), n * rec, n * rec, ...Array<number>(k).fill(8 * n), 256, 32, ...Array<number>(histSlots + 1).fill(histCells * 8)]
  const offsets: number[] = []
  let bytes = 0
  for (const s of sizes) {
    offsets.push(bytes)
    bytes += (s + 15) & ~15
  }
  const pages = Math.ceil(bytes / 65536)
  if (pages > MAX_PAGES) throw new RangeError(`a boosting fit of ${n} rows × ${p} features needs ${(bytes / 2 ** 30).toFixed(1)} GiB of sample buffers, more than the 4 GiB WebAssembly can address`)
  const memory = new wasm.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages })
  const buf = memory.buffer
  let i = 0
  const u8 = (): Uint8Array => new Uint8Array(buf, offsets[i], sizes[i++])
  const f32 = (): Float32Array => new Float32Array(buf, offsets[i], sizes[i++] >> 2)
  const f64 = (): Float64Array => new Float64Array(buf, offsets[i], sizes[i++] >> 3)
  const codes = u8()
  const records: [Uint8Array, Uint8Array] = [u8(), u8()]
  const gh = Array.from({ length: k }, f32)
  const goesLeft = u8()
  const scanOut = f64()
  const histograms = Array.from({ length: histSlots }, f64)
  return { memory, codes, records, gh, goesLeft, histograms, scratch: f64(), scanOut }
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
}
