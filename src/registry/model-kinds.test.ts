import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  isClassifier,
  KNeighborsClassifier,
  KNeighborsRegressor,
  LinearRegression,
  loadModel,
  LogisticRegression,
  RandomForestClassifier,
  RandomForestRegressor,
  Ridge,
  type Estimator,
} from '../ml/index.js'
import { ARTIFACT_FILES } from './types.js'
import { ModelRegistry } from './model-registry.js'

/** Every estimator kind loadModel knows, with a small fit: each must survive the registry byte for byte. */
const x = Array.from({ length: 60 }, (_, i) => [((i * 37) % 101) / 10, ((i * 53) % 97) / 10, i % 3])
const yClass = x.map((r) => (r[0] + r[1] > 10 ? 'high' : 'low'))
const yValue = x.map((r) => 2 * r[0] - r[1] + 0.5 * r[2])
const MODELS: Record<string, () => Estimator> = {
  KNeighborsClassifier: () => new KNeighborsClassifier().fit(x, yClass),
  DecisionTreeClassifier: () => new DecisionTreeClassifier({ maxDepth: 3 }).fit(x, yClass),
  RandomForestClassifier: () => new RandomForestClassifier({ nEstimators: 5, nJobs: 1 }).fit(x, yClass),
  LogisticRegression: () => new LogisticRegression().fit(x, yClass),
  KNeighborsRegressor: () => new KNeighborsRegressor().fit(x, yValue),
  DecisionTreeRegressor: () => new DecisionTreeRegressor().fit(x, yValue),
  RandomForestRegressor: () => new RandomForestRegressor({ nEstimators: 5, nJobs: 1 }).fit(x, yValue),
  LinearRegression: () => new LinearRegression().fit(x, yValue),
  Ridge: () => new Ridge({ alpha: 0.5 }).fit(x, yValue),
}

describe.each(testDialectNames())('every estimator kind through the model registry on %s', (dialect) => {
  let registry: ModelRegistry
  useTestDatabase(dialect, (_tdb, db: SqlDialect) => {
    registry = new ModelRegistry(db)
  })

  for (const [kind, make] of Object.entries(MODELS)) {
    it(`${kind} is stored as model.json and loads back to identical predictions`, async () => {
      const model = make()
      const name = `kind_${kind.toLowerCase()}`
      const v = await registry.create({ name, metrics: { score: 1 }, model })
      const back = loadModel(await registry.readArtifactText(name, v.version, ARTIFACT_FILES.model))
      expect(back.toJSON().kind).toBe(kind)
      expect(back.constructor).toBe(model.constructor)
      expect(isClassifier(back)).toBe(isClassifier(model))
      if (isClassifier(back) && isClassifier(model)) expect(Array.from(back.predictProba(x))).toEqual(Array.from(model.predictProba(x)))
      else expect(Array.from(back.predict(x) as Float64Array)).toEqual(Array.from(model.predict(x) as Float64Array))
    })
  }
})
