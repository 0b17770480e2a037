import { wasm, type WasmMemory } from './wasm-module.js'

/**
 * The largest memory or scratch buffer kept for the next fit (per kind): bigger fits allocate their
 * own, which the garbage collector frees, and pay their pages' first touch (small beside their fit time).
 */
export const KEEP_BYTES = 256 * 2 ** 20

interface KeptMemory {
  readonly memory: WasmMemory
  /** Bytes from 0 that a fit may have written (the rest is still zero). */
  dirty: number
}

/** Per kind: [private, shared]. Fits are synchronous, so one thread's fits never use a kept buffer at once. */
const keptMemory: (KeptMemory | null)[] = [null, null]
const keptScratch: (ArrayBuffer | SharedArrayBuffer | null)[] = [null, null]

/**
 * A linear memory of at least `bytes` for one boosting fit, its first `bytes` zero as in a new one
 * (shared: for worker threads). It is the last fit's on this thread when that one is large enough
 * (≤ KEEP_BYTES are kept), else a new one. Why keep it: the first write to each fresh 4 KiB page is
 * a page fault, ~12 µs on the bench VMs (~40 ms of a 0.5 s fit at 80k × 20), while zeroing a kept
 * page costs ~1.5 µs; and a shared memory posted to the worker threads stays alive in their heaps,
 * which allocate too little to collect it, so a new one per fit piled up there (~14 MB a fit at 100k × 20).
 */
export function fitMemory(bytes: number, shared: boolean): WasmMemory {
  const kind = shared ? 1 : 0
  const kept = keptMemory[kind]
  if (kept !== null && kept.memory.buffer.byteLength >= bytes) {
    new Uint8Array(kept.memory.buffer, 0, Math.min(bytes, kept.dirty)).fill(0)
    kept.dirty = Math.max(kept.dirty, bytes)
    return kept.memory
  }
  const memory = newMemory(bytes, shared)
  if (memory.buffer.byteLength <= KEEP_BYTES) keptMemory[kind] = { memory, dirty: bytes }
  return memory
}

/** A new memory of at least `bytes` (whole 64 KiB pages), all zero; shared ones cannot grow (a fit's never does). */
export function newMemory(bytes: number, shared: boolean): WasmMemory {
  const pages = Math.ceil(bytes / 65536)
  return new wasm.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages })
}

/**
 * A buffer of at least `bytes` for a fit's passing work (the binning sample's columns, rows copied
 * for the binning threads), of any content: the one kept from an earlier fit on this thread when
 * large enough, else a new one (kept when ≤ KEEP_BYTES), for the same reasons as fitMemory.
 */
export function scratchBuffer<S extends boolean>(bytes: number, shared: S): { buffer: S extends true ? SharedArrayBuffer : ArrayBuffer; fresh: boolean } {
  type B = S extends true ? SharedArrayBuffer : ArrayBuffer
  const kind = shared ? 1 : 0
  const kept = keptScratch[kind]
  if (kept !== null && kept.byteLength >= bytes) return { buffer: kept as B, fresh: false }
  const buffer = (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)) as B
  if (bytes <= KEEP_BYTES) keptScratch[kind] = buffer
  return { buffer, fresh: true }
}

/** Drops the kept buffers (the garbage collector frees them once no worker holds them). */
export function releaseFitMemory(): void {
  keptMemory.fill(null)
  keptScratch.fill(null)
}
