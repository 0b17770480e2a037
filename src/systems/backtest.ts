import { ValidationError } from '../errors/index.js'
import type { FeatureStore, Row } from '../featurestore/index.js'
import type { ModelRegistry } from '../registry/index.js'
import { systemFeatureGroup } from './feature-groups.js'
import { recursiveForecast, type RecursiveForecastOptions } from './forecast.js'
import { loadServingModel, predictRows, type ServingModel } from './serving.js'
import type { SystemDescription } from './system.js'
import { forecastInputs, groupBySeries, timeSeriesOf } from './time-series.js'

const DAY_MS = 86_400_000
const dayNumber = (d: Date) => Math.floor(d.getTime() / DAY_MS)

/** A forecast's error at one horizon beside the persistence forecast's on the same (origin, target day) pairs. */
export interface HorizonError {
  /** Days after the issue day (1 = the next day). */
  readonly horizon: number
  /** Pairs scored: origins with a measured label whose target day `horizon` days later is measured and in the period. */
  readonly n: number
  /** Mean absolute error of the forecast, in the label's unit. */
  readonly mae: number
  /** Mean absolute error of persistence (every day ahead = the issue day's value) on the same pairs. */
  readonly persistenceMae: number
}

export interface BacktestOptions extends Omit<RecursiveForecastOptions, 'issued'> {
  /** First target day scored (e.g. the time split's test start); origins run from the day before it. */
  readonly from: Date
  /** Days before a day its inputs read (`windows.lookbackDays`): each origin hands the forecast only these. */
  readonly lookbackDays: number
}

/**
 * Rolling-origin evaluation of a recursive multi-step forecast (Tashman, "Out-of-sample tests of forecasting
 * accuracy: an analysis and review", International Journal of Forecasting 16, 2000; Hyndman & Athanasopoulos,
 * "Forecasting: Principles and Practice", 3rd ed., §5.10 "time series cross-validation"): every measured day from
 * the day before `from` to the day before the newest is an issue day; the forecast of the `horizon` days after it
 * is made by `recursiveForecast` from the rows up to and including it (nothing later), and each forecast day at or
 * after `from` that was measured is scored against its measurement, beside persistence (the issue day's value).
 * The model is not refitted per origin (a fixed-origin model, as serving uses one trained version).
 * Pure. Returns one entry per horizon 1…`horizon` (NaN errors where nothing was scored).
 */
export function rollingOriginBacktest(o: BacktestOptions): HorizonError[] {
  const measured = (r: Row) => typeof r[o.label] === 'number' && Number.isFinite(r[o.label] as number)
  const rows = [...o.history].sort((a, b) => (a[o.time] as Date).getTime() - (b[o.time] as Date).getTime())
  const byDay = new Map<number, Row>()
  for (const r of rows) byDay.set(dayNumber(r[o.time] as Date), r)
  const first = dayNumber(o.from)
  const sums = Array.from({ length: o.horizon }, () => ({ n: 0, model: 0, persistence: 0 }))
  if (rows.length === 0) return sums.map((_, h) => ({ horizon: h + 1, n: 0, mae: NaN, persistenceMae: NaN }))
  const last = dayNumber(rows[rows.length - 1][o.time] as Date)
  let start = 0
  let end = 0
  for (let origin = first - 1; origin < last; origin++) {
    // rows[start, end): the days origin − lookbackDays + 1 … origin
    while (end < rows.length && dayNumber(rows[end][o.time] as Date) <= origin) end++
    while (start < end && dayNumber(rows[start][o.time] as Date) <= origin - o.lookbackDays) start++
    const today = byDay.get(origin)
    if (!today || !measured(today)) continue
    const steps = recursiveForecast({ history: rows.slice(start, end), time: o.time, label: o.label, issued: new Date(origin * DAY_MS), horizon: o.horizon, features: o.features, predict: o.predict })
    for (const s of steps) {
      const target = dayNumber(s.date)
      const truth = byDay.get(target)
      if (target < first || !truth || !measured(truth)) continue
      const sum = sums[s.horizon - 1]
      sum.n++
      sum.model += Math.abs(s.predicted - (truth[o.label] as number))
      sum.persistence += Math.abs((today[o.label] as number) - (truth[o.label] as number))
    }
  }
  return sums.map((s, h) => ({ horizon: h + 1, n: s.n, mae: s.n ? s.model / s.n : NaN, persistenceMae: s.n ? s.persistence / s.n : NaN }))
}

/**
 * `rollingOriginBacktest` of a time-series system over its serving version's test period (the recorded time split's
 * test start to the newest reading), every series pooled, with the serving model unless another `predict` is given
 * (e.g. a variant model on the same inputs). The features are `forecastInputs`, as batch inference computes them.
 * @throws NotFoundError when no version serves; ValidationError when its training dataset has no time split.
 */
export async function forecastBacktest(
  fs: FeatureStore,
  registry: ModelRegistry,
  system: SystemDescription,
  options: { predict?: (serving: ServingModel, rows: readonly Row[]) => ArrayLike<number> } = {},
): Promise<HorizonError[]> {
  const t = timeSeriesOf(system)
  const serving = await loadServingModel(fs, registry, system)
  const from = serving.trainingDataset.testStart
  if (!from) throw new ValidationError(`${system.model.name} v${serving.version.version} was not trained on a time split: its training dataset has no test start`, [{ path: 'trainingDataset.testStart', reason: 'missing' }])
  const predict = options.predict ? (rows: readonly Row[]) => options.predict!(serving, rows) : (rows: readonly Row[]) => Float64Array.from(predictRows(serving, rows), (p) => p.prediction as number)
  return seriesBacktest(fs, system, from, predict)
}

/**
 * `rollingOriginBacktest` of every series of a time-series system's group from `from`, with `predict` on the
 * `forecastInputs` batch inference computes, the series pooled: per horizon, the mean over all scored pairs.
 */
export async function seriesBacktest(fs: FeatureStore, system: SystemDescription, from: Date, predict: (rows: readonly Row[]) => ArrayLike<number>): Promise<HorizonError[]> {
  const t = timeSeriesOf(system)
  const pooled = Array.from({ length: t.horizon }, () => ({ n: 0, model: 0, persistence: 0 }))
  for (const { key, rows } of groupBySeries(system, await (await systemFeatureGroup(fs, system)).read())) {
    const errors = rollingOriginBacktest({ history: rows, time: system.featureGroup.eventTime, label: system.label.column, from, horizon: t.horizon, lookbackDays: t.windows.lookbackDays, features: forecastInputs(system, key), predict })
    for (const e of errors) {
      if (e.n === 0) continue
      const p = pooled[e.horizon - 1]
      p.n += e.n
      p.model += e.mae * e.n
      p.persistence += e.persistenceMae * e.n
    }
  }
  return pooled.map((p, h) => ({ horizon: h + 1, n: p.n, mae: p.n ? p.model / p.n : NaN, persistenceMae: p.n ? p.persistence / p.n : NaN }))
}
