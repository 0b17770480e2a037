import { afterAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { FeatureStore } from '../../featurestore/index.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { meanAbsoluteError } from '../../ml/index.js'
import { ModelRegistry } from '../../registry/index.js'
import { runPipeline } from '../../runtime/index.js'
import { featureDrift, loadServingModel, predictionsFeatureGroup, predictRows, systemFeatureGroup, systemFeatureView, systemPipelines } from '../../systems/index.js'
import { diabetes, diabetesClinics } from '../../systems/test-support/diabetes.js'
import { createApp } from '../app.js'
import { requestsFeatureGroup } from '../request-log.js'
import { createServices, type WebServices } from '../services.js'

const data = { source: { dataDir: DATA_DIR } }
const quiet = { echo: () => {}, sleep: async () => {} }
/** Response bodies as `any`: the fields checked are asserted below. */
const jsonOf = (res: Response): Promise<any> => res.json()
const patient = { age: 59, sex: 2, bmi: 32.1, bp: 101, s1: 157, s2: 93.2, s3: 38, s4: 4, s5: 4.8598, s6: 87 }
const days = [1, 2, 3].map((d) => new Date(Date.UTC(2026, 3, d, 6)))

// The system contract for a regression system with a composite key (`['sex', 'row']`): every pipeline, the
// API, the pages and drift, on each database.
describe.each(testDialectNames())('a regression system with a composite key on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  let registry: ModelRegistry
  let services: WebServices
  let app: ReturnType<typeof createApp>
  const run = (which: 0 | 1 | 2 | 3, scheduledFor?: Date) => runPipeline(systemPipelines(diabetes, data)[which], { db, scheduledFor, ...quiet })
  const post = (body: unknown) => app.request('/api/diabetes/predict', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })

  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
    registry = new ModelRegistry(db)
    services = createServices(db, { systems: [diabetes, diabetesClinics] })
    app = createApp(services)
  })
  afterAll(() => services.requestLog.close())

  it('backfill → train → daily → batch inference → predict (one row, a batch) → monitor page → drift', async () => {
    expect((await run(0, new Date('2026-03-01T00:00:00Z'))).ok).toBe(true)
    const fg = await systemFeatureGroup(fs, diabetes)
    expect(fg.primaryKey).toEqual(['sex', 'row'])
    expect(await fg.count()).toBe(442)
    // A second backfill matches every row by both key columns: nothing to write.
    expect((await run(0, new Date('2026-03-02T00:00:00Z'))).ok).toBe(true)
    expect((await fg.commits()).length).toBe(1)

    const training = await run(1)
    expect(training.ok).toBe(true)
    const model = await registry.get('diabetes_model')
    expect(Object.keys(model.metrics).sort()).toEqual(['mae', 'r2', 'rmse', 'test_rows', 'train_rows'])
    expect(model.metrics.test_rows).toBe(89)
    expect(model.metrics.r2).toBeGreaterThan(0.3)
    expect(model.metrics.rmse).toBeGreaterThan(model.metrics.mae)
    expect(model.artifacts.map((a) => a.file).sort()).toEqual(['input_example.json', 'model.json', 'predicted_vs_actual.png', 'predicted_vs_actual.svg'])
    const scatter = await registry.readArtifactText('diabetes_model', model.version, 'predicted_vs_actual.svg')
    for (const t of ['Actual (points)', 'Predicted (points)', 'test split (89 rows)']) expect(scatter).toContain(t)
    expect(model.promotions.at(-1)).toMatchObject({ metric: 'rmse', promoted: true })
    // `sex` is both a key column and a model input; `row` only identifies the patient.
    const fv = await systemFeatureView(fs, diabetes)
    expect(fv.inputColumns).toEqual(['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'])

    for (const day of days) {
      expect((await run(2, day)).ok).toBe(true)
      expect((await run(3, new Date(day.getTime() + 15 * 60_000))).ok).toBe(true)
    }
    const added = await fg.read({ since: days[0] })
    expect(added.map((r) => r.row)).toEqual(expect.arrayContaining([443, 444, 445]))
    const predictions = await (await predictionsFeatureGroup(fs, diabetes)).read()
    expect(predictions).toHaveLength(3)
    const serving = await loadServingModel(fs, registry, diabetes)
    for (const p of predictions) {
      const row = added.find((r) => r.sex === p.sex && r.row === p.row)!
      expect(p).toMatchObject({ actual: row.progression, model_version: 1 })
      expect(p).not.toHaveProperty('probability')
      expect(p.predicted).toBeCloseTo(predictRows(serving, [row])[0].prediction as number, 9)
      // An online lookup by the composite key gives the model the same inputs as the batch read.
      expect(await fv.getFeatureVector({ sex: row.sex, row: row.row })).toEqual(Array.from(fv.transformRows([row], serving.trainingDataset).data))
    }

    const one = await post(patient)
    expect(one.status).toBe(200)
    const answer = await jsonOf(one)
    expect(answer).toEqual({ prediction: expect.any(Number), unit: 'points', modelVersion: 1 })
    expect(answer.prediction).toBe(predictRows(serving, [patient])[0].prediction)
    const batch = await jsonOf(await post([patient, { ...patient, sex: 1, bmi: 22 }]))
    expect(batch).toHaveLength(2)
    expect(batch[0]).toEqual(answer)
    const bad = await post({ ...patient, sex: 3 })
    expect(bad.status).toBe(400)
    expect((await jsonOf(bad)).error).toMatch(/sex must be one of 1, 2, got 3/)

    const page = await app.request('/diabetes/monitor')
    expect(page.status).toBe(200)
    const html = await page.text()
    for (const id of ['id="error"', 'id="scatter"', 'id="predicted-over-time"', 'id="drift"', 'Mean absolute error of batch predictions']) expect(html).toContain(id)
    expect(html).not.toContain('Confusion')
    expect(html).toContain('sex, row')

    const monitor = await jsonOf(await app.request('/api/diabetes/monitor'))
    expect(monitor).toMatchObject({ task: 'regression', unit: 'points', accuracyOverTime: [], totals: { predictions: 3, withActual: 3, correct: null, accuracy: null } })
    expect(monitor.errorOverTime.map((p: { day: string }) => p.day)).toEqual(['2026-04-01', '2026-04-02', '2026-04-03'])
    expect(monitor.totals.mae).toBeCloseTo(meanAbsoluteError(predictions.map((p) => p.actual as number), predictions.map((p) => p.predicted as number)), 12)
    expect(Object.keys(monitor.latest.key)).toEqual(['sex', 'row'])

    // The other pages render a regression model too.
    for (const path of ['/', '/models/diabetes_model', '/feature-groups/diabetes_predictions']) expect((await app.request(path)).status, path).toBe(200)
    // The dashboard gives a regression model's test RMSE and MAE, not an accuracy it does not have.
    const dashboard = await (await app.request('/')).text()
    const rmse = (await registry.get('diabetes_model')).metrics.rmse
    expect(dashboard).toContain(`test RMSE ${rmse.toFixed(3)}, MAE `)
    expect(dashboard).toMatch(/<th>Version<\/th><th class="num">RMSE<\/th><th class="num">MAE<\/th>/)
    expect(dashboard).not.toContain('test accuracy –')
    const predictPage = await (await app.request('/diabetes')).text()
    expect(predictPage).toMatch(/id="prediction"[^>]*>[\d.]+<span class="unit"> points<\/span>/)
    // Examples spread over the label's range: the real rows at its 10th, 50th and 90th percentiles.
    const labels = (await fg.read()).map((r) => Number(r.progression)).sort((a, b) => a - b)
    const titles = [...predictPage.matchAll(/<a class="example"[^>]*>([^<]+)<\/a>/g)].map((m) => m[1])
    expect(titles).toEqual([0.1, 0.5, 0.9].map((q) => `progression ${labels[Math.floor(q * labels.length)]} points`))
    // The monitor's recent predictions lead with the outcome; the features come after.
    expect(html).toMatch(/<table id="history" class="stack"><thead><tr><th>Time<\/th><th class="num">Predicted<\/th><th class="num">Actual<\/th><th class="num">Error<\/th><th>Model<\/th><th>sex, row<\/th><th>Features<\/th>/)

    await services.requestLog.flush()
    const requests = await (await requestsFeatureGroup(fs, diabetes)).read()
    expect(requests).toHaveLength(3)
    expect(requests.map((r) => r.predicted)).toEqual([answer.prediction, ...batch.map((b: { prediction: number }) => b.prediction)])
    expect(requests[0]).not.toHaveProperty('probability')

    const drift = await featureDrift(fs, registry, diabetes, { now: new Date('2026-04-03T12:00:00Z'), windowDays: 365 * 10 })
    expect(drift).not.toBeNull()
    expect(drift!.referenceRows).toBe(353)
    expect(drift!.currentRows).toEqual({ features: 3, requests: 3 })
    expect(drift!.features.map((f) => f.column)).toEqual(diabetes.fields.map((f) => f.name))
    expect(drift!.features.every((f) => f.psi !== null && f.status === 'insufficient')).toBe(true)
  })
  it('keys rows by a text and a timestamp column (clinic, date) through every pipeline, lookups, the API and the monitor', async () => {
    const clinics = diabetesClinics
    const step = (which: 0 | 1 | 2 | 3, scheduledFor?: Date) => runPipeline(systemPipelines(clinics, data)[which], { db, scheduledFor, ...quiet })
    expect((await step(0, new Date('2026-03-01T00:00:00Z'))).ok).toBe(true)
    expect((await step(0, new Date('2026-03-02T00:00:00Z'))).ok).toBe(true)
    const fg = await systemFeatureGroup(fs, clinics)
    expect(await fg.count()).toBe(442)
    expect((await fg.commits()).length).toBe(1)
    expect((await step(1)).ok).toBe(true)
    const fv = await systemFeatureView(fs, clinics)
    expect(fv.inputColumns).toEqual(['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'])
    for (const day of days.slice(0, 2)) {
      expect((await step(2, day)).ok).toBe(true)
      expect((await step(3, new Date(day.getTime() + 15 * 60_000))).ok).toBe(true)
    }
    // A synthetic day keeps a real patient's clinic and is dated by its tick.
    const added = await fg.read({ since: days[0] })
    expect(added.map((r) => r.date)).toEqual(days.slice(0, 2))
    expect(added.every((r) => r.clinic === 'north' || r.clinic === 'south')).toBe(true)
    const predictions = await (await predictionsFeatureGroup(fs, clinics)).read()
    expect(predictions.map((p) => [p.clinic, p.date])).toEqual(added.map((r) => [r.clinic, r.date]))
    // Online lookup by the composite key, the timestamp given as UTC text.
    const serving = await loadServingModel(fs, registry, clinics)
    expect(await fv.getFeatureVector({ clinic: 'south', date: '2020-01-02 00:00:00' })).toEqual(
      Array.from(fv.transformRows([(await fg.lookup([{ clinic: 'south', date: new Date('2020-01-02T00:00:00Z') }]))[0]!], serving.trainingDataset).data),
    )

    expect((await jsonOf(await app.request('/api/clinics/predict', { method: 'POST', body: JSON.stringify(patient), headers: { 'content-type': 'application/json' } }))).unit).toBe('points')
    const html = await (await app.request('/clinics/monitor')).text()
    expect(html).toContain('clinic, date')
    expect(html).toContain(`${added[1].clinic}, 2026-04-02 06:00Z`)
    expect(html).toMatch(/clinic [a-z]+, date 2026-04-02T06:00:00Z/)
    const monitor = await jsonOf(await app.request('/api/clinics/monitor'))
    expect(monitor.latest.key).toEqual({ clinic: added[1].clinic, date: '2026-04-02T06:00:00.000Z' })
    const drift = await featureDrift(fs, registry, clinics, { now: new Date('2026-04-03T12:00:00Z') })
    expect(drift!.currentRows.features).toBe(2)
  })
})
