import type { Row } from '../../featurestore/index.js'
import { definePipeline, type Pipeline } from '../../runtime/index.js'
import { predictionsFeatureGroup, systemFeatureGroup } from '../feature-groups.js'
import { recursiveForecast } from '../forecast.js'
import { loadServingModel, predictRows } from '../serving.js'
import type { SystemDescription } from '../system.js'
import { forecastInputs, groupBySeries, seriesColumns, seriesKeyOf, timeSeriesOf, windowsFeatureGroup } from '../time-series.js'
import { plural } from '../../support/plural.js'

const DAY_MS = 86_400_000
const dayText = (d: Date) => d.toISOString().slice(0, 10)

/**
 * A time series' batch inference: for each series, forecasts the `horizon` days after its newest reading
 * recursively (`recursiveForecast`: each forecast day feeds the next day's window features) and stores every day
 * with its issue day and horizon in `<system>_predictions`; then makes the one-day-ahead hindcasts still missing
 * for the measured days of the last `hindcastDays` (from each day's stored window row, i.e. what was known the
 * evening before), so the monitor can set forecasts against measurements from the first day. One commit; a rerun
 * on the same data writes the same rows again (keys: series, day, horizon).
 */
export function forecastPipeline(system: SystemDescription): Pipeline {
  const t = timeSeriesOf(system)
  return definePipeline({
    name: `${system.name}-batch-inference`,
    description: `Forecast ${system.label.column} ${t.horizon} days ahead with ${system.model.name} into ${system.name}_predictions, with one-day-ahead hindcasts`,
    schedule: system.schedules.batchInference,
    retries: 2,
    backoffMs: 5_000,
    timeoutMs: 5 * 60_000,
    async run(ctx) {
      const at = ctx.scheduledFor ?? new Date()
      const serving = await loadServingModel(ctx.featureStore, ctx.registry, system)
      const version = serving.version.version
      const predict = (rows: readonly Row[]) => Float64Array.from(predictRows(serving, rows), (p) => p.prediction as number)
      const day = system.featureGroup.eventTime
      const label = system.label.column
      const series = seriesColumns(system)
      const keyOf = seriesKeyOf(system)
      const readings = await (await systemFeatureGroup(ctx.featureStore, system)).read()
      const predictions = await predictionsFeatureGroup(ctx.featureStore, system)
      const done = new Set((await predictions.read()).filter((p) => p.horizon === 1).map((p) => `${keyOf(p)}|${(p[day] as Date).getTime()}`))
      const windows = await windowsFeatureGroup(ctx.featureStore, system)
      const out: Row[] = []
      for (const { id: k, key, rows } of groupBySeries(system, readings)) {
        const issued = new Date(Math.max(...rows.map((r) => (r[day] as Date).getTime())))
        const steps = recursiveForecast({
          history: rows,
          time: day,
          label,
          issued,
          horizon: t.horizon,
          features: forecastInputs(system, key),
          predict,
        })
        for (const s of steps) out.push({ ...key, [day]: s.date, horizon: s.horizon, ts: at, issued, predicted: s.predicted, kind: 'forecast', model_version: version })
        ctx.log.info(`${k}: issued ${dayText(issued)}, ${steps.map((s) => `${dayText(s.date)} ${s.predicted.toFixed(1)}`).join(', ')}`)

        // Hindcasts: measured days of the window that have no one-day-ahead forecast yet.
        const from = issued.getTime() - (t.hindcastDays - 1) * DAY_MS
        const missing = rows.filter((r) => r[label] !== null && (r[day] as Date).getTime() >= from && !done.has(`${k}|${(r[day] as Date).getTime()}`))
        if (missing.length === 0) continue
        const found = await windows.lookup(missing.map((r) => Object.fromEntries([...series, day].map((c) => [c, r[c]]))))
        const known = missing.flatMap((r, i) => (found[i] ? [{ reading: r, window: found[i]! }] : []))
        if (known.length === 0) continue
        const values = predict(known.map((w) => w.window))
        let abs = 0
        known.forEach(({ reading }, i) => {
          const d = reading[day] as Date
          out.push({ ...key, [day]: d, horizon: 1, ts: at, issued: new Date(d.getTime() - DAY_MS), predicted: values[i], kind: 'hindcast', model_version: version })
          abs += Math.abs(values[i] - (reading[label] as number))
        })
        ctx.log.info(`${k}: ${plural(known.length, 'one-day-ahead hindcast')} of measured days, MAE ${(abs / known.length).toFixed(2)}`)
      }
      if (out.length === 0) {
        ctx.log.info(`no readings in ${system.featureGroup.name}: nothing to forecast`)
        return
      }
      const commit = await predictions.insert(out, { source: ctx.pipeline })
      ctx.log.info(`${system.model.name} v${version}: ${plural(out.length, 'forecast row')} as commit ${commit.id}`)
      ctx.reportRows(out.length)
    },
  })
}
