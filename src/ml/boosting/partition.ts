import { DATA_ORDER, rowStride } from './histogram.js'
import type { KernelExports } from './kernels.js'
import { MAX_PAGES, wasm, type WasmMemory } from './wasm-module.js'

/**
 * Everything the hot loops of a boosting fit read and write, in one WebAssembly memory (the
 * kernels address it directly; shared for worker threads): bin codes in data order (DATA_ORDER)
 * and two node-ordered copies (parts 0 and 1) of codes, gradient pairs and sample indices, each n
 * long, codes rowStride(p) bytes per row; the data-order gradient pairs of each tree of an
 * iteration; the split's goes-left table; histogram slots. A split reads its node's samples from
 * one part and writes the children's into the other at the same range, so no copy-back is needed
 * and every node's samples stay contiguous. The memory never grows, so the views stay valid.
 */
export interface SampleBuffers {
  readonly memory: WasmMemory
  readonly codes: Uint8Array
  readonly rows: readonly [Uint8Array, Uint8Array]
  readonly ordered: readonly [Float32Array, Float32Array]
  readonly idx: readonly [Uint32Array, Uint32Array]
  /** Interleaved gradient/hessian of each tree of an iteration, in data order. */
  readonly gh: readonly Float32Array[]
  /** 1 where a bin code of the current split's feature goes left (256 bytes). */
  readonly goesLeft: Uint8Array
  /** Histograms in the memory ([g, h, count] cells) for the grower to hand out. */
  readonly histograms: readonly Float64Array[]
  /** One more: where a build lands when its target lives outside the memory, before it is copied out. */
  readonly scratch: Float64Array
}

/**
 * Allocates SampleBuffers for n samples of p features, k trees per iteration and `histSlots`
 * histograms of `histCells` cells. Throws RangeError when they exceed the 4 GiB a 32-bit
 * WebAssembly memory can address (about 40M rows of 20 features).
 */
export function sampleBuffers(n: number, p: number, k: number, histCells: number, histSlots: number, shared: boolean): SampleBuffers {
  const stride = rowStride(p)
  const sizes = [n * stride, n * stride, n * stride, 8 * n, 8 * n, 4 * n, 4 * n, ...Array<number>(k).fill(8 * n), 256, ...Array<number>(histSlots + 1).fill(histCells * 24)]
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
  const u32 = (): Uint32Array => new Uint32Array(buf, offsets[i], sizes[i++] >> 2)
  const f64 = (): Float64Array => new Float64Array(buf, offsets[i], sizes[i++] >> 3)
  const codes = u8()
  const rows: [Uint8Array, Uint8Array] = [u8(), u8()]
  const ordered: [Float32Array, Float32Array] = [f32(), f32()]
  const idx: [Uint32Array, Uint32Array] = [u32(), u32()]
  const gh = Array.from({ length: k }, f32)
  const goesLeft = u8()
  const histograms = Array.from({ length: histSlots }, f64)
  return { memory, codes, rows, ordered, idx, gh, goesLeft, histograms, scratch: f64() }
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

  #rows(part: number): number {
    return (part === DATA_ORDER ? this.buffers.codes : this.buffers.rows[part]).byteOffset
  }

  /** Samples among start..end of part `from` whose code of feature f goes left. */
  countLeft(from: number, f: number, start: number, end: number): number {
    return this.kernels.count_left(this.#rows(from), this.buffers.goesLeft.byteOffset, f, start, end)
  }

  /**
   * Moves samples start..end of part `from` into part `to` (tree `tree`'s gradients when `from`
   * is DATA_ORDER): those going left to leftStart on, the others to rightStart on, both in order.
   * Returns the left cursor at the end (leftStart + the samples that went left).
   */
  move(from: number, to: number, tree: number, f: number, start: number, end: number, leftStart: number, rightStart: number): number {
    const b = this.buffers
    const fromData = from === DATA_ORDER
    return (fromData ? this.kernels.move_data : this.kernels.move_ordered)(
      this.#rows(from),
      (fromData ? b.gh[tree] : b.ordered[from]).byteOffset,
      b.idx[fromData ? 0 : from].byteOffset,
      b.rows[to].byteOffset,
      b.ordered[to].byteOffset,
      b.idx[to].byteOffset,
      b.goesLeft.byteOffset,
      f,
      start,
      end,
      leftStart,
      rightStart,
    )
  }
}
