/**
 * The data passes of the linear models as WebAssembly SIMD (f64x2), written with the boosting
 * code's binary writer (../boosting/wasm-module.ts): column sums, centring, the Gram product and
 * row-by-coefficient dot products. Typed-array JavaScript pays a bounds check and works one double
 * at a time; here each instruction handles two, and the Gram product keeps a 4×4 tile of sums in
 * registers for a whole block of rows instead of loading and storing every entry per row.
 *
 * One module serves every shape (widths are arguments), compiled once per process; the decision
 * kernel is also generated per width up to MAX_UNROLLED_WIDTH (compiled once per width), as batch
 * predict is short enough for loop overhead to show. One linear memory per process holds a block of
 * rows at a time (about 32 KB, so it stays in the first-level cache), the Gram matrix and the
 * coefficients: the caller's matrix is copied in block by block and nothing proportional to n is
 * allocated. The memory is replaced by a larger one when a wider fit needs it (the Gram matrix is
 * P² doubles, P = p + 1 rounded up to 4) and kept for the next call: allocating fresh pages costs
 * more than the work on them on the machines this was measured on (bench/ml/README.md).
 *
 * Every sum below is, entry by entry, the same IEEE additions in the same order whatever the block
 * size: each column sum and each Gram entry is accumulated row after row in a lane of its own, and
 * each dot product is the `dotPairs` order (even columns in one lane, odd in the other).
 */
import { F64, FunctionBody, I32, OP, V128, encodeModule, wasm, type WasmMemory, type WasmModule } from '../boosting/wasm-module.js'

/**
 * SIMD opcodes used here (after the 0xfd prefix; WebAssembly Core Specification 2.0, 128-bit SIMD
 * section). Kept here rather than in wasm-module.ts's SIMD table, which lists what the boosting
 * kernels use.
 */
const S = {
  v128Load: 0x00,
  v128Load64Splat: 0x0a,
  v128Store: 0x0b,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
} as const

/** i32.shl, and v128.const (after 0xfd, followed by 16 immediate bytes): missing from wasm-module.ts's OP. */
const I32_SHL = 0x74
const V128_CONST = 0x0c

/** Exports of the kernels; every pointer is a byte address in the kernels' memory, every length a count of doubles. */
export interface LinearKernelExports {
  /** sums[j] += Σᵢ src[i·p + j] for rows i < rows (each column summed in row order). */
  readonly colsum: (src: number, rows: number, p: number, sums: number) => void
  /**
   * Centres rows into width P (a multiple of 4, ≥ p): dst[i·P + j] = src[i·p + j] − mean[j] for j < p,
   * 0 up to P; with the target tᵢ = ys[i] − mean[p], minus dotPairs(coef, xcᵢ) when coef ≠ 0 (the
   * residual), adds xcᵢ·tᵢ to xty[0..p).
   */
  readonly pack: (src: number, ys: number, rows: number, p: number, P: number, mean: number, coef: number, dst: number, xty: number) => void
  /**
   * g += srcᵀ·src for rows of width P (a multiple of 4), over the 4×4 blocks (jb, kb), jb0 ≤ jb < jb1,
   * kb ≤ jb (the lower block triangle; diagonal blocks whole). g is P×P row-major. `w` is unused.
   */
  readonly gram: (src: number, rows: number, P: number, jb0: number, jb1: number, g: number, w: number) => void
  /** gram with row weights: g += Σᵢ w[i]·srcᵢsrcᵢᵀ, each term xᵢⱼ·(wᵢ·xᵢₖ). */
  readonly gram_w: (src: number, rows: number, P: number, jb0: number, jb1: number, g: number, w: number) => void
  /** out[i·K + r] = intercept[r] + dotPairs(coef row r, src row i), coef K×p row-major. */
  readonly decision: (src: number, rows: number, p: number, K: number, coef: number, intercept: number, out: number) => void
}

/**
 * Σⱼ coef[cOff + j]·x[xOff + j] in the order of the kernels: even columns summed in one lane, odd
 * ones in the other, the last column of an odd width added to the even lane, then the two lanes
 * added. Single-row predictions use it so that they equal the batch ones bit for bit.
 */
export function dotPairs(coef: ArrayLike<number>, cOff: number, x: ArrayLike<number>, xOff: number, p: number): number {
  let s0 = 0
  let s1 = 0
  let j = 0
  for (; j + 1 < p; j += 2) {
    s0 += x[xOff + j] * coef[cOff + j]
    s1 += x[xOff + j + 1] * coef[cOff + j + 1]
  }
  if (j < p) s0 += x[xOff + j] * coef[cOff + j]
  return s0 + s1
}

/** Column sums: groups of four column pairs per pass over the rows (four independent add chains), then single pairs, then an odd column. */
function colsumKernel(): FunctionBody {
  const fn = new FunctionBody('colsum', [I32, I32, I32, I32], [])
  const [src, rows, p, sums] = [0, 1, 2, 3]
  const stride = fn.local(I32)
  const col = fn.local(I32) // byte offset of the current column pair
  const pairEnd = fn.local(I32)
  const ptr = fn.local(I32)
  const end = fn.local(I32)
  const acc = [fn.local(V128), fn.local(V128), fn.local(V128), fn.local(V128)]
  const s = fn.local(F64)
  fn.get(p).i32(3).op(I32_SHL).set(stride)
  fn.get(p).i32(-2).op(OP.i32And).i32(3).op(I32_SHL).set(pairEnd)
  const pass = (lanes: number) => {
    // while col + 16·lanes ≤ pairEnd
    fn.scope(OP.block, () => {
      fn.scope(OP.loop, () => {
        fn.get(col).i32(16 * lanes).op(OP.i32Add).get(pairEnd).op(0x4b /* i32.gt_u */).brIf(1)
        for (let a = 0; a < lanes; a++) fn.get(sums).get(col).op(OP.i32Add).simdMem(S.v128Load, 3, 16 * a).set(acc[a])
        fn.get(src).get(col).op(OP.i32Add).set(ptr)
        fn.get(ptr).get(rows).get(stride).op(OP.i32Mul, OP.i32Add).set(end)
        fn.scope(OP.loop, () => {
          for (let a = 0; a < lanes; a++) fn.get(acc[a]).get(ptr).simdMem(S.v128Load, 3, 16 * a).simd(S.f64x2Add).set(acc[a])
          fn.get(ptr).get(stride).op(OP.i32Add).tee(ptr).get(end).op(OP.i32LtU).brIf(0)
        })
        for (let a = 0; a < lanes; a++) fn.get(sums).get(col).op(OP.i32Add).get(acc[a]).simdMem(S.v128Store, 3, 16 * a)
        fn.get(col).i32(16 * lanes).op(OP.i32Add).set(col)
        fn.br(0)
      })
    })
  }
  pass(4)
  pass(1)
  // an odd last column
  fn.scope(OP.block, () => {
    fn.get(p).i32(1).op(OP.i32And, OP.i32Eqz).brIf(0)
    fn.get(sums).get(col).op(OP.i32Add).mem(OP.f64Load, 3, 0).set(s)
    fn.get(src).get(col).op(OP.i32Add).set(ptr)
    fn.get(ptr).get(rows).get(stride).op(OP.i32Mul, OP.i32Add).set(end)
    fn.scope(OP.loop, () => {
      fn.get(s).get(ptr).mem(OP.f64Load, 3, 0).op(OP.f64Add).set(s)
      fn.get(ptr).get(stride).op(OP.i32Add).tee(ptr).get(end).op(OP.i32LtU).brIf(0)
    })
    fn.get(sums).get(col).op(OP.i32Add).get(s).mem(OP.f64Store, 3, 0)
  })
  return fn
}

/**
 * Emits dotPairs of the row at local `x` with the coefficient row at local `c` (p doubles), the
 * result left on the stack. `acc`, `lo`, `j` are scratch locals.
 */
function emitDotPairs(fn: FunctionBody, x: number, c: number, p: number, pairEnd: number, j: number, acc: number, lo: number): void {
  fn.op(0xfd, V128_CONST, ...new Array<number>(16).fill(0)).set(acc)
  fn.i32(0).set(j)
  fn.pairLoop(j, pairEnd, () => {
    fn.get(acc)
    fn.get(x).get(j).op(OP.i32Add).simdMem(S.v128Load, 3, 0)
    fn.get(c).get(j).op(OP.i32Add).simdMem(S.v128Load, 3, 0)
    fn.simd(S.f64x2Mul).simd(S.f64x2Add).set(acc)
  })
  fn.get(acc).simd(S.f64x2ExtractLane).op(0).set(lo)
  fn.scope(OP.block, () => {
    fn.get(p).i32(1).op(OP.i32And, OP.i32Eqz).brIf(0)
    fn.get(lo).get(x).get(j).op(OP.i32Add).mem(OP.f64Load, 3, 0).get(c).get(j).op(OP.i32Add).mem(OP.f64Load, 3, 0).op(OP.f64Mul, OP.f64Add).set(lo)
  })
  fn.get(lo).get(acc).simd(S.f64x2ExtractLane).op(1).op(OP.f64Add)
}

function packKernel(): FunctionBody {
  const fn = new FunctionBody('pack', [I32, I32, I32, I32, I32, I32, I32, I32, I32], [])
  const [src, ys, rows, p, P, mean, coef, dst, xty] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
  const i = fn.local(I32)
  const j = fn.local(I32)
  const pairEnd = fn.local(I32)
  const pBytes = fn.local(I32)
  const yv = fn.local(F64)
  const acc = fn.local(V128)
  const lo = fn.local(F64)
  const t = fn.local(V128)
  fn.get(p).i32(-2).op(OP.i32And).i32(3).op(I32_SHL).set(pairEnd)
  fn.get(p).i32(3).op(I32_SHL).set(pBytes)
  fn.scope(OP.block, () => {
    fn.get(rows).op(OP.i32Eqz).brIf(0)
    fn.scope(OP.loop, () => {
      // centred x, two columns at a time
      fn.i32(0).set(j)
      fn.pairLoop(j, pairEnd, () => {
        fn.get(dst).get(j).op(OP.i32Add)
        fn.get(src).get(j).op(OP.i32Add).simdMem(S.v128Load, 3, 0)
        fn.get(mean).get(j).op(OP.i32Add).simdMem(S.v128Load, 3, 0)
        fn.simd(S.f64x2Sub).simdMem(S.v128Store, 4, 0)
      })
      fn.scope(OP.block, () => {
        fn.get(j).get(pBytes).op(OP.i32GeU).brIf(0)
        fn.get(dst).get(j).op(OP.i32Add)
        fn.get(src).get(j).op(OP.i32Add).mem(OP.f64Load, 3, 0)
        fn.get(mean).get(j).op(OP.i32Add).mem(OP.f64Load, 3, 0)
        fn.op(OP.f64Sub).mem(OP.f64Store, 3, 0)
      })
      // zero padding from p up to P
      fn.get(pBytes).set(j)
      fn.scope(OP.block, () => {
        fn.scope(OP.loop, () => {
          fn.get(j).get(P).i32(3).op(I32_SHL).op(OP.i32GeU).brIf(1)
          fn.get(dst).get(j).op(OP.i32Add).f64(0).mem(OP.f64Store, 3, 0)
          fn.get(j).i32(8).op(OP.i32Add).set(j)
          fn.br(0)
        })
      })
      // the target: yᵢ − ȳ, or the residual yᵢ − ȳ − xcᵢ·coef
      fn.get(ys).mem(OP.f64Load, 3, 0).get(mean).get(pBytes).op(OP.i32Add).mem(OP.f64Load, 3, 0).op(OP.f64Sub).set(yv)
      fn.scope(OP.block, () => {
        fn.get(coef).op(OP.i32Eqz).brIf(0)
        fn.get(yv)
        emitDotPairs(fn, dst, coef, p, pairEnd, j, acc, lo)
        fn.op(OP.f64Sub).set(yv)
      })
      // xty += xcᵢ · target, two columns at a time, then an odd last one
      fn.get(yv).simd(S.f64x2Splat).set(t)
      fn.i32(0).set(j)
      fn.pairLoop(j, pairEnd, () => {
        fn.get(xty).get(j).op(OP.i32Add)
        fn.get(xty).get(j).op(OP.i32Add).simdMem(S.v128Load, 3, 0)
        fn.get(dst).get(j).op(OP.i32Add).simdMem(S.v128Load, 4, 0).get(t).simd(S.f64x2Mul)
        fn.simd(S.f64x2Add).simdMem(S.v128Store, 3, 0)
      })
      fn.scope(OP.block, () => {
        fn.get(j).get(pBytes).op(OP.i32GeU).brIf(0)
        fn.get(xty).get(j).op(OP.i32Add)
        fn.get(xty).get(j).op(OP.i32Add).mem(OP.f64Load, 3, 0)
        fn.get(dst).get(j).op(OP.i32Add).mem(OP.f64Load, 3, 0).get(yv).op(OP.f64Mul)
        fn.op(OP.f64Add).mem(OP.f64Store, 3, 0)
      })
      fn.get(src).get(pBytes).op(OP.i32Add).set(src)
      fn.get(dst).get(P).i32(3).op(I32_SHL).op(OP.i32Add).set(dst)
      fn.get(ys).i32(8).op(OP.i32Add).set(ys)
      fn.get(i).i32(1).op(OP.i32Add).tee(i).get(rows).op(OP.i32LtU).brIf(0)
    })
  })
  return fn
}

/**
 * One 4×4 tile of g per (jb, kb): eight f64x2 sums (rows j0..j0+3 × column pairs k0, k0+2) live in
 * registers over all the rows; per row two loads of xₖ pairs, four splats of xⱼ, eight multiplies
 * and eight adds.
 */
function gramKernel(weighted: boolean): FunctionBody {
  const fn = new FunctionBody(weighted ? 'gram_w' : 'gram', [I32, I32, I32, I32, I32, I32, I32], [])
  const [src, rows, P, jb0, jb1, g, w] = [0, 1, 2, 3, 4, 5, 6]
  const pw = fn.local(I32)
  const wv = fn.local(V128)
  const jb = fn.local(I32)
  const kb = fn.local(I32)
  const stride = fn.local(I32)
  const pj = fn.local(I32)
  const pk = fn.local(I32)
  const end = fn.local(I32)
  const tile = fn.local(I32)
  const xk0 = fn.local(V128)
  const xk1 = fn.local(V128)
  const xj = fn.local(V128)
  const acc = Array.from({ length: 8 }, () => fn.local(V128))
  fn.get(P).i32(3).op(I32_SHL).set(stride)
  fn.get(jb0).set(jb)
  fn.scope(OP.block, () => {
    fn.get(rows).op(OP.i32Eqz).brIf(0)
    fn.get(jb).get(jb1).op(OP.i32GeU).brIf(0)
    fn.scope(OP.loop, () => {
      fn.i32(0).set(kb)
      fn.scope(OP.loop, () => {
        // tile address: g + (4·jb·P + 4·kb)·8
        fn.get(g).get(jb).i32(2).op(I32_SHL).get(P).op(OP.i32Mul).get(kb).i32(2).op(I32_SHL).op(OP.i32Add).i32(3).op(I32_SHL).op(OP.i32Add).set(tile)
        for (let r = 0; r < 4; r++) {
          fn.get(tile).get(stride).i32(r).op(OP.i32Mul, OP.i32Add).set(pj) // pj as scratch: row r of the tile
          fn.get(pj).simdMem(S.v128Load, 3, 0).set(acc[2 * r])
          fn.get(pj).simdMem(S.v128Load, 3, 16).set(acc[2 * r + 1])
        }
        fn.get(src).get(jb).i32(5).op(I32_SHL).op(OP.i32Add).set(pj)
        fn.get(src).get(kb).i32(5).op(I32_SHL).op(OP.i32Add).set(pk)
        fn.get(pk).get(rows).get(stride).op(OP.i32Mul, OP.i32Add).set(end)
        fn.get(w).set(pw)
        fn.scope(OP.loop, () => {
          fn.get(pk).simdMem(S.v128Load, 4, 0).set(xk0)
          fn.get(pk).simdMem(S.v128Load, 4, 16).set(xk1)
          if (weighted) {
            // wᵢ·xᵢₖ, then times xᵢⱼ below
            fn.get(pw).simdMem(S.v128Load64Splat, 3, 0).set(wv)
            fn.get(xk0).get(wv).simd(S.f64x2Mul).set(xk0)
            fn.get(xk1).get(wv).simd(S.f64x2Mul).set(xk1)
            fn.get(pw).i32(8).op(OP.i32Add).set(pw)
          }
          for (let r = 0; r < 4; r++) {
            fn.get(pj).simdMem(S.v128Load64Splat, 3, 8 * r).set(xj)
            fn.get(acc[2 * r]).get(xj).get(xk0).simd(S.f64x2Mul).simd(S.f64x2Add).set(acc[2 * r])
            fn.get(acc[2 * r + 1]).get(xj).get(xk1).simd(S.f64x2Mul).simd(S.f64x2Add).set(acc[2 * r + 1])
          }
          fn.get(pj).get(stride).op(OP.i32Add).set(pj)
          fn.get(pk).get(stride).op(OP.i32Add).tee(pk).get(end).op(OP.i32LtU).brIf(0)
        })
        for (let r = 0; r < 4; r++) {
          fn.get(tile).get(stride).i32(r).op(OP.i32Mul, OP.i32Add).set(pj)
          fn.get(pj).get(acc[2 * r]).simdMem(S.v128Store, 3, 0)
          fn.get(pj).get(acc[2 * r + 1]).simdMem(S.v128Store, 3, 16)
        }
        fn.get(kb).i32(1).op(OP.i32Add).tee(kb).get(jb).op(0x4c /* i32.le_s */).brIf(0)
      })
      fn.get(jb).i32(1).op(OP.i32Add).tee(jb).get(jb1).op(OP.i32LtU).brIf(0)
    })
  })
  return fn
}

/** Rows per step of the decision kernel: independent add chains per coefficient row, while the accumulators still fit in registers. */
const GROUP = 4

/** GROUP rows at a time, then the rest one by one. */
function decisionKernel(): FunctionBody {
  const fn = new FunctionBody('decision', [I32, I32, I32, I32, I32, I32, I32], [])
  const [src, rows, p, K, coef, intercept, out] = [0, 1, 2, 3, 4, 5, 6]
  const i = fn.local(I32)
  const r = fn.local(I32)
  const j = fn.local(I32)
  const c = fn.local(I32)
  const pairEnd = fn.local(I32)
  const pBytes = fn.local(I32)
  const b = fn.local(F64)
  const cv = fn.local(V128)
  const acc = Array.from({ length: GROUP }, () => fn.local(V128))
  const lo = fn.local(F64)
  const o = fn.local(I32)
  const row = Array.from({ length: GROUP }, () => fn.local(I32))
  fn.get(p).i32(-2).op(OP.i32And).i32(3).op(I32_SHL).set(pairEnd)
  fn.get(p).i32(3).op(I32_SHL).set(pBytes)
  const zero = () => fn.op(0xfd, V128_CONST, ...new Array<number>(16).fill(0))
  // groups of four rows
  fn.scope(OP.block, () => {
    fn.scope(OP.loop, () => {
      fn.get(i).i32(GROUP).op(OP.i32Add).get(rows).op(0x4b /* i32.gt_u */).brIf(1)
      fn.get(src).set(row[0])
      for (let a = 1; a < GROUP; a++) fn.get(row[a - 1]).get(pBytes).op(OP.i32Add).set(row[a])
      fn.i32(0).set(r)
      fn.get(coef).set(c)
      fn.scope(OP.loop, () => {
        for (let a = 0; a < GROUP; a++) zero().set(acc[a])
        fn.i32(0).set(j)
        fn.pairLoop(j, pairEnd, () => {
          fn.get(c).get(j).op(OP.i32Add).simdMem(S.v128Load, 3, 0).set(cv)
          for (let a = 0; a < GROUP; a++) {
            fn.get(acc[a])
            fn.get(row[a]).get(j).op(OP.i32Add).simdMem(S.v128Load, 3, 0)
            fn.get(cv).simd(S.f64x2Mul).simd(S.f64x2Add).set(acc[a])
          }
        })
        fn.get(intercept).get(r).i32(3).op(I32_SHL).op(OP.i32Add).mem(OP.f64Load, 3, 0).set(b)
        for (let a = 0; a < GROUP; a++) {
          fn.get(acc[a]).simd(S.f64x2ExtractLane).op(0).set(lo)
          fn.scope(OP.block, () => {
            fn.get(p).i32(1).op(OP.i32And, OP.i32Eqz).brIf(0)
            fn.get(lo)
            fn.get(row[a]).get(j).op(OP.i32Add).mem(OP.f64Load, 3, 0)
            fn.get(c).get(j).op(OP.i32Add).mem(OP.f64Load, 3, 0)
            fn.op(OP.f64Mul, OP.f64Add).set(lo)
          })
          // out[(i + a)·K + r]
          fn.get(i).i32(a).op(OP.i32Add).get(K).op(OP.i32Mul).get(r).op(OP.i32Add).i32(3).op(I32_SHL).get(out).op(OP.i32Add).set(o)
          fn.get(o).get(b).get(lo).get(acc[a]).simd(S.f64x2ExtractLane).op(1).op(OP.f64Add, OP.f64Add).mem(OP.f64Store, 3, 0)
        }
        fn.get(c).get(pBytes).op(OP.i32Add).set(c)
        fn.get(r).i32(1).op(OP.i32Add).tee(r).get(K).op(OP.i32LtU).brIf(0)
      })
      fn.get(src).get(pBytes).i32(GROUP).op(OP.i32Mul).op(OP.i32Add).set(src)
      fn.get(i).i32(GROUP).op(OP.i32Add).set(i)
      fn.br(0)
    })
  })
  // the remaining rows
  fn.scope(OP.block, () => {
    fn.scope(OP.loop, () => {
      fn.get(i).get(rows).op(OP.i32GeU).brIf(1)
      fn.i32(0).set(r)
      fn.get(coef).set(c)
      fn.scope(OP.loop, () => {
        fn.get(i).get(K).op(OP.i32Mul).get(r).op(OP.i32Add).i32(3).op(I32_SHL).get(out).op(OP.i32Add).set(o)
        fn.get(o)
        fn.get(intercept).get(r).i32(3).op(I32_SHL).op(OP.i32Add).mem(OP.f64Load, 3, 0)
        emitDotPairs(fn, src, c, p, pairEnd, j, acc[0], lo)
        fn.op(OP.f64Add).mem(OP.f64Store, 3, 0)
        fn.get(c).get(pBytes).op(OP.i32Add).set(c)
        fn.get(r).i32(1).op(OP.i32Add).tee(r).get(K).op(OP.i32LtU).brIf(0)
      })
      fn.get(src).get(pBytes).op(OP.i32Add).set(src)
      fn.get(i).i32(1).op(OP.i32Add).set(i)
      fn.br(0)
    })
  })
  return fn
}

/** Widths up to which the decision kernel is generated for the width (unrolled, offsets as immediates); wider ones use `decision`. */
const MAX_UNROLLED_WIDTH = 256

/**
 * `decision` generated for one width p: the pair loop unrolled, every row and coefficient offset
 * an immediate of its load, so a step of four rows is loads, multiplies and adds only. The same
 * sums in the same order as `decision`. Returns Σ (v − v) over the outputs v: 0 when all are
 * finite, NaN otherwise, so the caller needs no pass of its own over them.
 */
function decisionKernelFor(p: number): FunctionBody {
  const fn = new FunctionBody('decision_p', [I32, I32, I32, I32, I32, I32], [F64])
  const [src, rows, K, coef, intercept, out] = [0, 1, 2, 3, 4, 5]
  const i = fn.local(I32)
  const r = fn.local(I32)
  const c = fn.local(I32)
  const o = fn.local(I32)
  const b = fn.local(F64)
  const lo = fn.local(F64)
  const v = fn.local(F64)
  const chk = fn.local(F64)
  const cv = fn.local(V128)
  const acc = Array.from({ length: GROUP }, () => fn.local(V128))
  const rowBytes = 8 * p
  const pairs = p >> 1
  const step = (g: number) => {
    fn.scope(OP.block, () => {
      fn.scope(OP.loop, () => {
        fn.get(i).i32(g).op(OP.i32Add).get(rows).op(0x4b /* i32.gt_u */).brIf(1)
        fn.i32(0).set(r)
        fn.get(coef).set(c)
        fn.scope(OP.loop, () => {
          for (let a = 0; a < g; a++) fn.op(0xfd, V128_CONST, ...new Array<number>(16).fill(0)).set(acc[a])
          for (let jj = 0; jj < pairs; jj++) {
            fn.get(c).simdMem(S.v128Load, 3, 16 * jj).set(cv)
            for (let a = 0; a < g; a++) fn.get(acc[a]).get(src).simdMem(S.v128Load, 3, a * rowBytes + 16 * jj).get(cv).simd(S.f64x2Mul).simd(S.f64x2Add).set(acc[a])
          }
          fn.get(intercept).get(r).i32(3).op(I32_SHL).op(OP.i32Add).mem(OP.f64Load, 3, 0).set(b)
          for (let a = 0; a < g; a++) {
            fn.get(acc[a]).simd(S.f64x2ExtractLane).op(0).set(lo)
            if (p & 1) fn.get(lo).get(src).mem(OP.f64Load, 3, a * rowBytes + 8 * (p - 1)).get(c).mem(OP.f64Load, 3, 8 * (p - 1)).op(OP.f64Mul, OP.f64Add).set(lo)
            fn.get(b).get(lo).get(acc[a]).simd(S.f64x2ExtractLane).op(1).op(OP.f64Add, OP.f64Add).set(v)
            fn.get(i).i32(a).op(OP.i32Add).get(K).op(OP.i32Mul).get(r).op(OP.i32Add).i32(3).op(I32_SHL).get(out).op(OP.i32Add).set(o)
            fn.get(o).get(v).mem(OP.f64Store, 3, 0)
            fn.get(chk).get(v).get(v).op(OP.f64Sub, OP.f64Add).set(chk)
          }
          fn.get(c).i32(rowBytes).op(OP.i32Add).set(c)
          fn.get(r).i32(1).op(OP.i32Add).tee(r).get(K).op(OP.i32LtU).brIf(0)
        })
        fn.get(src).i32(g * rowBytes).op(OP.i32Add).set(src)
        fn.get(i).i32(g).op(OP.i32Add).set(i)
        fn.br(0)
      })
    })
  }
  step(GROUP)
  step(1)
  fn.get(chk)
  return fn
}

/** Bytes of rows copied in per kernel call: a block that stays in the first-level cache with its packed copy. */
const BLOCK_BYTES = 32 * 1024

/** The process's kernels and their memory, grown (by replacing both) when a call needs more. */
class Workspace {
  #module: WasmModule | null = null
  #memory: WasmMemory | null = null
  #exports: LinearKernelExports | null = null
  #f64: Float64Array = new Float64Array(0)
  /** decision_p modules by width (compiled once each), and their instances over the current memory. */
  readonly #widthModules = new Map<number, WasmModule>()
  #widthKernels = new Map<number, DecisionForWidth>()

  /** Kernels over a memory of at least `bytes` bytes, and a Float64Array view of all of it. */
  get(bytes: number): { k: LinearKernelExports; f64: Float64Array } {
    if (this.#module === null) this.#module = new wasm.Module(encodeModule([colsumKernel(), packKernel(), gramKernel(false), gramKernel(true), decisionKernel()], false))
    if (this.#memory === null || this.#memory.buffer.byteLength < bytes) {
      const pages = Math.ceil((bytes * 1.25) / 65536) + 1
      this.#memory = new wasm.Memory({ initial: pages })
      this.#exports = new wasm.Instance(this.#module, { m: { memory: this.#memory } }).exports as unknown as LinearKernelExports
      this.#f64 = new Float64Array(this.#memory.buffer)
      this.#widthKernels = new Map()
    }
    return { k: this.#exports as LinearKernelExports, f64: this.#f64 }
  }

  /** decision_p for width p over the memory of the last get() (p ≤ MAX_UNROLLED_WIDTH). */
  decisionFor(p: number): DecisionForWidth {
    let kernel = this.#widthKernels.get(p)
    if (kernel === undefined) {
      let module = this.#widthModules.get(p)
      if (module === undefined) this.#widthModules.set(p, (module = new wasm.Module(encodeModule([decisionKernelFor(p)], false))))
      kernel = (new wasm.Instance(module, { m: { memory: this.#memory } }).exports as { decision_p: DecisionForWidth }).decision_p
      this.#widthKernels.set(p, kernel)
    }
    return kernel
  }
}

/** decision_p: (src, rows, K, coef, intercept, out) → 0 when every output is finite, else NaN. */
type DecisionForWidth = (src: number, rows: number, K: number, coef: number, intercept: number, out: number) => number

const workspace = new Workspace()

/** Rows per block for rows of `width` doubles: a multiple of 4, at least 4. */
function blockRows(width: number): number {
  return Math.max(4, Math.floor(BLOCK_BYTES / (8 * width)) & ~3)
}

/** Byte layout of the workspace: consecutive 16-byte-aligned regions of the given double counts. */
function layout(...counts: number[]): { at: number[]; bytes: number } {
  const at: number[] = []
  let o = 0
  for (const c of counts) {
    at.push(o)
    o += Math.ceil(c / 2) * 16
  }
  return { at, bytes: o }
}

/**
 * Column sums of x (n×p row-major), each summed in row order: the same values as a plain loop. A
 * NaN or ±Infinity anywhere in a column makes its sum non-finite (IEEE: once non-finite, a sum
 * never becomes finite again), which is how callers detect one without a scan of their own.
 */
export function columnSums(x: Float64Array, n: number, p: number): Float64Array {
  const R = blockRows(p)
  const { at, bytes } = layout(p, R * p)
  const [sums, src] = at
  const { k, f64 } = workspace.get(bytes)
  f64.fill(0, sums / 8, sums / 8 + p)
  for (let i0 = 0; i0 < n; i0 += R) {
    const rows = Math.min(R, n - i0)
    f64.set(x.subarray(i0 * p, (i0 + rows) * p), src / 8)
    k.colsum(src, rows, p, sums)
  }
  return f64.slice(sums / 8, sums / 8 + p)
}

/** Width of the packed rows: x's p columns and zeros up to a multiple of 4 (whole Gram tiles). */
const packedWidth = (p: number): number => (p + 3) & ~3

/**
 * Copies blocks of x and y into the workspace and runs pack on each, and gram on the packed block
 * `withGram` (gram_w with y as the row weights when `weighted`).
 */
function packPass(x: Float64Array, y: ArrayLike<number>, n: number, p: number, mean: Float64Array, coef: Float64Array | null, withGram: boolean, weighted = false): { gram: Float64Array; xty: Float64Array } {
  const P = packedWidth(p)
  const R = blockRows(P)
  const { at, bytes } = layout(withGram ? P * P : 0, p + 1, p, p, R * p, R, R * P)
  const [g, meanAt, coefAt, xty, src, ys, dst] = at
  const { k, f64 } = workspace.get(bytes)
  if (withGram) f64.fill(0, g / 8, g / 8 + P * P)
  f64.fill(0, xty / 8, xty / 8 + p)
  f64.set(mean, meanAt / 8)
  if (coef !== null) f64.set(coef, coefAt / 8)
  for (let i0 = 0; i0 < n; i0 += R) {
    const rows = Math.min(R, n - i0)
    f64.set(x.subarray(i0 * p, (i0 + rows) * p), src / 8)
    if (y instanceof Float64Array) f64.set(y.subarray(i0, i0 + rows), ys / 8)
    else for (let i = 0; i < rows; i++) f64[ys / 8 + i] = y[i0 + i]
    k.pack(src, ys, rows, p, P, meanAt, coef === null ? 0 : coefAt, dst, xty)
    if (withGram) (weighted ? k.gram_w : k.gram)(dst, rows, P, 0, P >> 2, g, ys)
  }
  const gram = new Float64Array(withGram ? p * p : 0)
  for (let j = 0; withGram && j < p; j++) gram.set(f64.subarray(g / 8 + j * P, g / 8 + j * P + j + 1), j * p)
  return { gram, xty: f64.slice(xty / 8, xty / 8 + p) }
}

/** xtx: p×p row-major, lower triangle; xty: p. */
export interface NormalSums {
  readonly xtx: Float64Array
  readonly xty: Float64Array
}

/**
 * The normal equations' sums on centred data: xtx = xcᵀxc (p×p row-major, lower triangle filled)
 * and xty = xcᵀyc (p), with xc = x − mean[0..p), yc = y − mean[p] (mean has p + 1 entries, all 0
 * for no centring). Each entry Σᵢ aᵢbᵢ is accumulated over the rows in order, as a plain loop would.
 */
export function centredGram(x: Float64Array, y: ArrayLike<number>, n: number, p: number, mean: Float64Array): NormalSums {
  const { gram, xty } = packPass(x, y, n, p, mean, null, true)
  return { xtx: gram, xty }
}

/**
 * Σᵢ wᵢ·xᵢxᵢᵀ for x n×p row-major (p×p, lower triangle filled), each entry summed over the rows in
 * order: the Hessian blocks of LogisticRegression's Newton steps.
 */
export function weightedGram(x: Float64Array, n: number, p: number, w: Float64Array): Float64Array {
  return packPass(x, w, n, p, new Float64Array(p + 1), null, true, true).gram
}

/**
 * xcᵀr for the residual r = yc − xc·coef (each rᵢ in dotPairs order), centred as centredGram: the
 * right-hand side of a refinement step, from one more pass over the data.
 */
export function residualProducts(x: Float64Array, y: ArrayLike<number>, n: number, p: number, mean: Float64Array, coef: Float64Array): Float64Array {
  return packPass(x, y, n, p, mean, coef, false).xty
}

/**
 * out[i·K + r] = intercept[r] + dotPairs(coef row r, x row i) for x n×p, coef K×p row-major:
 * the decision values of a linear model, n×K row-major, and whether all of them are finite.
 */
export function linearDecision(x: Float64Array, n: number, p: number, coef: Float64Array, intercept: Float64Array): { out: Float64Array; finite: boolean } {
  const K = intercept.length
  const R = blockRows(p)
  const { at, bytes } = layout(K * p, K, R * p, R * K)
  const [coefAt, bAt, src, outAt] = at
  const out = new Float64Array(n * K)
  if (n === 0) return { out, finite: true }
  const { k, f64 } = workspace.get(bytes)
  const unrolled = p <= MAX_UNROLLED_WIDTH ? workspace.decisionFor(p) : null
  f64.set(coef, coefAt / 8)
  f64.set(intercept, bAt / 8)
  let chk = 0
  for (let i0 = 0; i0 < n; i0 += R) {
    const rows = Math.min(R, n - i0)
    f64.set(x.subarray(i0 * p, (i0 + rows) * p), src / 8)
    if (unrolled !== null) chk += unrolled(src, rows, K, coefAt, bAt, outAt)
    else k.decision(src, rows, p, K, coefAt, bAt, outAt)
    out.set(f64.subarray(outAt / 8, outAt / 8 + rows * K), i0 * K)
  }
  if (unrolled === null) for (let t = 0; t < out.length; t++) chk += out[t] - out[t]
  return { out, finite: chk === 0 }
}
