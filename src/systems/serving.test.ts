import { describe, expect, it } from 'vitest'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from '../featurestore/index.js'
import { KNeighborsClassifier, type Label } from '../ml/index.js'
import type { ModelVersion } from '../registry/index.js'
import { iris } from './iris/index.js'
import { predictRows, type ClassPrediction } from './serving.js'

describe.each(testDialectNames())('serving on %s', (dialect) => {
  let fs: FeatureStore
  useTestDatabase(dialect, (_tdb, db) => {
    fs = new FeatureStore(db)
  })

  it('names the class of a model trained on a label_encoder label, as the training dataset encoded it', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'flowers', primaryKey: ['id'], schema: [{ name: 'id', type: 'int' }, { name: 'petal_length', type: 'float' }, { name: 'variety', type: 'string' }] })
    const varieties = ['Setosa', 'Versicolor', 'Virginica']
    await fg.insert(Array.from({ length: 30 }, (_, id) => ({ id, petal_length: 1 + 2 * (id % 3) + (id % 5) / 10, variety: varieties[id % 3] })))
    const featureView = await fs.getOrCreateFeatureView({ name: 'flowers', query: fg.selectExcept(['id']), labels: ['variety'], transformations: { variety: 'label_encoder' } })
    const split = await featureView.trainTestSplit({ seed: 1 })
    const model = new KNeighborsClassifier({ nNeighbors: 3 }).fit(split.xTrain, split.yTrain as ArrayLike<Label>)
    expect(model.classes_).toEqual([0, 1, 2])
    const serving = { system: { ...iris, label: { ...iris.label, column: 'variety' } }, version: { version: 1 } as ModelVersion, model, featureView, trainingDataset: split.trainingDataset }
    const [setosa, virginica] = predictRows(serving, [{ petal_length: 1.1 }, { petal_length: 5.2 }]) as ClassPrediction[]
    expect(setosa.prediction).toBe('Setosa')
    expect(virginica.prediction).toBe('Virginica')
    expect(virginica.probabilities).toEqual({ Setosa: 0, Versicolor: 0, Virginica: 1 })
  })
})
