import type { FeatureStore, Row } from '../featurestore/index.js'
import { systemFeatureGroup } from './feature-groups.js'
import { windowsFeatureGroup } from './time-series.js'
import { labelClasses, systemTask, type SystemDescription } from './system.js'

/** A real row of a system's data, offered on its predict page to fill the form. */
export interface PredictExample {
  /** What the row is: its class name, or its label value with the unit (regression). */
  readonly title: string
  /** Each field's input value: numbers as numbers, choices as their request `value` (the predict API's body). */
  readonly input: Readonly<Record<string, string | number>>
}

/** Quantiles at which a regression system's examples are picked: low, middle and high values of the label. */
export const EXAMPLE_QUANTILES = [0.1, 0.5, 0.9] as const

/**
 * Real rows of the system's feature group to try on its predict page: the first row of each class, in the
 * description's order (classification), or the rows at the label's 10th, 50th and 90th percentiles (regression;
 * nearest-rank on rows sorted by label). Rows with a missing field are skipped; empty when the group is.
 */
export async function predictExamples(fs: FeatureStore, system: SystemDescription): Promise<PredictExample[]> {
  const label = system.label.column
  // only rows the form and the API accept as they are: a field's range may be narrower than the data (an edited max)
  const accepted = (f: SystemDescription['fields'][number], v: unknown) =>
    f.kind === 'choice' ? f.choices.some((c) => c.code === v) : typeof v === 'number' && v >= f.min && v <= f.max
  const rows = (await exampleRows(fs, system)).filter((r) => system.fields.every((f) => accepted(f, r[f.name])) && r[label] !== null && r[label] !== undefined)
  if (systemTask(system) === 'classification')
    return labelClasses(system).flatMap((c) => {
      const row = rows.find((r) => r[label] === c.value)
      return row ? [{ title: c.name, input: toInput(system, row) }] : []
    })
  const sorted = [...rows].sort((a, b) => Number(a[label]) - Number(b[label]))
  if (sorted.length === 0) return []
  const picked = [...new Set(EXAMPLE_QUANTILES.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]))]
  const unit = system.label.unit ? ` ${system.label.unit}` : ''
  return picked.map((row) => ({ title: `${label} ${Number(Number(row[label]).toFixed(2))}${unit}`, input: toInput(system, row) }))
}

/** The system's rows with model inputs and label: a time series' window rows, each with its day's measured label. */
async function exampleRows(fs: FeatureStore, system: SystemDescription): Promise<Row[]> {
  const rows = await (await systemFeatureGroup(fs, system)).read()
  if (!system.timeSeries) return rows
  const day = system.featureGroup.eventTime
  const keyOf = (r: Row) => JSON.stringify(system.featureGroup.primaryKey.map((k) => (r[k] instanceof Date ? (r[k] as Date).getTime() : r[k])))
  const labels = new Map(rows.map((r) => [keyOf(r), r[system.label.column]]))
  return (await (await windowsFeatureGroup(fs, system)).read()).filter((w) => w[day] instanceof Date).map((w) => ({ ...w, [system.label.column]: labels.get(keyOf(w)) ?? null }))
}

/**
 * A stored row (choice codes) as the predict API's input (choice values). A number is rounded to its field's
 * step (a 7-day mean of 19.285714… is 19.3 at step 0.1: what the form can hold, and what its step check
 * accepts); a value the row lacks is left out (an optional field's "not known"), never sent as 0.
 */
function toInput(system: SystemDescription, row: Row): Record<string, string | number> {
  const input: Record<string, string | number> = {}
  for (const f of system.fields) {
    const v = row[f.name]
    if (v === null || v === undefined) continue
    if (f.kind === 'choice') input[f.name] = f.choices.find((c) => c.code === Number(v))?.value ?? String(v)
    else input[f.name] = Number(Number(v).toFixed(stepDecimals(f.step)))
  }
  return input
}

/** Decimal places of a step: 0.1 → 1, 0.25 → 2, 1 → 0, 1e-7 → 7. */
function stepDecimals(step: number): number {
  const [mantissa, exponent] = step.toExponential().split('e')
  return Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - Number(exponent))
}
