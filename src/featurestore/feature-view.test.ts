import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { csvToRows, inferCsvSchema, readCsvFile } from './csv.js'
import { FeatureStore } from './feature-store.js'
import type { FeatureGroup } from './feature-group.js'
import { IRIS_CSV } from './test-support/data.js'

describe.each(testDialectNames())('feature view on %s', (dialect) => {
  let tdb: TestDatabase
  let fs: FeatureStore
  let fg: FeatureGroup
  beforeAll(async () => {
    tdb = createTestDatabase(dialect)
    fs = new FeatureStore(await tdb.open())
    const table = readCsvFile(IRIS_CSV)
    const rows = csvToRows(table, inferCsvSchema(table)).map((r, i) => ({ id: i, ts: new Date(Date.UTC(2026, 0, 1) + i * 60_000), ...r }))
    fg = await fs.getOrCreateFeatureGroup({
      name: 'iris',
      primaryKey: ['id'],
      eventTime: 'ts',
      schema: [{ name: 'id', type: 'int' }, { name: 'ts', type: 'timestamp' }, ...inferCsvSchema(table)],
    })
    await fg.insert(rows)
  })
  afterAll(async () => {
    await fs.close()
    await tdb.drop()
  })

  it('splits 80/20 reproducibly to the row and records the training dataset with its commit', async () => {
    const fv = await fs.getOrCreateFeatureView({ name: 'iris_plain', query: fg.selectExcept(['id']), labels: ['variety'] })
    expect(fv.inputColumns).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width'])
    const a = await fv.trainTestSplit({ testSize: 0.2, seed: 7 })
    const b = await fv.trainTestSplit({ testSize: 0.2, seed: 7 })
    expect(a.xTrain.nRows).toBe(120)
    expect(a.xTest.nRows).toBe(30)
    expect(a.xTrain.nCols).toBe(4)
    expect(Array.from(a.testIndex)).toEqual(Array.from(b.testIndex))
    expect(Array.from(a.xTrain.data)).toEqual(Array.from(b.xTrain.data))
    expect(a.yTest).toEqual(b.yTest)
    expect(new Set(a.yTrain as string[])).toEqual(new Set(['Setosa', 'Versicolor', 'Virginica']))
    const c = await fv.trainTestSplit({ testSize: 0.2, seed: 8 })
    expect(Array.from(c.testIndex)).not.toEqual(Array.from(a.testIndex))
    expect(a.trainingDataset.version).toBe(1)
    expect(b.trainingDataset.version).toBe(2)
    expect(a.trainingDataset.commitId).toBe((await fg.latestCommit())!.id)
    const again = await fv.getTrainTestSplit(1)
    expect(Array.from(again.xTest.data)).toEqual(Array.from(a.xTest.data))
  })

  it('reads the split as of its commit even after the group changed', async () => {
    const fv = await fs.getOrCreateFeatureView({ name: 'iris_asof', query: fg.selectExcept(['id']), labels: ['variety'] })
    const first = await fv.trainTestSplit({ seed: 1 })
    const g2 = await fs.getOrCreateFeatureGroup({ name: 'iris', primaryKey: ['id'] })
    await g2.insert([{ id: 0, ts: new Date(Date.UTC(2026, 0, 1)), sepal_length: 9.9, sepal_width: 1, petal_length: 1, petal_width: 1, variety: 'Setosa' }])
    const replay = await fv.getTrainTestSplit(first.trainingDataset.version)
    expect(Array.from(replay.xTrain.data)).toEqual(Array.from(first.xTrain.data))
    const fresh = await fv.trainTestSplit({ seed: 1 })
    expect(Array.from(fresh.xTrain.data)).not.toEqual(Array.from(first.xTrain.data))
  })

  it('stratifies by label', async () => {
    const fv = await fs.getOrCreateFeatureView({ name: 'iris_strat', query: fg.selectExcept(['id']), labels: ['variety'] })
    const s = await fv.trainTestSplit({ testSize: 0.2, seed: 3, stratify: true })
    const counts: Record<string, number> = {}
    for (const y of s.yTest as string[]) counts[y] = (counts[y] ?? 0) + 1
    expect(counts).toEqual({ Setosa: 10, Versicolor: 10, Virginica: 10 })
  })

  it('fits transformations on the training split only and applies them identically at inference', async () => {
    const fv = await fs.getOrCreateFeatureView({
      name: 'iris_tf',
      query: fg.selectExcept(['id']),
      labels: ['variety'],
      transformations: { sepal_length: 'min_max_scaler', sepal_width: 'standard_scaler', variety: 'label_encoder' },
    })
    const s = await fv.trainTestSplit({ seed: 5 })
    const fitted = s.trainingDataset.fitted
    expect(fitted.variety).toEqual({ kind: 'label_encoder', classes: ['Setosa', 'Versicolor', 'Virginica'] })
    const col = (m: typeof s.xTrain, j: number) => Array.from({ length: m.nRows }, (_, i) => m.data[i * m.nCols + j])
    const trainSl = col(s.xTrain, 0)
    expect(Math.min(...trainSl)).toBe(0)
    expect(Math.max(...trainSl)).toBe(1)
    const sw = col(s.xTrain, 1)
    const mean = sw.reduce((a, b) => a + b, 0) / sw.length
    expect(mean).toBeCloseTo(0, 10)
    expect(Math.sqrt(sw.reduce((a, b) => a + (b - mean) ** 2, 0) / sw.length)).toBeCloseTo(1, 10)
    expect(new Set(Array.from(s.yTrain as Float64Array))).toEqual(new Set([0, 1, 2]))

    const batch = await fv.getBatchData({ since: new Date(Date.UTC(2026, 0, 1) + 148 * 60_000) })
    expect(batch.x.nRows).toBe(2)
    const raw = await fg.lookup(batch.keys)
    const online = await fv.getFeatureVector(batch.keys[0])
    expect(online).toEqual(Array.from(batch.x.data.subarray(0, 4)))
    const mm = fitted.sepal_length as { min: number; max: number }
    expect(online[0]).toBeCloseTo(((raw[0]!.sepal_length as number) - mm.min) / (mm.max - mm.min), 12)
    expect(batch.y).toEqual(['Virginica', 'Virginica'])
  })

  it('one-hot encodes text features into named columns', async () => {
    const fv = await fs.getOrCreateFeatureView({
      name: 'iris_onehot',
      query: fg.select(['sepal_length', 'variety']),
      labels: [],
      transformations: { variety: 'one_hot_encoder' },
    })
    const batch = await fv.trainTestSplit({ seed: 2 }).then(() => fv.getBatchData())
    expect(batch.featureNames).toEqual(['sepal_length', 'variety_Setosa', 'variety_Versicolor', 'variety_Virginica'])
    expect(batch.x.nCols).toBe(4)
    for (let i = 0; i < batch.x.nRows; i++) expect(batch.x.data[i * 4 + 1] + batch.x.data[i * 4 + 2] + batch.x.data[i * 4 + 3]).toBe(1)
  })

  it('refuses a text feature without an encoder, bad split options, and views on unknown columns', async () => {
    const fv = await fs.getOrCreateFeatureView({ name: 'iris_text', query: fg.select(['sepal_length', 'variety']), labels: [] })
    await expect(fv.trainTestSplit()).rejects.toThrow(/column "variety": text value "[A-Za-z]+" needs a label_encoder or one_hot_encoder/)
    const ok = await fs.getOrCreateFeatureView({ name: 'iris_opts', query: fg.selectExcept(['id']), labels: ['variety'] })
    await expect(ok.trainTestSplit({ testSize: 1.5 })).rejects.toThrow(/column "testSize": must be between 0 and 1/)
    expect(() => fg.select(['nope'])).toThrow(/column "nope": no such column/)
    await expect(fs.getOrCreateFeatureView({ name: 'bad_label', query: fg.select(['sepal_length']), labels: ['variety'] })).rejects.toThrow(
      /column "variety": label is not among the selected features/,
    )
    await expect(ok.getBatchData({ trainingDatasetVersion: 99 })).rejects.toThrow(/has no training dataset 99/)
  })

  it('lists views', async () => {
    const names = (await fs.listFeatureViews()).map((v) => v.name)
    expect(names).toContain('iris_plain')
  })
})
