import type { FeatureStore, Row } from '../featurestore/index.js'
import { meanAbsoluteError, rootMeanSquaredError } from '../ml/index.js'
import type { ModelRegistry } from '../registry/index.js'
import { keyOf, keyValues, predictionsFeatureGroup, systemFeatureGroup } from './feature-groups.js'
import { bandOf, type ValueBand } from './forecast.js'
import { findServingVersion, SERVING_ALIAS } from './serving.js'
import { labelClasses, systemTask, type SystemDescription, type SystemTask } from './system.js'
import { seriesColumns, seriesKeyOf } from './time-series.js'

export interface PredictionRecord {
  /** The predicted row's key columns, e.g. `{ id: 151 }` or `{ station: 'hornsgatan', date: … }`. */
  readonly key: Readonly<Row>
  readonly time: Date
  /** Class name (classification) or value in the label's unit (regression). */
  readonly predicted: string | number
  readonly actual: string | number | null
  /** The predicted class's probability; null for regression. */
  readonly probability: number | null
  readonly modelVersion: number
}

/** Regression: one UTC day of batch predictions with a known outcome. */
export interface ErrorPoint {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string
  readonly predictions: number
  /** Mean absolute error of that day's predictions, in the label's unit. */
  readonly mae: number
  /** Mean absolute error of every prediction up to and including that day. */
  readonly cumulativeMae: number
  readonly meanPredicted: number
  readonly meanActual: number
}

export interface AccuracyPoint {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string
  readonly predictions: number
  /** Accuracy of that day's predictions with a known outcome. */
  readonly accuracy: number
  /** Accuracy of every prediction up to and including that day. */
  readonly cumulativeAccuracy: number
}

export interface MonitorData {
  readonly system: string
  readonly task: SystemTask
  /** The label's unit (regression), when it has one. */
  readonly unit: string | null
  readonly latest: PredictionRecord | null
  /** Newest first. */
  readonly recent: readonly PredictionRecord[]
  /** Over all predictions with a known outcome: rows true, columns predicted, in class order (empty for regression). */
  readonly confusion: { readonly labels: readonly string[]; readonly matrix: readonly (readonly number[])[] }
  /** Classification only (empty for regression). */
  readonly accuracyOverTime: readonly AccuracyPoint[]
  /** Regression only (empty for classification). */
  readonly errorOverTime: readonly ErrorPoint[]
  /**
   * `correct` and `accuracy` are classification's (null for regression); `mae` and `rmse` regression's over every
   * prediction with a known outcome (scikit-learn's definitions; null for classification or with none).
   */
  readonly totals: {
    readonly predictions: number
    readonly withActual: number
    readonly correct: number | null
    readonly accuracy: number | null
    readonly mae: number | null
    readonly rmse: number | null
  }
  readonly servingModel: { readonly name: string; readonly version: number; readonly metrics: Readonly<Record<string, number>> } | null
  /** A time series' forecasts (see ForecastMonitor); absent for other systems. */
  readonly forecast?: ForecastMonitor
}

/** One forecast day as the monitor shows it. */
export interface ForecastDay {
  /** The forecast day (UTC midnight). */
  readonly date: Date
  readonly horizon: number
  readonly predicted: number
  /** The band of the value (the description's `timeSeries.bands`), null without bands. */
  readonly band: ValueBand | null
  /** What was measured that day, once it has been. */
  readonly actual: number | null
}

/** A time series' monitor: the newest forecast of each series, a hindcast and the error by horizon. */
export interface ForecastMonitor {
  readonly bands: readonly ValueBand[]
  /** Per series, the newest issue day's forecast, day by day. */
  readonly latest: readonly { readonly series: Readonly<Row>; readonly issued: Date; readonly modelVersion: number; readonly days: readonly ForecastDay[] }[]
  /**
   * One-day-ahead values (forecasts made the day before, or hindcasts made later from the same day-before window)
   * of the last `hindcastDays` days up to the newest measured day, oldest first, with what was measured.
   */
  readonly hindcast: readonly (ForecastDay & { readonly series: Readonly<Row>; readonly kind: 'forecast' | 'hindcast' })[]
  /**
   * Mean absolute error per horizon over every stored forecast (kind forecast) whose day has been measured, beside
   * persistence's (every day ahead = the value measured on the issue day) over those of them whose issue day was
   * measured (`persistenceForecasts`): the baseline a forecast must beat at each horizon.
   */
  readonly maeByHorizon: readonly {
    readonly horizon: number
    readonly forecasts: number
    readonly mae: number | null
    readonly persistenceForecasts: number
    readonly persistenceMae: number | null
  }[]
}

/**
 * A token that changes whenever `monitorData` of the system would: the content of the feature groups it reads
 * (the predictions group, and for a time series also the system's group with the measured values) and the
 * version in production. Two small indexed queries instead of reading the history.
 */
export async function monitorVersion(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription): Promise<string> {
  const groups = system.timeSeries ? [`${system.name}_predictions`, system.featureGroup.name] : [`${system.name}_predictions`]
  const [content, serving] = await Promise.all([fs.contentVersion(groups), registry.aliasTargetId(system.model.name, SERVING_ALIAS)])
  return `${content}|${serving ?? ''}`
}

/** The monitor of a system, computed from its predictions history. */
export async function monitorData(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, options: { recent?: number } = {}): Promise<MonitorData> {
  if (system.timeSeries) return timeSeriesMonitor(fs, registry, system, options)
  const fg = await predictionsFeatureGroup(fs, system)
  const task = systemTask(system)
  const all = (await fg.read()).map((r) => ({
    order: keyOf(system, r),
    record: {
      key: keyValues(system, r),
      time: r.ts as Date,
      predicted: r.predicted as string | number,
      actual: (r.actual as string | number | null) ?? null,
      probability: task === 'classification' ? (r.probability as number) : null,
      modelVersion: r.model_version as number,
    } satisfies PredictionRecord,
  }))
  all.sort((a, b) => b.record.time.getTime() - a.record.time.getTime() || (b.order > a.order ? 1 : b.order < a.order ? -1 : 0))
  const records = all.map((a) => a.record)
  const serving = await findServingVersion(registry, system)
  const base = {
    system: system.name,
    task,
    unit: system.label.unit ?? null,
    latest: records[0] ?? null,
    recent: records.slice(0, options.recent ?? 20),
    servingModel: serving ? { name: serving.name, version: serving.version, metrics: serving.metrics } : null,
  }
  return task === 'classification' ? { ...base, ...classificationHistory(system, records) } : { ...base, ...regressionHistory(records) }
}

const byDayOrder = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

function classificationHistory(system: SystemDescription, all: readonly PredictionRecord[]): Pick<MonitorData, 'confusion' | 'accuracyOverTime' | 'errorOverTime' | 'totals'> {
  const labels = labelClasses(system).map((c) => c.name)
  const index = new Map<unknown, number>(labels.map((l, i) => [l, i]))
  const matrix = labels.map(() => labels.map(() => 0))
  const byDay = new Map<string, { n: number; ok: number }>()
  let withActual = 0
  let correct = 0
  for (const p of all) {
    if (p.actual === null) continue
    const i = index.get(p.actual)
    const j = index.get(p.predicted)
    if (i !== undefined && j !== undefined) matrix[i][j]++
    withActual++
    const ok = p.actual === p.predicted ? 1 : 0
    correct += ok
    const day = p.time.toISOString().slice(0, 10)
    const d = byDay.get(day) ?? { n: 0, ok: 0 }
    d.n++
    d.ok += ok
    byDay.set(day, d)
  }
  let runN = 0
  let runOk = 0
  const accuracyOverTime = byDayOrder(byDay).map(([day, d]) => {
    runN += d.n
    runOk += d.ok
    return { day, predictions: d.n, accuracy: d.ok / d.n, cumulativeAccuracy: runOk / runN }
  })
  return {
    confusion: { labels, matrix },
    accuracyOverTime,
    errorOverTime: [],
    totals: { predictions: all.length, withActual, correct, accuracy: withActual ? correct / withActual : null, mae: null, rmse: null },
  }
}

function regressionHistory(all: readonly PredictionRecord[]): Pick<MonitorData, 'confusion' | 'accuracyOverTime' | 'errorOverTime' | 'totals'> {
  const known = all.filter((p) => p.actual !== null)
  const byDay = new Map<string, { predicted: number[]; actual: number[] }>()
  for (const p of known) {
    const day = p.time.toISOString().slice(0, 10)
    const d = byDay.get(day) ?? { predicted: [], actual: [] }
    d.predicted.push(p.predicted as number)
    d.actual.push(p.actual as number)
    byDay.set(day, d)
  }
  let runN = 0
  let runAbs = 0
  const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length
  const errorOverTime = byDayOrder(byDay).map(([day, d]): ErrorPoint => {
    // The cumulative figure is a running sum of absolute errors (not re-summed pairwise): equal to MAE up to rounding.
    for (let i = 0; i < d.actual.length; i++) runAbs += Math.abs(d.predicted[i] - d.actual[i])
    runN += d.actual.length
    return { day, predictions: d.actual.length, mae: meanAbsoluteError(d.actual, d.predicted), cumulativeMae: runAbs / runN, meanPredicted: mean(d.predicted), meanActual: mean(d.actual) }
  })
  const yTrue = known.map((p) => p.actual as number)
  const yPred = known.map((p) => p.predicted as number)
  return {
    confusion: { labels: [], matrix: [] },
    accuracyOverTime: [],
    errorOverTime,
    totals: {
      predictions: all.length,
      withActual: known.length,
      correct: null,
      accuracy: null,
      mae: known.length ? meanAbsoluteError(yTrue, yPred) : null,
      rmse: known.length ? rootMeanSquaredError(yTrue, yPred) : null,
    },
  }
}

const DAY_MS = 86_400_000

/**
 * A time series' monitor: forecasts are joined with the measured values of the system's group by series and day.
 * The regression figures (`recent`, `errorOverTime`, `totals`) are those of the one-day-ahead values.
 */
async function timeSeriesMonitor(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, options: { recent?: number }): Promise<MonitorData> {
  const t = system.timeSeries!
  const day = system.featureGroup.eventTime
  const label = system.label.column
  const series = seriesColumns(system)
  const seriesKey = seriesKeyOf(system)
  const dayKey = (r: Readonly<Row>) => `${seriesKey(r)}|${(r[day] as Date).getTime()}`
  const measured = new Map<string, number | null>()
  for (const r of await (await systemFeatureGroup(fs, system)).read()) measured.set(dayKey(r), typeof r[label] === 'number' ? (r[label] as number) : null)
  const rows = await (await predictionsFeatureGroup(fs, system)).read()
  const bands = t.bands ?? []
  const asDay = (p: Row): ForecastDay => ({
    date: p[day] as Date,
    horizon: p.horizon as number,
    predicted: p.predicted as number,
    band: bandOf(bands, p.predicted as number),
    actual: measured.get(dayKey(p)) ?? null,
  })
  // The newest issue day of each series, and its forecast.
  const newest = new Map<string, number>()
  for (const p of rows) if (p.kind === 'forecast') newest.set(seriesKey(p), Math.max(newest.get(seriesKey(p)) ?? -Infinity, (p.issued as Date).getTime()))
  const latest = [...newest.entries()].map(([k, issued]) => {
    const of = rows.filter((p) => p.kind === 'forecast' && seriesKey(p) === k && (p.issued as Date).getTime() === issued).sort((a, b) => (a.horizon as number) - (b.horizon as number))
    return { series: Object.fromEntries(series.map((c) => [c, of[0][c]])), issued: new Date(issued), modelVersion: of[0].model_version as number, days: of.map(asDay) }
  })
  const oneDay = rows.filter((p) => p.horizon === 1).map((p) => ({ ...asDay(p), series: Object.fromEntries(series.map((c) => [c, p[c]])), kind: p.kind as 'forecast' | 'hindcast', row: p }))
  const lastMeasured = Math.max(-Infinity, ...oneDay.filter((p) => p.actual !== null).map((p) => p.date.getTime()))
  const hindcast = oneDay
    .filter((p) => p.date.getTime() <= lastMeasured && p.date.getTime() > lastMeasured - t.hindcastDays * DAY_MS)
    .sort((a, b) => a.date.getTime() - b.date.getTime())
    .map(({ row: _row, ...p }) => p)
  const byHorizon = new Map<number, { n: number; abs: number; nPersistence: number; absPersistence: number }>()
  for (let h = 1; h <= t.horizon; h++) byHorizon.set(h, { n: 0, abs: 0, nPersistence: 0, absPersistence: 0 })
  for (const p of rows) {
    if (p.kind !== 'forecast') continue
    const actual = measured.get(dayKey(p))
    const b = byHorizon.get(p.horizon as number)
    if (actual === null || actual === undefined || !b) continue
    b.n++
    b.abs += Math.abs((p.predicted as number) - actual)
    const today = measured.get(dayKey({ ...p, [day]: p.issued }))
    if (today === null || today === undefined) continue
    b.nPersistence++
    b.absPersistence += Math.abs(today - actual)
  }
  const maeByHorizon = [...byHorizon.entries()].map(([horizon, b]) => ({
    horizon,
    forecasts: b.n,
    mae: b.n ? b.abs / b.n : null,
    persistenceForecasts: b.nPersistence,
    persistenceMae: b.nPersistence ? b.absPersistence / b.nPersistence : null,
  }))
  // The generic regression figures, over the one-day-ahead values (newest forecast time first).
  const records: PredictionRecord[] = oneDay
    .map((p) => ({ key: keyValues(system, p.row), time: p.row.ts as Date, predicted: p.predicted, actual: p.actual, probability: null, modelVersion: p.row.model_version as number }))
    .sort((a, b) => b.time.getTime() - a.time.getTime() || ((b.key[day] as Date).getTime() - (a.key[day] as Date).getTime()))
  const serving = await findServingVersion(registry, system)
  return {
    system: system.name,
    task: 'regression',
    unit: system.label.unit ?? null,
    latest: records[0] ?? null,
    recent: records.slice(0, options.recent ?? 20),
    servingModel: serving ? { name: serving.name, version: serving.version, metrics: serving.metrics } : null,
    ...regressionHistory(records),
    forecast: { bands, latest, hindcast, maeByHorizon },
  }
}
