/**
 * Seeded pseudo-random numbers (mulberry32 over a splitmix32-scrambled seed).
 * Every random choice in the project (splits, bootstraps, synthetic rows) goes through one of these,
 * so a seed reproduces a run exactly on every platform.
 */
export class Random {
  private state: number

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`)
    // splitmix32 so that nearby seeds (1, 2, 3) give unrelated streams
    let z = (Math.floor(seed) + 0x9e3779b9) | 0
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    this.state = (z ^ (z >>> 16)) >>> 0
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next()
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const tmp = a[i]
      a[i] = a[j]
      a[j] = tmp
    }
    return a
  }

  /** A new independent generator derived from this one (e.g. one per tree). */
  fork(): Random {
    return new Random(this.nextUint32())
  }
}
