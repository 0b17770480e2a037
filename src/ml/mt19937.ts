/**
 * numpy's legacy `RandomState` for the few draws where we must choose exactly what scikit-learn
 * chooses: the Mersenne Twister MT19937 (Matsumoto & Nishimura 1998) seeded as numpy seeds an
 * integer (`init_genrand`), and numpy's legacy bounded integers (a mask of the bound's bits, draws
 * above the bound rejected). With these, `new MT19937(s).choiceWithoutReplacement(n, k)` is the
 * same index array as `numpy.random.RandomState(s).choice(n, k, replace=False)` (numpy 1.17 and
 * later; pinned against numpy 1.24 in mt19937.test.ts). Everything else goes through `Random`.
 */
export class MT19937 {
  readonly #mt = new Uint32Array(624)
  #index = 624

  /**
   * @param seed an integer in 0 … 2³² − 1, as numpy's RandomState(seed) takes; other finite
   *   numbers are reduced to one (floored, then modulo 2³²) where numpy would refuse them.
   * @throws RangeError when seed is not finite.
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`)
    const mt = this.#mt
    mt[0] = Math.floor(seed) % 4294967296 >>> 0
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30)
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0
    }
  }

  /** The generator's next 32-bit output (numpy's `next_uint32`, genrand_int32). */
  nextUint32(): number {
    if (this.#index >= 624) this.#twist()
    let y = this.#mt[this.#index++]
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  #twist(): void {
    const mt = this.#mt
    // the three ranges of the reference genrand_int32, so no index needs a modulo
    let i = 0
    for (; i < 227; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff)
      mt[i] = mt[i + 397] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df)
    }
    for (; i < 623; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff)
      mt[i] = mt[i - 227] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df)
    }
    const y = (mt[623] & 0x80000000) | (mt[0] & 0x7fffffff)
    mt[623] = mt[396] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df)
    this.#index = 0
  }

  /**
   * A uniform integer in 0 … max (inclusive), max < 2³², as numpy's legacy `random_interval`: the
   * smallest all-ones mask covering max, draws above max rejected.
   */
  interval(max: number): number {
    if (max === 0) return 0
    let mask = max
    mask |= mask >>> 1
    mask |= mask >>> 2
    mask |= mask >>> 4
    mask |= mask >>> 8
    mask |= mask >>> 16
    mask >>>= 0
    for (;;) {
      const v = (this.nextUint32() & mask) >>> 0
      if (v <= max) return v
    }
  }

  /**
   * `RandomState.randint(high, dtype="u8")` for 1 ≤ high ≤ 2³², as scikit-learn draws the seed it
   * hands to its parts (`rng.randint(np.iinfo(np.uint32).max, dtype="u8")`).
   */
  randint(high: number): number {
    return this.interval(high - 1)
  }

  /**
   * numpy's `RandomState.permutation(n)`: 0 … n − 1 shuffled by Fisher–Yates from the end, each
   * swap partner drawn by `interval`. n ≤ 2³² − 1.
   */
  permutation(n: number): Uint32Array {
    const a = new Uint32Array(n)
    for (let i = 0; i < n; i++) a[i] = i
    // interval(i) inlined: the mask only changes when i falls below a power of two
    let mask = 0xffffffff >>> Math.clz32(Math.max(1, n - 1))
    for (let i = n - 1; i > 0; i--) {
      while (mask >>> 1 >= i) mask >>>= 1
      let j: number
      do j = (this.nextUint32() & mask) >>> 0
      while (j > i)
      const t = a[i]
      a[i] = a[j]
      a[j] = t
    }
    return a
  }

  /**
   * numpy's `RandomState.choice(n, k, replace=False)`: the first k entries of permutation(n), so
   * the same k indices in the same order.
   * @throws RangeError when k > n.
   */
  choiceWithoutReplacement(n: number, k: number): Uint32Array {
    if (k > n) throw new RangeError(`cannot take ${k} of ${n} without replacement`)
    return this.permutation(n).subarray(0, k)
  }
}
