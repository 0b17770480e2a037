import { validationError, type ValidationIssue } from '../db/index.js'
import type { Row } from '../featurestore/index.js'
import type { Random } from '../ml/index.js'
import { generatedKeyColumns } from './feature-groups.js'
import { labelClasses, systemTask, type FieldDescription, type SyntheticSpec, type SystemDescription } from './system.js'

/** What the generator reads from a system description. */
export type ResampledSystem = Pick<SystemDescription, 'name' | 'label' | 'fields' | 'featureGroup' | 'daily'>

/**
 * The system's synthetic spec (`daily.synthetic`).
 * @throws ValidationError when its daily pipeline is an incremental fetch, which draws nothing.
 */
export function syntheticSpec(system: Pick<SystemDescription, 'name' | 'daily'>): SyntheticSpec {
  const daily = system.daily as { synthetic?: SyntheticSpec }
  if (!daily?.synthetic)
    throw validationError([{ column: 'daily.synthetic', reason: `${system.name}'s daily pipeline is an incremental fetch, not a synthetic generator` }], `${system.name} synthetic spec`)
  return daily.synthetic
}

type NumberField = Extract<FieldDescription, { kind: 'number' }>

interface Range {
  lo: number
  hi: number
}

/**
 * A generator of synthetic rows drawn from the real rows' distribution conditional on the label, usable by
 * any system description. Each draw, using only `rng`:
 *
 * 1. classification: the label uniformly over the description's classes; regression (no classes): every real
 *    row with a label forms one pool, so the label's distribution is the real one;
 * 2. a real row of that label (regression: of the pool), uniformly; every column but the continuous features
 *    is kept as it is (choice and integer fields, and a regression label, included), so combinations stay
 *    ones that occur in the real data;
 * 3. each continuous feature (a `number` field without `integer`) plus Gaussian noise of standard deviation
 *    `daily.synthetic.jitter` × the feature's population standard deviation among rows of that label (a smoothed
 *    bootstrap, i.e. a draw from a Gaussian kernel density estimate: Silverman, *Density Estimation*, 1986,
 *    §6.4), then clamped to the range the real rows take both within that label and within its stratum (real
 *    rows of any label sharing the value of every choice field and of every integer field with at most
 *    STRATUM_MAX_VALUES distinct values among the real rows), so a child's age stays an age seen among
 *    passengers of the same class, sex, family and port. An integer field of more values (a measurement in
 *    whole units: wine's magnesium, proline) would make nearly every stratum one row, its range a point and the
 *    noise nothing (each synthetic row a copy of a real one); it is kept with the row but does not stratify;
 *    then rounded to the field's `step` (so within
 *    half a step of that range) and clamped to the field's `[min, max]` and the class's `daily.synthetic.bounds`.
 *
 * The event time and the key columns a synthetic day makes (`generatedKeyColumns`: int and timestamp key
 * columns that are not fields) are left out, for the caller to set; other key columns (a field like `sex` in
 * `['sex', 'row']`, a text identifier like `station`) are kept with the rest of the real row. Pure: the same
 * rows, description and rng state give the same row.
 *
 * @param realRows feature-group rows of real data (rows whose label is null are ignored).
 * @throws ValidationError naming the field when `daily.synthetic` is malformed (or absent: a fetch system), or a class has no real row to resample.
 */
export function conditionalResampler(system: ResampledSystem, realRows: readonly Row[]): (rng: Random) => Row {
  const spec = syntheticSpec(system)
  const labelColumn = system.label.column
  const continuous = system.fields.filter((f): f is NumberField => f.kind === 'number' && !f.integer)
  const discrete = system.fields.filter((f) => f.kind === 'choice' || f.integer === true).map((f) => f.name)
  const dropped = new Set([...generatedKeyColumns(system), system.featureGroup.eventTime])
  // Regression draws from one pool of every labelled row; its name only reaches error messages.
  const regression = systemTask(system) === 'regression'
  const classes: unknown[] = regression ? [REGRESSION_POOL] : labelClasses(system).map((c) => c.value)
  const poolOf = (r: Row): unknown => (regression ? (r[labelColumn] === null || r[labelColumn] === undefined ? undefined : REGRESSION_POOL) : r[labelColumn])
  checkSpec(system, spec, continuous)

  const stratifying = discrete.filter((c) => {
    if (system.fields.find((f) => f.name === c)!.kind === 'choice') return true
    const values = new Set<unknown>()
    for (const r of realRows) if (values.add(r[c] ?? null).size > STRATUM_MAX_VALUES) return false
    return true
  })
  const stratumOf = (r: Row) => JSON.stringify(stratifying.map((c) => r[c] ?? null))
  const strata = new Map<string, Range[]>()
  const pools = new Map<unknown, Row[]>(classes.map((c) => [c, []]))
  for (const r of realRows) {
    const pool = pools.get(poolOf(r))
    if (!pool) continue
    pool.push(r)
    const key = stratumOf(r)
    const ranges = strata.get(key) ?? continuous.map(() => ({ lo: Infinity, hi: -Infinity }))
    continuous.forEach((f, j) => widen(ranges[j], r[f.name]))
    strata.set(key, ranges)
  }
  const empty = classes.filter((c) => pools.get(c)!.length === 0)
  if (empty.length)
    throw validationError(
      empty.map((c) => ({
        column: labelColumn,
        reason: `no real row ${regression ? 'with a label' : `of class ${JSON.stringify(c)}`} to resample: run the ${system.name} feature pipeline first`,
      })),
      `${system.name} synthetic data`,
    )

  // Per class: each continuous feature's observed range, noise scale and hard limits.
  const perClass = new Map(
    classes.map((c) => {
      const pool = pools.get(c)!
      const features = continuous.map((f) => {
        const observed: Range = { lo: Infinity, hi: -Infinity }
        let n = 0
        let mean = 0
        let m2 = 0
        for (const r of pool) {
          const x = r[f.name]
          if (typeof x !== 'number' || !Number.isFinite(x)) continue
          widen(observed, x)
          // Welford's update: a stable running variance.
          n++
          const d = x - mean
          mean += d / n
          m2 += d * (x - mean)
        }
        const bound = spec.bounds?.[String(c)]?.[f.name]
        const limit: Range = { lo: Math.max(f.min, bound?.[0] ?? -Infinity), hi: Math.min(f.max, bound?.[1] ?? Infinity) }
        return { field: f, observed, sd: n > 0 ? spec.jitter * Math.sqrt(m2 / n) : 0, limit }
      })
      return [c, { pool, features }] as const
    }),
  )

  return (rng) => {
    const c = classes[rng.int(classes.length)]
    const { pool, features } = perClass.get(c)!
    const real = pool[rng.int(pool.length)]
    const row: Row = {}
    for (const [k, v] of Object.entries(real)) if (!dropped.has(k)) row[k] = v
    const stratum = strata.get(stratumOf(real))!
    features.forEach(({ field, observed, sd, limit }, j) => {
      const x = real[field.name]
      if (typeof x !== 'number' || !Number.isFinite(x)) return
      const lo = Math.max(observed.lo, stratum[j].lo)
      const hi = Math.min(observed.hi, stratum[j].hi)
      const v = clamp(x + sd * standardNormal(rng), lo, hi)
      row[field.name] = clamp(toStep(v, field.step), limit.lo, limit.hi)
    })
    return row
  }
}

const REGRESSION_POOL = '(every labelled row)'

/** Distinct values (among the real rows) up to which an integer field stratifies the noise's ranges (titanic's sibsp and parch have 7). */
export const STRATUM_MAX_VALUES = 10

function checkSpec(system: ResampledSystem, spec: SyntheticSpec, continuous: readonly NumberField[]): void {
  const { jitter, bounds } = spec
  const issues: ValidationIssue[] = []
  if (typeof jitter !== 'number' || !Number.isFinite(jitter) || jitter < 0)
    issues.push({ column: 'daily.synthetic.jitter', reason: `must be a finite number ≥ 0, got ${JSON.stringify(jitter)}` })
  const classNames = new Set(labelClasses(system).map((c) => String(c.value)))
  for (const [cls, byFeature] of Object.entries(bounds ?? {})) {
    if (!classNames.has(cls)) issues.push({ column: `daily.synthetic.bounds.${cls}`, reason: `${JSON.stringify(cls)} is not a class of ${system.label.column}` })
    for (const [name, range] of Object.entries(byFeature)) {
      const column = `daily.synthetic.bounds.${cls}.${name}`
      const field = continuous.find((f) => f.name === name)
      if (!field) issues.push({ column, reason: `${JSON.stringify(name)} is not a continuous number field` })
      else if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || range[0] > range[1])
        issues.push({ column, reason: `must be [min, max] with min ≤ max, got ${JSON.stringify(range)}` })
      else if (range[0] > field.max || range[1] < field.min)
        issues.push({ column, reason: `[${range[0]}, ${range[1]}] lies outside the field's range [${field.min}, ${field.max}]` })
    }
  }
  if (issues.length) throw validationError(issues, `${system.name} synthetic spec`)
}

function widen(r: Range, x: unknown): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) return
  if (x < r.lo) r.lo = x
  if (x > r.hi) r.hi = x
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x
}

/** Nearest multiple of `step`, written with no more decimals than `step` has (5.1, not 5.1000000000000005). */
function toStep(x: number, step: number): number {
  if (!(step > 0)) return x
  const [mantissa, exponent] = step.toExponential().split('e')
  const decimals = Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - Number(exponent))
  return Number((Math.round(x / step) * step).toFixed(Math.min(decimals, 20)))
}

/** One standard normal draw (Box–Muller; two uniforms, so a draw always consumes the same rng state). */
function standardNormal(rng: Random): number {
  const u = 1 - rng.next()
  const v = rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}
