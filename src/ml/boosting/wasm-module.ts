/**
 * A small WebAssembly binary writer for the boosting kernels (kernels.ts): functions over one
 * imported linear memory, with the few instructions those kernels use. The kernels are generated
 * per fit, as the JavaScript ones were, so that a fit's bin offsets and row width become
 * immediates (load/store offsets) of straight-line code; writing the binary here avoids a build
 * step, a generated file and an assembler at run time. Encoding: WebAssembly Core Specification
 * 2.0, chapter 5 (binary format), SIMD opcodes from its 128-bit SIMD section.
 */

declare const compiled: unique symbol
/** A compiled module (WebAssembly.Module; it can be posted to worker threads). */
export interface WasmModule {
  readonly [compiled]: true
}
/** A linear memory (WebAssembly.Memory); its buffer is a SharedArrayBuffer when created shared. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer
}
/**
 * The part of the WebAssembly JavaScript API used here, typed locally: Node 20's @types/node does
 * not declare the global (TypeScript's lib does only with DOM or WebWorker).
 */
export const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array<ArrayBuffer>) => WasmModule
      Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown }
      Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory
    }
  }
).WebAssembly

export const I32 = 0x7f
export const F64 = 0x7c
export const V128 = 0x7b
type ValueType = typeof I32 | typeof F64 | typeof V128

/** Opcodes used by the kernels (one byte; SIMD ones go through FunctionBody.simd / simdMem). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  select: 0x1b,
  i32Load: 0x28,
  i64Load: 0x29,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Load8u: 0x2d,
  i32Store: 0x36,
  i64Store: 0x37,
  f64Store: 0x39,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Xor: 0x73,
  f64Lt: 0x63,
  f64Gt: 0x64,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  f64ConvertI32S: 0xb7,
  f64PromoteF32: 0xbb,
} as const

/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  v128Load: 0x00,
  v128Store: 0x0b,
  v128Load64Zero: 0x5d,
  f64x2PromoteLowF32x4: 0x5f,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
} as const

/** 64 KiB pages of a 32-bit memory. */
export const MAX_PAGES = 65536

function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f
    v >>>= 7
    if (v !== 0) b |= 0x80
    out.push(b)
  } while (v !== 0)
}

function sleb(out: number[], v: number): void {
  for (;;) {
    const b = v & 0x7f
    v >>= 7
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b)
      return
    }
    out.push(b | 0x80)
  }
}

/** The body of one function: params are locals 0 … params.length − 1, local() adds more. */
export class FunctionBody {
  readonly code: number[] = []
  readonly locals: ValueType[] = []

  constructor(
    readonly name: string,
    readonly params: readonly ValueType[],
    readonly results: readonly ValueType[],
  ) {}

  /** Declares a local of `type`; returns its index. */
  local(type: ValueType): number {
    this.locals.push(type)
    return this.params.length + this.locals.length - 1
  }

  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b)
    return this
  }

  /** local.get, local.set, local.tee of local `i`. */
  get(i: number): this {
    return this.localOp(0x20, i)
  }

  set(i: number): this {
    return this.localOp(0x21, i)
  }

  tee(i: number): this {
    return this.localOp(0x22, i)
  }

  private localOp(opcode: number, i: number): this {
    this.code.push(opcode)
    uleb(this.code, i)
    return this
  }

  i32(v: number): this {
    this.code.push(0x41)
    sleb(this.code, v | 0)
    return this
  }

  f64(v: number): this {
    this.code.push(0x44)
    for (const b of new Uint8Array(Float64Array.of(v).buffer)) this.code.push(b)
    return this
  }

  /** A load or store with its memory argument (alignment as log2 bytes, constant byte offset). */
  mem(opcode: number, align: number, offset: number): this {
    this.code.push(opcode)
    uleb(this.code, align)
    uleb(this.code, offset)
    return this
  }

  simd(opcode: number): this {
    this.code.push(0xfd)
    uleb(this.code, opcode)
    return this
  }

  simdMem(opcode: number, align: number, offset: number): this {
    this.simd(opcode)
    uleb(this.code, align)
    uleb(this.code, offset)
    return this
  }

  /** block or loop without a result, `inner` emitting its instructions. */
  scope(kind: typeof OP.block | typeof OP.loop, inner: () => void): this {
    this.code.push(kind, 0x40)
    inner()
    this.code.push(OP.end)
    return this
  }

  /**
   * A loop over byte offsets two float64 at a time: while local `at` < local `end`, `step` then `at` += 16
   * (nothing when `at` ≥ `end` on entry). The caller sets `at`; the odd last element, if any, is its own.
   */
  pairLoop(at: number, end: number, step: () => void): this {
    return this.scope(OP.block, () => {
      this.get(at).get(end).op(OP.i32GeU).brIf(0)
      this.scope(OP.loop, () => {
        step()
        this.get(at).i32(16).op(OP.i32Add).tee(at).get(end).op(OP.i32LtU).brIf(0)
      })
    })
  }

  /** memory.fill (bulk memory): [address, byte, length] on the stack. */
  memoryFill(): this {
    this.code.push(0xfc, 0x0b, 0x00)
    return this
  }

  brIf(depth: number): this {
    this.code.push(OP.brIf)
    uleb(this.code, depth)
    return this
  }

  br(depth: number): this {
    this.code.push(OP.br)
    uleb(this.code, depth)
    return this
  }
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id)
  uleb(out, content.length)
  for (const b of content) out.push(b)
}

function name(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s)
  uleb(out, bytes.length)
  for (const b of bytes) out.push(b)
}

/**
 * A module importing its memory as m.memory (any size; `shared` for worker threads, which the
 * specification requires to declare a maximum: the 4 GiB of 32-bit addresses) and exporting every
 * function by its name.
 */
export function encodeModule(functions: readonly FunctionBody[], shared: boolean): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
  const types: number[] = []
  uleb(types, functions.length)
  for (const f of functions) {
    types.push(0x60)
    uleb(types, f.params.length)
    types.push(...f.params)
    uleb(types, f.results.length)
    types.push(...f.results)
  }
  section(out, 1, types)
  const imports: number[] = [1]
  name(imports, 'm')
  name(imports, 'memory')
  imports.push(0x02, shared ? 0x03 : 0x00, 0x00)
  if (shared) uleb(imports, MAX_PAGES)
  section(out, 2, imports)
  const funcs: number[] = []
  uleb(funcs, functions.length)
  functions.forEach((_, i) => uleb(funcs, i))
  section(out, 3, funcs)
  const exports: number[] = []
  uleb(exports, functions.length)
  functions.forEach((f, i) => {
    name(exports, f.name)
    exports.push(0x00)
    uleb(exports, i)
  })
  section(out, 7, exports)
  const code: number[] = []
  uleb(code, functions.length)
  for (const f of functions) {
    const body: number[] = []
    uleb(body, f.locals.length)
    for (const t of f.locals) body.push(1, t)
    for (const b of f.code) body.push(b)
    body.push(OP.end)
    uleb(code, body.length)
    for (const b of body) code.push(b)
  }
  section(out, 10, code)
  return Uint8Array.from(out)
}
