import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { ModelRegistry } from '../../registry/index.js'
import { runPipeline } from '../../runtime/index.js'
import { bootstrapSystem } from '../bootstrap.js'
import { Ridge } from '../../ml/index.js'
import { featurePipeline } from '../pipelines/feature.js'
import { trainingPipeline } from '../pipelines/training.js'
import { airQualitySystem } from './index.js'

const quiet = { echo: () => {}, sleep: async () => {} }

describe.each(testDialectNames())('air quality promotion on %s', (dialect) => {
  let db: SqlDialect
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
  })

  it('judges a version by its 7-day forecast: the fixed model replaces one whose forecast drifts, though its day 1 is worse', async () => {
    const fixed = airQualitySystem()
    // What served before: trained without the pm10/no2-missing copies (better day 1, drifting forecast).
    const drifting = { ...fixed, timeSeries: { ...fixed.timeSeries!, unknownAhead: undefined } }
    await bootstrapSystem(db, drifting, { echo: () => {}, settings: { source: { dataDir: DATA_DIR } } })
    const registry = new ModelRegistry(db)
    const v1 = await registry.get('air_quality_model', 1)
    expect((await runPipeline(trainingPipeline(fixed), { db, ...quiet })).ok).toBe(true)
    const v2 = await registry.get('air_quality_model', 2)
    expect(v2.metrics.rmse).toBeGreaterThan(v1.metrics.rmse) // day 1 alone would have kept v1
    const [decision] = v2.promotions
    expect(decision).toMatchObject({ promoted: true, metric: 'forecast_mae', productionVersion: 1 })
    expect(decision.candidateScore!).toBeLessThan(0.7 * decision.productionScore!)
    expect(decision.evaluationRows).toBeGreaterThan(3000)
    expect(decision.reason).toMatch(/^at least as good: forecast_mae \(mean over horizons 1–7 of the rolling-origin MAE from 2023-11-28\) [\d.]+ vs production v1's [\d.]+ on the same \d+ \(issue day, forecast day\) pairs$/)
    expect((await registry.getByAlias('air_quality_model', 'production')).version).toBe(2)
  })

  it('a model that refuses missing values fails training with the name of the input that has them', async () => {
    const system = airQualitySystem()
    const ridge = { ...system, model: { ...system.model, create: () => new Ridge({ alpha: 1 }) } }
    expect((await runPipeline(featurePipeline(system, { source: { dataDir: DATA_DIR } }), { db, ...quiet })).ok).toBe(true)
    const out = await runPipeline(trainingPipeline(ridge), { db, ...quiet })
    expect(out.ok).toBe(false)
    // the first training row has no reading the day before (NaN); the estimator alone knows the input as column 0
    expect(out.runs.at(-1)!.error).toMatch(/^x\[0\]\[0\] is NaN: feature column 0 \(pm25_lag1\) has a missing value, which this estimator does not accept/)
  })
})
