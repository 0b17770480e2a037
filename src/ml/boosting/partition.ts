import { DATA_ORDER, rowStride } from './histogram.js'

/**
 * What a boosting fit partitions: bin codes in data order (DATA_ORDER) and two node-ordered
 * copies (parts 0 and 1) of codes, gradient pairs and sample indices, each n long, codes
 * rowStride(p) bytes per row. A split reads its node's samples from one part and writes the
 * children's into the other at the same range, so no copy-back is needed and every node's samples
 * stay contiguous. SharedArrayBuffer-backed for worker threads.
 */
export interface SampleBuffers {
  readonly codes: Uint8Array
  readonly rows: readonly [Uint8Array, Uint8Array]
  readonly ordered: readonly [Float32Array, Float32Array]
  readonly idx: readonly [Uint32Array, Uint32Array]
}

/** Allocates SampleBuffers for n samples of p features around `codes` (already rowStride(p) bytes per row). */
export function sampleBuffers(codes: Uint8Array, n: number, p: number, shared: boolean): SampleBuffers {
  const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes))
  const stride = rowStride(p)
  return {
    codes,
    rows: [new Uint8Array(alloc(n * stride)), new Uint8Array(alloc(n * stride))],
    ordered: [new Float32Array(alloc(8 * n)), new Float32Array(alloc(8 * n))],
    idx: [new Uint32Array(alloc(4 * n)), new Uint32Array(alloc(4 * n))],
  }
}

/**
 * Moves samples between the parts of SampleBuffers (any thread holding the same buffers gets the
 * same bytes: the moves are exact copies). `gh` are the data-order gradient pairs of each tree of
 * an iteration, the source of a move out of DATA_ORDER.
 */
export class SampleMover {
  readonly #stride: number
  readonly #rowWords: readonly Int32Array[]
  readonly #ghWords: readonly Int32Array[]
  readonly #dataGhWords: readonly Int32Array[]
  readonly #fromData: MoveKernel
  readonly #fromOrdered: MoveKernel

  constructor(
    private readonly buffers: SampleBuffers,
    p: number,
    gh: readonly Float32Array[],
  ) {
    this.#stride = rowStride(p)
    const words = (a: Uint8Array | Float32Array): Int32Array => new Int32Array(a.buffer, a.byteOffset, a.byteLength >> 2)
    this.#rowWords = [words(buffers.rows[0]), words(buffers.rows[1]), words(buffers.codes)]
    this.#ghWords = [words(buffers.ordered[0]), words(buffers.ordered[1])]
    this.#dataGhWords = gh.map(words)
    this.#fromData = moveKernel(this.#stride, true)
    this.#fromOrdered = moveKernel(this.#stride, false)
  }

  /** Samples among start..end of part `from` whose code of feature f goes left. */
  countLeft(from: number, f: number, goesLeft: Uint8Array, start: number, end: number): number {
    const rows = from === DATA_ORDER ? this.buffers.codes : this.buffers.rows[from]
    const stride = this.#stride
    let n = 0
    for (let k = start; k < end; k++) n += goesLeft[rows[k * stride + f]]
    return n
  }

  /**
   * Moves samples start..end of part `from` into part `to` (tree `tree`'s gradients when `from`
   * is DATA_ORDER): those going left to leftStart on, the others to rightStart on, both in order.
   * Returns the left cursor at the end (leftStart + the samples that went left).
   */
  move(from: number, to: number, tree: number, f: number, goesLeft: Uint8Array, start: number, end: number, leftStart: number, rightStart: number): number {
    const fromData = from === DATA_ORDER
    return (fromData ? this.#fromData : this.#fromOrdered)(
      fromData ? this.buffers.codes : this.buffers.rows[from],
      this.#rowWords[from],
      fromData ? this.#dataGhWords[tree] : this.#ghWords[from],
      this.buffers.idx[fromData ? 0 : from],
      this.#rowWords[to],
      this.#ghWords[to],
      this.buffers.idx[to],
      goesLeft,
      f,
      start,
      end,
      leftStart,
      rightStart,
    )
  }
}

/**
 * Moves samples start..end (bin-code row words, gradient-pair words, sample index) to the other
 * part, left ones from leftStart on, right ones from rightStart on, in order; returns the left
 * cursor at the end. From DATA_ORDER, position k is sample k (srcIdx unused).
 */
type MoveKernel = (
  srcRows: Uint8Array,
  srcW: Int32Array,
  srcG: Int32Array,
  srcIdx: Uint32Array,
  dstW: Int32Array,
  dstG: Int32Array,
  dstIdx: Uint32Array,
  goesLeft: Uint8Array,
  f: number,
  start: number,
  end: number,
  leftStart: number,
  rightStart: number,
) => number

const moveKernels = new Map<string, MoveKernel>()

/**
 * The move loop for rows of `stride` bytes with the word copy unrolled (generated once per stride
 * and source kind, from integers only). Each sample's side is a coin flip the CPU cannot predict:
 * both cursors advance arithmetically and the destination is a select (10–15 % faster than the
 * multiply `r + (l − r) · left` in a micro-benchmark; a branch on the side was no faster).
 */
function moveKernel(stride: number, fromData: boolean): MoveKernel {
  const key = `${stride}:${fromData ? 1 : 0}`
  let k = moveKernels.get(key)
  if (k !== undefined) return k
  const words = stride >> 2
  let copy = ''
  for (let w = 0; w < words; w++) copy += `dstW[b + ${w}] = srcW[a + ${w}];\n`
  k = new Function(
    'srcRows',
    'srcW',
    'srcG',
    'srcIdx',
    'dstW',
    'dstG',
    'dstIdx',
    'goesLeft',
    'f',
    'start',
    'end',
    'leftStart',
    'rightStart',
    `let l = leftStart; let r = rightStart;
for (let k = start; k < end; k++) {
  const left = goesLeft[srcRows[k * ${stride} + f]];
  const d = left !== 0 ? l : r;
  l += left;
  r += 1 - left;
  dstIdx[d] = ${fromData ? 'k' : 'srcIdx[k]'};
  dstG[2 * d] = srcG[2 * k];
  dstG[2 * d + 1] = srcG[2 * k + 1];
  const a = k * ${words};
  const b = d * ${words};
${copy}}
return l;`,
  ) as MoveKernel
  moveKernels.set(key, k)
  return k
}
