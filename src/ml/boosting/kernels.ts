/**
 * The hot loops of a boosting fit — histogram builds, split moves and the left-count of a split,
 * histogram subtraction and clearing, split scans — as WebAssembly generated per fit (wasm-module.ts) over the memory that holds the fit's samples
 * (SampleBuffers). They were JavaScript (unrolled by new Function); typed-array code paid a bounds
 * check and a conversion per access, the generated WebAssembly pays neither, and takes each
 * feature's histogram offset and the row width as immediates. Any thread holding the same memory
 * and module gets the same bytes: each feature's bins are summed in sample order, moves are copies.
 */
import { rowStride } from './histogram.js'
import { recordBytes } from './partition.js'
import { F64, FunctionBody, I32, OP, SIMD, V128, encodeModule, wasm, type WasmMemory, type WasmModule } from './wasm-module.js'

/** Bytes of one [g, h, count] histogram cell. */
const CELL = 24

/** A histogram kernel's feature range [f0, f1). */
export type FeatureRange = readonly [number, number]

/** What the kernels are specialised for: one fit's bin layout and row width. */
export interface KernelLayout {
  readonly p: number
  /** First cell of each feature's bins (p + 1 entries). */
  readonly binOffset: Int32Array
  /** Hessians are all 1: the kernels add (g, 1) and leave the count slot alone. */
  readonly constHessian: boolean
  /** The feature ranges histograms are built for (hist_r_* functions, r the index here). */
  readonly ranges: readonly FeatureRange[]
  /** Whether the memory is shared (worker threads). */
  readonly shared: boolean
}

const modules = new WeakMap<Int32Array, Map<string, WasmModule>>()

/** The compiled kernels of a layout (cached per bin layout; a Module can be posted to workers). */
export function kernelModule(layout: KernelLayout): WasmModule {
  let forOffsets = modules.get(layout.binOffset)
  if (forOffsets === undefined) modules.set(layout.binOffset, (forOffsets = new Map()))
  const key = `${layout.p}:${layout.constHessian}:${layout.shared}:${layout.ranges.join(';')}`
  let m = forOffsets.get(key)
  if (m === undefined) {
    const stride = rowStride(layout.p)
    const rec = recordBytes(layout.p)
    const fns: FunctionBody[] = []
    layout.ranges.forEach((r, i) => {
      for (const withCount of [false, true]) {
        fns.push(histKernel(`hist_${i}_${withCount ? 1 : 0}_data`, layout, r, withCount, stride, null))
        fns.push(histKernel(`hist_${i}_${withCount ? 1 : 0}_ordered`, layout, r, withCount, rec, stride + 4))
      }
    })
    fns.push(moveKernel('move_data', stride, rec, true, false), moveKernel('move_ordered', rec, rec, false, false))
    fns.push(moveKernel('move_data_back', stride, rec, true, true), moveKernel('move_ordered_back', rec, rec, false, true))
    fns.push(countLeftKernel('count_left_data', stride), countLeftKernel('count_left_ordered', rec), subtractKernel(), zeroKernel())
    fns.push(scanKernel('scan_right', layout.constHessian, false), scanKernel('scan_left', layout.constHessian, true))
    m = new wasm.Module(encodeModule(fns, layout.shared))
    forOffsets.set(key, m)
  }
  return m
}

/** The exports of an instance: every pointer is a byte address in the fit's memory. */
export interface KernelExports {
  /**
   * Adds samples start..end to the histogram at hist: from data order (codes at rows, gradient
   * pairs at gh) or from node-ordered records at rows (gh unused).
   */
  readonly [hist: `hist_${number}_${0 | 1}_${'data' | 'ordered'}`]: (rows: number, gh: number, start: number, end: number, hist: number) => void
  /**
   * Moves samples start..end into the records at dst, left ones to leftStart on, the others to
   * rightStart on; returns the left cursor. From data order (codes at src, gradient pairs at gh,
   * position k is sample k) or from records at src (gh unused).
   */
  readonly move_data: MoveFn
  readonly move_ordered: MoveFn
  /**
   * The same move from the last sample back to the first, left ones written down from leftEnd and
   * the others down from rightEnd (exclusive ends): the same places as a forward move whose
   * starts were counted, without counting; returns the left cursor (where its left samples begin).
   */
  readonly move_data_back: MoveFn
  readonly move_ordered_back: MoveFn
  /** Samples start..end whose code of feature f has goesLeft[code] = 1 (codes in data order, or records). */
  readonly count_left_data: CountFn
  readonly count_left_ordered: CountFn
  /** sibling = parent − child, element by element over `bytes` bytes of float64 (a multiple of 8). */
  readonly subtract: (parent: number, child: number, sibling: number, bytes: number) => void
  /** Sets `bytes` bytes at `at` to 0. */
  readonly zero: (at: number, bytes: number) => void
  /**
   * One feature's split scan for findBestSplit (bins left to right, missing values right; or right
   * to left, missing left): returns the best gain, and when a split beat `best` writes its bin and
   * the scanned side's sums (g, h, count) to out[0..4) as float64.
   */
  readonly scan_right: ScanFn
  readonly scan_left: ScanFn
}

type ScanFn = (
  cells: number,
  last: number,
  G: number,
  H: number,
  N: number,
  parent: number,
  l2: number,
  minLeaf: number,
  minHess: number,
  best: number,
  out: number,
) => number

type MoveFn = (src: number, gh: number, dst: number, goesLeft: number, f: number, start: number, end: number, leftStart: number, rightStart: number) => number
type CountFn = (rows: number, goesLeft: number, f: number, start: number, end: number) => number

/** Instantiates the kernels over `memory` (each thread its own instance of the same module). */
export function instantiateKernels(module: WasmModule, memory: WasmMemory): KernelExports {
  return new wasm.Instance(module, { m: { memory } }).exports as unknown as KernelExports
}

/**
 * Row by row over the node's contiguous samples, every feature of the range unrolled, each bin's
 * address its code × 24 plus the feature's offset as the access's immediate. The (g, h) pair is
 * one 128-bit add (both f32 loaded and widened at once). With constant hessians that pair is
 * (g, 1), so the hessian slot is the count and the count slot is never written (one
 * read-modify-write per sample and feature); otherwise the count slot is added to only `withCount`
 * (the root's counts are the same for every tree: the grower copies them in). Rows are `step`
 * bytes apart; the gradient pair is at byte ghAt of the row (records) or in its own array (null).
 */
function histKernel(name: string, layout: KernelLayout, [f0, f1]: FeatureRange, withCount: boolean, step: number, ghAt: number | null): FunctionBody {
  const fn = new FunctionBody(name, [I32, I32, I32, I32, I32], [])
  const [rows, gh, start, end, hist] = [0, 1, 2, 3, 4]
  const row = fn.local(I32)
  const last = fn.local(I32)
  const j = fn.local(I32)
  const g = fn.local(V128)
  const { binOffset } = layout
  fn.get(rows).get(start).i32(step).op(OP.i32Mul, OP.i32Add).set(row)
  fn.get(rows).get(end).i32(step).op(OP.i32Mul, OP.i32Add).set(last)
  fn.get(gh).get(start).i32(8).op(OP.i32Mul, OP.i32Add).set(gh)
  fn.scope(OP.block, () => {
    fn.get(row).get(last).op(OP.i32GeU).brIf(0)
    fn.scope(OP.loop, () => {
      if (ghAt === null) fn.get(gh).simdMem(SIMD.v128Load64Zero, 3, 0)
      else fn.get(row).simdMem(SIMD.v128Load64Zero, 2, ghAt)
      fn.simd(SIMD.f64x2PromoteLowF32x4).set(g)
      for (let f = f0; f < f1; f++) {
        const at = binOffset[f] * CELL
        fn.get(hist).get(row).mem(OP.i32Load8u, 0, f).i32(CELL).op(OP.i32Mul, OP.i32Add).set(j)
        fn.get(j).get(j).simdMem(SIMD.v128Load, 3, at).get(g).simd(SIMD.f64x2Add).simdMem(SIMD.v128Store, 3, at)
        if (withCount && !layout.constHessian) fn.get(j).get(j).mem(OP.f64Load, 3, at + 16).f64(1).op(OP.f64Add).mem(OP.f64Store, 3, at + 16)
      }
      if (ghAt === null) fn.get(gh).i32(8).op(OP.i32Add).set(gh)
      fn.get(row).i32(step).op(OP.i32Add).tee(row).get(last).op(OP.i32LtU).brIf(0)
    })
  })
  return fn
}

/**
 * The split move into records of `rec` bytes: each sample's side is a coin flip the CPU cannot
 * predict, so both cursors advance arithmetically and the destination is a select. From records
 * (`step` = rec) a move is whole aligned 128-bit copies; from data order the row of codes moves as
 * 16-, 8- and 4-byte words and the record gets the sample index k and the tree's gradient pair.
 */
function moveKernel(name: string, step: number, rec: number, fromData: boolean, back: boolean): FunctionBody {
  const fn = new FunctionBody(name, Array<typeof I32>(9).fill(I32), [I32])
  const [src, gh, dst, goesLeft, f, start, end, l, r] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
  const k = fn.local(I32)
  const row = fn.local(I32)
  const left = fn.local(I32)
  const to = fn.local(I32)
  const stride = fromData ? step : 0
  // k: the sample moved (start up, or end − 1 down)
  if (back) fn.get(end).i32(1).op(OP.i32Sub).set(k)
  else fn.get(start).set(k)
  fn.get(src).get(k).i32(step).op(OP.i32Mul, OP.i32Add).set(row)
  fn.get(gh).get(k).i32(8).op(OP.i32Mul, OP.i32Add).set(gh)
  fn.scope(OP.block, () => {
    fn.get(start).get(end).op(OP.i32GeU).brIf(0)
    fn.scope(OP.loop, () => {
      fn.get(goesLeft).get(row).get(f).op(OP.i32Add).mem(OP.i32Load8u, 0, 0).op(OP.i32Add).mem(OP.i32Load8u, 0, 0).set(left)
      if (back) {
        // cursors are exclusive ends: step down first
        fn.get(l).get(left).op(OP.i32Sub).set(l)
        fn.get(r).get(left).i32(1).op(OP.i32Xor, OP.i32Sub).set(r)
      }
      fn.get(dst).get(l).get(r).get(left).op(OP.select).i32(rec).op(OP.i32Mul, OP.i32Add).set(to)
      if (!back) {
        fn.get(l).get(left).op(OP.i32Add).set(l)
        fn.get(r).get(left).i32(1).op(OP.i32Xor, OP.i32Add).set(r)
      }
      if (fromData) {
        let o = 0
        for (; o + 16 <= stride; o += 16) fn.get(to).get(row).simdMem(SIMD.v128Load, 0, o).simdMem(SIMD.v128Store, 4, o)
        for (; o + 8 <= stride; o += 8) fn.get(to).get(row).mem(OP.i64Load, 0, o).mem(OP.i64Store, 3, o)
        for (; o < stride; o += 4) fn.get(to).get(row).mem(OP.i32Load, 0, o).mem(OP.i32Store, 2, o)
        fn.get(to).get(k).mem(OP.i32Store, 2, stride)
        fn.get(to).get(gh).mem(OP.i64Load, 3, 0).mem(OP.i64Store, 2, stride + 4)
        fn.get(gh).i32(back ? -8 : 8).op(OP.i32Add).set(gh)
      } else {
        for (let o = 0; o < rec; o += 16) fn.get(to).get(row).simdMem(SIMD.v128Load, 4, o).simdMem(SIMD.v128Store, 4, o)
      }
      fn.get(row).i32(back ? -step : step).op(OP.i32Add).set(row)
      if (back) fn.get(start).get(k).op(OP.i32LtU).get(k).i32(1).op(OP.i32Sub).set(k).brIf(0)
      else fn.get(k).i32(1).op(OP.i32Add).tee(k).get(end).op(OP.i32LtU).brIf(0)
    })
  })
  fn.get(l)
  return fn
}

function countLeftKernel(name: string, step: number): FunctionBody {
  const fn = new FunctionBody(name, [I32, I32, I32, I32, I32], [I32])
  const [rows, goesLeft, f, start, end] = [0, 1, 2, 3, 4]
  const row = fn.local(I32)
  const last = fn.local(I32)
  const n = fn.local(I32)
  fn.get(rows).get(f).op(OP.i32Add).get(start).i32(step).op(OP.i32Mul, OP.i32Add).set(row)
  fn.get(rows).get(f).op(OP.i32Add).get(end).i32(step).op(OP.i32Mul, OP.i32Add).set(last)
  fn.scope(OP.block, () => {
    fn.get(row).get(last).op(OP.i32GeU).brIf(0)
    fn.scope(OP.loop, () => {
      fn.get(n).get(goesLeft).get(row).mem(OP.i32Load8u, 0, 0).op(OP.i32Add).mem(OP.i32Load8u, 0, 0).op(OP.i32Add).set(n)
      fn.get(row).i32(step).op(OP.i32Add).tee(row).get(last).op(OP.i32LtU).brIf(0)
    })
  })
  fn.get(n)
  return fn
}

/** Two float64 per step, then the odd one out; each element is the same IEEE subtraction as scalar code. */
function subtractKernel(): FunctionBody {
  const fn = new FunctionBody('subtract', [I32, I32, I32, I32], [])
  const [parent, child, sibling, bytes] = [0, 1, 2, 3]
  const o = fn.local(I32)
  const pairs = fn.local(I32)
  fn.get(bytes).i32(-16).op(OP.i32And).set(pairs)
  fn.pairLoop(o, pairs, () => {
    fn.get(sibling).get(o).op(OP.i32Add)
    fn.get(parent).get(o).op(OP.i32Add).simdMem(SIMD.v128Load, 3, 0)
    fn.get(child).get(o).op(OP.i32Add).simdMem(SIMD.v128Load, 3, 0)
    fn.simd(SIMD.f64x2Sub).simdMem(SIMD.v128Store, 3, 0)
  })
  fn.scope(OP.block, () => {
    fn.get(o).get(bytes).op(OP.i32GeU).brIf(0)
    fn.get(sibling).get(o).op(OP.i32Add)
    fn.get(parent).get(o).op(OP.i32Add).mem(OP.f64Load, 3, 0)
    fn.get(child).get(o).op(OP.i32Add).mem(OP.f64Load, 3, 0)
    fn.op(OP.f64Sub).mem(OP.f64Store, 3, 0)
  })
  return fn
}

function zeroKernel(): FunctionBody {
  const fn = new FunctionBody('zero', [I32, I32], [])
  fn.get(0).i32(0).get(1).memoryFill()
  return fn
}

/**
 * scanBins of splitter.ts: `last` splits, the accumulated side's sums (ga, ha, na) growing one bin
 * per step from `cells` (the feature's first bin, scanning right, or the bin after the last split,
 * scanning left), the same IEEE operations in the same order as the JavaScript it replaced, so the
 * same gains and the same first-best ties.
 */
function scanKernel(name: string, constHessian: boolean, missingLeft: boolean): FunctionBody {
  const fn = new FunctionBody(name, [I32, I32, F64, F64, F64, F64, F64, F64, F64, F64, I32], [F64])
  const [cells, last, G, H, N, parent, l2, minLeaf, minHess, best, out] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  const i = fn.local(I32)
  const at = fn.local(I32)
  const bestI = fn.local(I32)
  const [ga, ha, na, hl, hr, gain, bga, bha, bna] = Array.from({ length: 9 }, () => fn.local(F64))
  const nAt = (constHessian ? 1 : 2) * 8
  fn.i32(-1).set(bestI)
  fn.get(cells).set(at)
  fn.scope(OP.block, () => {
    fn.get(i).get(last).op(OP.i32GeU).brIf(0)
    fn.scope(OP.loop, () => {
      fn.get(ga).get(at).mem(OP.f64Load, 3, 0).op(OP.f64Add).set(ga)
      fn.get(ha).get(at).mem(OP.f64Load, 3, 8).op(OP.f64Add).set(ha)
      fn.get(na).get(at).mem(OP.f64Load, 3, nAt).op(OP.f64Add).set(na)
      fn.scope(OP.block, () => {
        // depth 0: next bin; 1: the loop; 2: done
        fn.get(na).get(minLeaf).op(OP.f64Lt).brIf(0)
        fn.get(N).get(na).op(OP.f64Sub).get(minLeaf).op(OP.f64Lt).brIf(2)
        if (missingLeft) {
          fn.get(H).get(ha).op(OP.f64Sub).set(hl)
          fn.get(ha).set(hr)
        } else {
          fn.get(ha).set(hl)
          fn.get(H).get(ha).op(OP.f64Sub).set(hr)
        }
        fn.get(hl).get(minHess).op(OP.f64Lt).brIf(0)
        fn.get(hr).get(minHess).op(OP.f64Lt).brIf(0)
        // (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) − parent, gl and gr as scanBins computed them
        const gl = () => (missingLeft ? fn.get(G).get(ga).op(OP.f64Sub) : fn.get(ga))
        const gr = () => (missingLeft ? fn.get(ga) : fn.get(G).get(ga).op(OP.f64Sub))
        gl()
        gl()
        fn.op(OP.f64Mul).get(hl).get(l2).op(OP.f64Add, OP.f64Div)
        gr()
        gr()
        fn.op(OP.f64Mul).get(hr).get(l2).op(OP.f64Add, OP.f64Div)
        fn.op(OP.f64Add).get(parent).op(OP.f64Sub).tee(gain)
        fn.get(best).op(OP.f64Gt, OP.i32Eqz).brIf(0)
        fn.get(gain).set(best).get(i).set(bestI).get(ga).set(bga).get(ha).set(bha).get(na).set(bna)
      })
      fn.get(at).i32(missingLeft ? -CELL : CELL).op(OP.i32Add).set(at)
      fn.get(i).i32(1).op(OP.i32Add).tee(i).get(last).op(OP.i32LtU).brIf(0)
    })
  })
  fn.scope(OP.block, () => {
    fn.get(bestI).i32(0).op(OP.i32LtS).brIf(0)
    fn.get(out).get(bestI).op(OP.f64ConvertI32S).mem(OP.f64Store, 3, 0)
    fn.get(out).get(bga).mem(OP.f64Store, 3, 8)
    fn.get(out).get(bha).mem(OP.f64Store, 3, 16)
    fn.get(out).get(bna).mem(OP.f64Store, 3, 24)
  })
  fn.get(best)
  return fn
}
