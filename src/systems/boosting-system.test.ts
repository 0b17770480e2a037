import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { HistGradientBoostingClassifier } from '../ml/index.js'
import { ModelRegistry } from '../registry/index.js'
import { runPipeline } from '../runtime/index.js'
import { systemFeatureGroup, systemPipelines, titanic } from './index.js'
import { loadServingModel, predictRows, type ClassPrediction } from './serving.js'
import type { SystemDescription } from './system.js'

const data = { source: { dataDir: DATA_DIR } }
const quiet = { echo: () => {} }

/** Titanic with its forest swapped for gradient boosting: a system picks any classifier in model.create. */
const boosted: SystemDescription = {
  ...titanic,
  model: { ...titanic.model, name: 'titanic_boosted', create: (seed) => new HistGradientBoostingClassifier({ seed }) },
}

describe.each(testDialectNames())('a system with HistGradientBoostingClassifier on %s', (dialect) => {
  let db: SqlDialect
  useTestDatabase(dialect, async (_opened, database) => {
    db = database
  })

  it('trains, registers, serves and batch-predicts with the booster', async () => {
    const run = (which: 0 | 1 | 2 | 3, scheduledFor?: Date) => runPipeline(systemPipelines(boosted, data)[which], { db, scheduledFor, ...quiet, sleep: async () => {} })
    expect((await run(0, new Date('2026-01-01T00:00:00Z'))).ok).toBe(true)
    expect((await run(1)).ok).toBe(true)
    const fs = new FeatureStore(db)
    const registry = new ModelRegistry(db)
    const version = await registry.get('titanic_boosted')
    expect(version.metrics.accuracy).toBeGreaterThanOrEqual(0.78)
    expect(JSON.parse(await registry.readArtifactText('titanic_boosted', version.version, 'model.json')).kind).toBe('HistGradientBoostingClassifier')
    const serving = await loadServingModel(fs, registry, boosted)
    expect(serving.model).toBeInstanceOf(HistGradientBoostingClassifier)
    const rows = (await (await systemFeatureGroup(fs, boosted)).read()).slice(0, 3)
    const preds = predictRows(serving, rows) as ClassPrediction[]
    for (const p of preds) {
      expect(['Died', 'Survived']).toContain(p.prediction)
      expect(p.probabilities.Died + p.probabilities.Survived).toBeCloseTo(1, 12)
    }
    expect((await run(2, new Date(Date.UTC(2026, 3, 1, 6)))).ok).toBe(true)
    expect((await run(3)).ok).toBe(true)
  })
})
