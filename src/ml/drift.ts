import { ValidationError } from './errors.js'

/** Numbers of one feature: a typed array or a plain array (nulls are refused). */
export type Sample = ArrayLike<number>

function sorted(x: Sample, field: string): Float64Array {
  if (x.length === 0) throw new ValidationError(`${field} is empty`, field)
  const out = Float64Array.from(x as ArrayLike<number>)
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) throw new ValidationError(`${field}[${i}] is ${x[i]}, not a finite number`, field)
  return out.sort()
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (numpy's default). */
export function quantileSorted(s: Float64Array, q: number): number {
  const h = (s.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, s.length - 1)
  return s[lo] + (h - lo) * (s[hi] - s[lo])
}

/** How many `edges` (ascending) are strictly below x: the index of the right-closed bin (e[i-1], e[i]] holding x. */
function binOf(edges: Float64Array, x: number): number {
  let lo = 0
  let hi = edges.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (edges[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

export interface PsiOptions {
  /** Quantile bins cut from the reference; default 10. Equal cut points (discrete data) merge bins. */
  readonly bins?: number
  /** Share given to an empty bin, so the log stays finite; default 1e-4. */
  readonly epsilon?: number
}

export interface PsiResult {
  readonly psi: number
  /** Inner cut points (the outer bins are open-ended, so current values outside the reference range still count). */
  readonly edges: readonly number[]
  readonly referenceShare: readonly number[]
  readonly currentShare: readonly number[]
}

/**
 * Population stability index of `current` against `reference`: bins at the reference's quantiles,
 * PSI = Σ (c − r) · ln(c / r) over the bins' shares, an empty bin counting as `epsilon`.
 * Rule of thumb: < 0.1 stable, 0.1–0.2 some shift, > 0.2 a significant shift.
 */
export function populationStabilityIndex(reference: Sample, current: Sample, options: PsiOptions = {}): PsiResult {
  const bins = options.bins ?? 10
  const epsilon = options.epsilon ?? 1e-4
  if (!Number.isInteger(bins) || bins < 2) throw new ValidationError(`bins must be an integer of at least 2, got ${bins}`, 'bins')
  if (!(epsilon > 0 && epsilon < 1)) throw new ValidationError(`epsilon must be between 0 and 1 (exclusive), got ${epsilon}`, 'epsilon')
  const ref = sorted(reference, 'reference')
  const cur = sorted(current, 'current')
  const cuts: number[] = []
  for (let i = 1; i < bins; i++) {
    const q = quantileSorted(ref, i / bins)
    if (cuts.length === 0 || q > cuts[cuts.length - 1]) cuts.push(q)
  }
  const edges = Float64Array.from(cuts)
  const count = (s: Float64Array) => {
    const c = new Float64Array(edges.length + 1)
    for (let i = 0; i < s.length; i++) c[binOf(edges, s[i])]++
    return Array.from(c, (n) => n / s.length)
  }
  const referenceShare = count(ref)
  const currentShare = count(cur)
  let psi = 0
  for (let b = 0; b < referenceShare.length; b++) {
    const r = Math.max(referenceShare[b], epsilon)
    const c = Math.max(currentShare[b], epsilon)
    psi += (c - r) * Math.log(c / r)
  }
  return { psi, edges: cuts, referenceShare, currentShare }
}

export interface KsResult {
  /** sup |F_reference(x) − F_current(x)| over all x. */
  readonly statistic: number
  /** Two-sided p-value from the asymptotic Kolmogorov distribution (approximate for small samples). */
  readonly pValue: number
}

/** Two-sample Kolmogorov–Smirnov statistic (as scipy.stats.ks_2samp's `statistic`), with an asymptotic p-value. */
export function ksTwoSample(reference: Sample, current: Sample): KsResult {
  const a = sorted(reference, 'reference')
  const b = sorted(current, 'current')
  const n = a.length
  const m = b.length
  let i = 0
  let j = 0
  let d = 0
  while (i < n && j < m) {
    // Step past every copy of the smaller value in both samples, then compare the two ECDFs there.
    const x = a[i] <= b[j] ? a[i] : b[j]
    while (i < n && a[i] <= x) i++
    while (j < m && b[j] <= x) j++
    const diff = Math.abs(i / n - j / m)
    if (diff > d) d = diff
  }
  const en = Math.sqrt((n * m) / (n + m))
  return { statistic: d, pValue: kolmogorovSurvival((en + 0.12 + 0.11 / en) * d) }
}

/** Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} (Numerical Recipes' probks). */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda < 1e-3) return 1
  let sum = 0
  let sign = 1
  let prev = 0
  for (let k = 1; k <= 100; k++) {
    const term = sign * Math.exp(-2 * k * k * lambda * lambda)
    sum += term
    if (Math.abs(term) <= 1e-10 * Math.abs(sum) || Math.abs(term) <= 1e-12 * prev) return Math.min(1, Math.max(0, 2 * sum))
    prev = Math.abs(term)
    sign = -sign
  }
  return 1 // no convergence: λ so small the samples are indistinguishable
}
