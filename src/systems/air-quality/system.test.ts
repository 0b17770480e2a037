import { afterAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { FeatureStore } from '../../featurestore/index.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { ModelRegistry } from '../../registry/index.js'
import { runPipeline } from '../../runtime/index.js'
import { bootstrapSystem } from '../bootstrap.js'
import { predictionsFeatureGroup, systemFeatureGroup } from '../feature-groups.js'
import { monitorData } from '../monitor.js'
import { dailyPipeline } from '../pipelines/daily.js'
import { forecastPipeline } from '../pipelines/forecast.js'
import { loadServingModel, predictRows } from '../serving.js'
import { forecastInputs, windowsFeatureGroup } from '../time-series.js'
import { forecastBacktest } from '../backtest.js'
import { featureDrift } from '../drift.js'
import { createApp, createServices, type WebServices } from '../../web/index.js'
import { exportSite } from '../../web/site/index.js'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { airQualitySystem, STATION } from './index.js'

const quiet = { echo: () => {}, sleep: async () => {} }
const settings = { source: { dataDir: DATA_DIR } }
const day = (iso: string) => new Date(`${iso}T00:00:00Z`)
const tick = (d: number, hour = 6) => new Date(Date.UTC(2026, 3, d, hour))

describe.each(testDialectNames())('the air quality system on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  let registry: ModelRegistry
  let services: WebServices | undefined
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
    registry = new ModelRegistry(db)
  })
  afterAll(() => services?.requestLog.close())

  it('backfills, trains on a time split beating persistence, forecasts 7 days with hindcasts, replays held-back days and monitors', async () => {
    const system = airQualitySystem()
    await bootstrapSystem(db, system, { echo: () => {}, settings })

    // Training: the last 20% of days, the model's MAE well under persistence's on the same rows.
    const model = await registry.get('air_quality_model')
    expect(model.metrics.persistence_mae).toBeGreaterThan(0)
    expect(model.metrics.mae_vs_persistence).toBeLessThanOrEqual(0.75)
    expect(model.metrics.mae).toBeLessThan(model.metrics.persistence_mae)
    expect(model.schema).toMatchObject({ inputs: ['pm25_lag1', 'pm25_lag2', 'pm25_lag3', 'pm25_mean7', 'pm10_lag1', 'no2_lag1', 'day_of_week', 'month'], task: 'regression' })

    // The 7-day recursive forecast, rolling origin over the test period: below persistence at every horizon
    // (measured 0.69–0.91× persistence, bench/README.md; trained without the unknown-ahead copies it drifted to 1.8×).
    const errors = await forecastBacktest(fs, registry, system)
    expect(errors.map((e) => e.horizon)).toEqual([1, 2, 3, 4, 5, 6, 7])
    for (const e of errors) {
      expect(e.n).toBeGreaterThan(400)
      expect(e.mae, `horizon ${e.horizon}: forecast MAE ${e.mae} vs persistence ${e.persistenceMae}`).toBeLessThan(e.persistenceMae)
    }
    expect(errors[0].mae / errors[0].persistenceMae).toBeLessThan(0.75)

    // No training/serving skew: a forecast day's inputs (forecastInputs over the readings before it) are the window
    // row training read for that day.
    const stored = (await (await windowsFeatureGroup(fs, system)).read()).filter((w) => (w.date as Date) >= day('2025-03-01'))
    const history = await (await systemFeatureGroup(fs, system)).read()
    const inputs = forecastInputs(system, { station: STATION })
    for (const w of stored) {
      const computed = inputs(history.filter((r) => (r.date as Date) < (w.date as Date)), w.date as Date)
      expect(Object.fromEntries(system.fields.map((f) => [f.name, computed[f.name]]))).toEqual(Object.fromEntries(system.fields.map((f) => [f.name, w[f.name]])))
    }
    expect(stored.length).toBeGreaterThan(80)

    // Batch inference: the 7 days after the newest reading (2025-05-31), recursively, and 60 days of hindcasts.
    expect((await runPipeline(forecastPipeline(system), { db, scheduledFor: tick(1, 6), ...quiet })).ok).toBe(true)
    const predictions = await predictionsFeatureGroup(fs, system)
    let rows = await predictions.read()
    const forecasts = rows.filter((r) => r.kind === 'forecast')
    expect(forecasts.map((r) => [(r.date as Date).toISOString().slice(0, 10), r.horizon])).toEqual([1, 2, 3, 4, 5, 6, 7].map((h) => [`2025-06-0${h}`, h]))
    expect(forecasts.every((r) => (r.issued as Date).getTime() === day('2025-05-31').getTime() && r.station === STATION)).toBe(true)
    const hindcasts = rows.filter((r) => r.kind === 'hindcast')
    expect(hindcasts.length).toBeGreaterThan(50)
    expect(hindcasts.every((r) => r.horizon === 1 && (r.date as Date) <= day('2025-05-31') && (r.date as Date) > day('2025-04-01'))).toBe(true)

    // The same rows through the predict path (a stored window row) give the same value as the forecast's day 1.
    const serving = await loadServingModel(fs, registry, system)
    const [window] = await (await windowsFeatureGroup(fs, system)).lookup([{ station: STATION, date: day('2025-06-01') }])
    expect(predictRows(serving, [window!])[0].prediction).toBeCloseTo(forecasts[0].predicted as number, 9)

    // Three daily replays release 2025-06-01 … 06-03; a batch after each forecasts from the newest day.
    for (const d of [1, 2, 3]) {
      const daily = await runPipeline(dailyPipeline(system, settings), { db, scheduledFor: tick(d + 1, 6), ...quiet })
      expect(daily.ok).toBe(true)
      expect(daily.runs.at(-1)!.rowsWritten).toBe(2) // one reading, one window day
      expect((await runPipeline(forecastPipeline(system), { db, scheduledFor: tick(d + 1, 7), ...quiet })).ok).toBe(true)
    }
    const readings = await systemFeatureGroup(fs, system)
    expect(await readings.count()).toBe(2774 - 59 + 3)
    expect(await fs.sourcePosition(system.name)).toMatchObject({ position: '2025-06-03' })
    rows = await predictions.read()
    expect(rows.filter((r) => r.kind === 'forecast' && (r.issued as Date).getTime() === day('2025-06-03').getTime())).toHaveLength(7)

    const readingsByDay = new Map((await readings.read()).map((r) => [(r.date as Date).getTime(), r.pm25 as number]))
    const monitor = await monitorData(fs, registry, system)
    const f = monitor.forecast!
    expect(f.latest).toHaveLength(1)
    expect(f.latest[0].issued).toEqual(day('2025-06-03'))
    expect(f.latest[0].days.map((d) => d.horizon)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(f.latest[0].days.every((d) => d.band !== null && ['Good', 'Moderate'].includes(d.band.name))).toBe(true)
    // Forecasts issued 05-31 … 06-02 for 06-01 … 06-03 have been measured: horizons 1–3 have errors, 4–7 none yet.
    expect(f.maeByHorizon.map((h) => h.forecasts)).toEqual([3, 2, 1, 0, 0, 0, 0])
    expect(f.maeByHorizon[3].mae).toBeNull()
    // Persistence beside each horizon: the issue day's measured value, on the same forecasts (all issue days measured).
    expect(f.maeByHorizon.map((h) => h.persistenceForecasts)).toEqual([3, 2, 1, 0, 0, 0, 0])
    const june = (d: number) => readingsByDay.get(day(`2025-06-0${d}`).getTime())!
    const may31 = readingsByDay.get(day('2025-05-31').getTime())!
    expect(f.maeByHorizon[2].persistenceMae).toBeCloseTo(Math.abs(may31 - june(3)), 9)
    expect(f.maeByHorizon[0].persistenceMae).toBeCloseTo((Math.abs(may31 - june(1)) + Math.abs(june(1) - june(2)) + Math.abs(june(2) - june(3))) / 3, 9)
    expect(f.maeByHorizon[4].persistenceMae).toBeNull()
    expect(f.hindcast.at(-1)).toMatchObject({ date: day('2025-06-03'), kind: 'forecast' })
    expect(f.hindcast.at(-1)!.actual).not.toBeNull()
    expect(f.hindcast.length).toBeLessThanOrEqual(60)
    expect(monitor.totals.withActual).toBeGreaterThan(50)

    // The predict API takes the window features as fields (choice values for day and month); the monitor page shows
    // the forecast with each day's band, the hindcast and the error by horizon; drift reads the joined inputs.
    services = createServices(db, { systems: [system] })
    const app = createApp(services)
    const input = Object.fromEntries(system.fields.map((f) => [f.name, f.default]))
    const res = await app.request('/api/air_quality/predict', { method: 'POST', body: JSON.stringify(input), headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    const answer = (await res.json()) as { prediction: number; unit: string }
    expect(answer.unit).toBe('AQI')
    expect(answer.prediction).toBeGreaterThan(5)
    // A lag that is not known may be null or left out (the booster routes it as missing), as the OpenAPI says;
    // the value is the model's own for that row with NaN there.
    const { pm10_lag1: _p, ...noPm10 } = input
    const unknown = await app.request('/api/air_quality/predict', { method: 'POST', body: JSON.stringify([{ ...noPm10, no2_lag1: null }]), headers: { 'content-type': 'application/json' } })
    expect(unknown.status).toBe(200)
    const [partial] = (await unknown.json()) as { prediction: number }[]
    const row = { ...Object.fromEntries(system.fields.map((f) => [f.name, f.kind === 'choice' ? f.choices.find((c) => c.value === f.default)!.code : f.default])), pm10_lag1: null, no2_lag1: null }
    expect(partial.prediction).toBeCloseTo(predictRows(serving, [row])[0].prediction as number, 9)
    const nan = await app.request('/api/air_quality/predict', { method: 'POST', body: JSON.stringify({ ...input, no2_lag1: 'NaN' }), headers: { 'content-type': 'application/json' } })
    expect(nan.status).toBe(400)
    expect(((await nan.json()) as { error: string }).error).toContain('no2_lag1 must be a number, got "NaN"')
    const openapi = JSON.stringify(await (await app.request('/openapi.json')).json())
    expect(openapi).toContain('PM10 yesterday (AQI), 0–500; null or left out when not known')
    const page = await app.request('/air_quality/monitor')
    expect(page.status).toBe(200)
    const html = await page.text()
    for (const t of ['id="forecast"', 'id="hindcast"', 'id="mae-by-horizon"', 'data-band="', 'Forecast: the 7 days after 2025-06-03', 'forecast 1 day ahead', 'measured', 'Persistence MAE (same as the issue day)']) expect(html).toContain(t)
    // The headline error says it is the one-day-ahead one (the other horizons are in the table).
    expect(html).toMatch(/<span id="mae">[^<]*<\/span><\/b><span>one-day-ahead MAE over \d+ measured days/)
    expect(html).toContain('Mean absolute error of one-day-ahead forecasts and hindcasts')
    // The static site carries the forecast and hindcast charts as files beside the monitor page.
    const site = await exportSite(services, { out: mkdtempSync(join(tmpdir(), 'sml-aq-site-')), now: tick(5).getTime() })
    const files = site.files.map((f) => f.path)
    for (const f of ['air_quality/monitor.html', 'air_quality/charts/forecast.svg', 'air_quality/charts/forecast.png', 'air_quality/charts/hindcast.svg']) expect(files).toContain(f)
    expect(readFileSync(join(site.out, 'air_quality/charts/forecast.svg'), 'utf8')).toContain('Forecast issued after 2025-06-03')
    const drift = await featureDrift(fs, registry, system, { now: tick(5), windowDays: 3650 })
    expect(drift!.features.map((x) => x.column)).toEqual(system.fields.map((x) => x.name))
  })
})
