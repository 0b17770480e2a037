import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { LogisticRegression } from '../ml/index.js'
import { ModelRegistry } from '../registry/index.js'
import { runPipeline } from '../runtime/index.js'
import { loadServingModel, predictRows, systemPipelines, titanic, type ClassPrediction } from './index.js'
import type { SystemDescription } from './system.js'

const data = { source: { dataDir: DATA_DIR } }

/** A system description picks its model with one factory: here titanic with logistic regression instead of the forest. */
const titanicLogistic: SystemDescription = {
  ...titanic,
  model: { name: 'titanic_logistic', description: 'logistic regression, C = 1', create: () => new LogisticRegression() },
}

describe.each(testDialectNames())('a system trained with LogisticRegression on %s', (dialect) => {
  let db: SqlDialect
  useTestDatabase(dialect, (_tdb, database) => {
    db = database
  })

  it('backfills, trains, registers and serves class probabilities', async () => {
    const run = (which: number) => runPipeline(systemPipelines(titanicLogistic, data)[which], { db, echo: () => {}, sleep: async () => {} })
    expect((await run(0)).ok).toBe(true)
    expect((await run(1)).ok).toBe(true)
    const registry = new ModelRegistry(db)
    const version = await registry.get('titanic_logistic')
    expect(version.metrics.accuracy).toBeGreaterThanOrEqual(0.75)
    expect(JSON.parse(await registry.readArtifactText('titanic_logistic', version.version, 'model.json')).kind).toBe('LogisticRegression')
    const serving = await loadServingModel(new FeatureStore(db), registry, titanicLogistic)
    const [p] = predictRows(serving, [{ pclass: 1, sex: 1, age: 30, sibsp: 0, parch: 0, embarked: 0 }]) as ClassPrediction[]
    expect(p.prediction).toBe('Survived')
    expect(p.probabilities.Survived + p.probabilities.Died).toBeCloseTo(1, 12)
  })
})
