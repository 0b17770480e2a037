// Deterministic garbage for the bad-input suites: no Math.random, so a failure replays byte for byte.

/** `n` pseudo-random bytes from a 32-bit xorshift seeded with `seed`. */
export function junkBytes(n: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.allocUnsafe(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** Bytes that look like a binary file: a PNG signature, NULs and control bytes among junk. */
export function binaryFile(n = 4096): Buffer {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52])
  const body = junkBytes(n, 7)
  for (let i = 0; i < n; i += 11) body[i] = 0
  return Buffer.concat([png, body])
}

/** A single stack-trace line ("    at fn (file:line:col)") anywhere in `text`. */
export const STACK_LINE = /^\s+at\s.+[:(]/m
