import { ValidationError } from '../errors/index.js'
import type { FeatureGroup, FeatureGroupOptions, FeatureSpec, FeatureStore, Row, TrainTestSplit } from '../featurestore/index.js'
import { systemFeatureGroup } from './feature-groups.js'
import type { SystemDescription, TimeSeriesDescription } from './system.js'
import { plural } from '../support/plural.js'

const DAY_MS = 86_400_000
const dayNumber = (d: Date) => Math.floor(d.getTime() / DAY_MS)

/** A system that declares a time series, with its block; throws ValidationError naming the system otherwise. */
export function timeSeriesOf(system: SystemDescription): TimeSeriesDescription {
  if (!system.timeSeries) throw new ValidationError(`${system.name} is not a time series (its description has no timeSeries)`, [{ path: 'timeSeries', reason: 'missing' }])
  return system.timeSeries
}

/** The key columns naming a series (every key column but the day), e.g. `['station']`. */
export function seriesColumns(system: Pick<SystemDescription, 'featureGroup'>): string[] {
  return system.featureGroup.primaryKey.filter((k) => k !== system.featureGroup.eventTime)
}

/** A row's series as text (its `seriesColumns` values, JSON), for maps and sets keyed by series. */
export function seriesKeyOf(system: Pick<SystemDescription, 'featureGroup'>): (row: Readonly<Row>) => string {
  const series = seriesColumns(system)
  return (r) => JSON.stringify(series.map((c) => r[c] ?? null))
}

/** Rows split by series, in the order each series is first seen: its id (`seriesKeyOf`), its key columns as a row, its rows. */
export function groupBySeries(system: Pick<SystemDescription, 'featureGroup'>, rows: readonly Row[]): { id: string; key: Row; rows: Row[] }[] {
  const series = seriesColumns(system)
  const keyOf = seriesKeyOf(system)
  const groups = new Map<string, Row[]>()
  for (const r of rows) {
    const k = keyOf(r)
    const list = groups.get(k)
    if (list) list.push(r)
    else groups.set(k, [r])
  }
  return [...groups].map(([id, list]) => ({ id, key: Object.fromEntries(series.map((c) => [c, list[0][c]])), rows: list }))
}

/** The spec of each model input as stored: a window feature for a time series, else a column of the system's group. */
export function inputSpecs(system: Pick<SystemDescription, 'fields' | 'featureGroup' | 'timeSeries'>): FeatureSpec[] {
  const columns = system.timeSeries ? system.timeSeries.windows.features : system.featureGroup.schema
  return system.fields.map((f) => columns.find((c) => c.name === f.name)!)
}

/** The time series' window group (`timeSeries.windows`), keyed like the system's group, created on first use. */
export function windowsFeatureGroup(fs: FeatureStore, system: SystemDescription): Promise<FeatureGroup> {
  return fs.getOrCreateFeatureGroup(windowsGroupOptions(system))
}

/** The definition of the time series' window group: the system's key columns, then `timeSeries.windows.features`. */
export function windowsGroupOptions(system: SystemDescription): FeatureGroupOptions {
  const w = timeSeriesOf(system).windows
  const g = system.featureGroup
  return {
    name: w.name,
    version: w.version,
    description: w.description,
    primaryKey: [...g.primaryKey],
    eventTime: g.eventTime,
    schema: [...g.primaryKey.map((k) => g.schema.find((f) => f.name === k)!), ...w.features],
    expectations: [],
  }
}

/**
 * The days of a series whose window rows are new: from the day after its first row (a day with nothing before has
 * no window) or after `after` (the newest day already computed), whichever is later, through the day after its
 * newest row (the next day to forecast, whose window is all known). Ascending; empty when nothing is new, so an
 * update run twice writes nothing the second time.
 */
export function newWindowDays(days: readonly Date[], after: Date | null): Date[] {
  if (days.length === 0) return []
  let first = Infinity
  let last = -Infinity
  for (const d of days) {
    const n = dayNumber(d)
    if (n < first) first = n
    if (n > last) last = n
  }
  const from = Math.max(first + 1, after === null ? -Infinity : dayNumber(after) + 1)
  const out: Date[] = []
  for (let n = from; n <= last + 1; n++) out.push(new Date(n * DAY_MS))
  return out
}

/**
 * Computes the window rows of new days only (`newWindowDays`, per series) from the system's group and writes them
 * to the window group as one commit. Incremental and idempotent: a rerun with no new row writes nothing. A row that
 * arrives late for a day whose window is already computed does not recompute it (windows are written once, as they
 * were known then). Returns the rows written.
 */
export async function updateWindows(fs: FeatureStore, system: SystemDescription, options: { source?: string; log?: (line: string) => void } = {}): Promise<number> {
  const t = timeSeriesOf(system)
  const day = system.featureGroup.eventTime
  const keyOf = seriesKeyOf(system)
  const windows = await windowsFeatureGroup(fs, system)
  const latest = new Map<string, Date>()
  for (const r of await windows.read()) {
    const k = keyOf(r)
    const d = r[day] as Date
    if (!latest.has(k) || latest.get(k)! < d) latest.set(k, d)
  }
  // Every row is read (a few thousand a series): a cut-off by the newest window day would miss the early rows of a
  // series that appears later. Only new days are computed.
  const rows = await (await systemFeatureGroup(fs, system)).read()
  const out: Row[] = []
  for (const { id, key, rows: list } of groupBySeries(system, rows)) {
    const days = newWindowDays(
      list.map((r) => r[day] as Date),
      latest.get(id) ?? null,
    )
    if (days.length === 0) continue
    const computed = t.windows.compute(list, days)
    for (const w of computed) out.push({ ...w, ...key })
  }
  if (out.length === 0) {
    options.log?.(`${windows.name}: no new day to compute`)
    return 0
  }
  const commit = await windows.insert(out, { source: options.source })
  options.log?.(`${windows.name}: ${plural(out.length, 'new day')} computed, ${(out[0][day] as Date).toISOString().slice(0, 10)} … ${(out[out.length - 1][day] as Date).toISOString().slice(0, 10)}, as commit ${commit.id}`)
  return out.length
}

/**
 * The training half of a split with each row used twice: as measured, then with the description's `unknownAhead`
 * window features missing (NaN), as a recursive forecast sees them from its second day on (only the label is
 * forecast, so a forecast day's other measurements are unknown). A gradient-boosted model then learns where to
 * route those features when they are missing, instead of meeting a case it never saw (which made the 7-day
 * forecast drift upward: bench/README.md, air quality). Copies follow the originals, `trainIndex` repeats their
 * indices, `yTrain` their labels; the test half is untouched, so test metrics still score measured days.
 * Returns the split itself when the description names no such feature.
 * @throws ValidationError naming `timeSeries.unknownAhead` when a name is not a column of the split.
 */
export function withUnknownAhead(system: Pick<SystemDescription, 'timeSeries'>, split: TrainTestSplit): TrainTestSplit {
  const names = system.timeSeries?.unknownAhead ?? []
  if (names.length === 0) return split
  const columns = names.map((name) => {
    const j = split.featureNames.indexOf(name)
    if (j < 0) throw new ValidationError(`timeSeries.unknownAhead names "${name}", which is not a model input (${split.featureNames.join(', ')})`, [{ path: 'timeSeries.unknownAhead', reason: `"${name}" is not a model input` }])
    return j
  })
  const { data, nRows, nCols } = split.xTrain
  const out = new Float64Array(2 * nRows * nCols)
  out.set(data)
  out.set(data, nRows * nCols)
  for (let i = nRows; i < 2 * nRows; i++) for (const j of columns) out[i * nCols + j] = NaN
  const y = split.yTrain
  const yTrain = (y instanceof Float64Array ? Float64Array.from({ length: 2 * nRows }, (_, i) => y[i % nRows]) : Array.from({ length: 2 * nRows }, (_, i) => y[i % nRows])) as TrainTestSplit['yTrain']
  const trainIndex = new Int32Array(2 * nRows)
  trainIndex.set(split.trainIndex)
  trainIndex.set(split.trainIndex, nRows)
  return { ...split, xTrain: { data: out, nRows: 2 * nRows, nCols }, yTrain, trainIndex }
}

/**
 * The model inputs of one day of a series from the series' rows before it: the description's window features
 * (`windows.compute`, the very function that fills the window group training reads), with the series' key columns.
 * Batch inference's recursive forecast and the backtest both call this, so a forecast day's inputs are computed
 * exactly as a training day's (no training/serving skew).
 */
export function forecastInputs(system: SystemDescription, key: Readonly<Row>): (history: readonly Row[], day: Date) => Row {
  const t = timeSeriesOf(system)
  return (history, day) => ({ ...key, ...t.windows.compute(history, [day])[0] })
}
