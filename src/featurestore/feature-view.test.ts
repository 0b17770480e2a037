import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDialectNames, useTestDatabase, type TestDatabase } from '../db/test-support/dialects.js'
import { ValidationError } from '../db/index.js'
import { Random } from '../ml/random.js'
import { csvToRows, inferCsvSchema, readCsvFile } from './csv.js'
import { FeatureStore } from './feature-store.js'
import type { ColumnBatch, FeatureGroup } from './feature-group.js'
import { approximateMode, splitIndices } from './feature-view.js'
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

  it('refuses a split or read as of a commit that does not exist yet, recording nothing (it would not replay)', async () => {
    const fv = await fs.getOrCreateFeatureView({ name: 'iris_future', query: fg.selectExcept(['id']), labels: ['variety'] })
    const latest = (await fg.latestCommit())!.id
    const future = latest + 1000
    await expect(fv.trainTestSplit({ seed: 1, asOf: future })).rejects.toThrow(ValidationError)
    await expect(fv.trainTestSplit({ seed: 1, asOf: future })).rejects.toThrow(new RegExp(`asOf: commit ${future} does not exist yet \\(the store's latest commit is \\d+\\)`))
    expect(await fv.trainingDatasets()).toEqual([])
    for (const read of [() => fg.read({ asOf: future }), () => fg.readColumns(['sepal_length'], { asOf: future }), () => fg.count({ asOf: future }), () => fg.statistics({ asOf: future }), () => fv.readColumns(['sepal_length'], { asOf: future })])
      await expect(read()).rejects.toThrow(/asOf: commit \d+ does not exist yet/)
    // the latest commit, and an earlier point in time, are readable as ever
    expect((await fv.trainTestSplit({ seed: 1, asOf: latest })).trainingDataset.commitId).toBe(latest)
    expect(await fg.count({ asOf: latest })).toBe(150)
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
    await expect(fv.trainTestSplit()).rejects.toThrow(/column "variety": text column needs a label_encoder or one_hot_encoder/)
    // Refused before anything was recorded: there is no training dataset v1 that could never be re-read.
    expect(await fv.trainingDatasets()).toEqual([])
    await expect(fv.getBatchData()).rejects.toThrow(/has no training dataset yet/)
    const scaled = await fs.getOrCreateFeatureView({ name: 'iris_text_scaled', query: fg.select(['sepal_length', 'variety']), labels: [], transformations: { variety: 'standard_scaler' } })
    await expect(scaled.trainTestSplit()).rejects.toThrow(/column "variety": text column needs a label_encoder or one_hot_encoder transformation to be a model input \(standard_scaler needs numbers\)/)
    expect(await scaled.trainingDatasets()).toEqual([])
    const ok = await fs.getOrCreateFeatureView({ name: 'iris_opts', query: fg.selectExcept(['id']), labels: ['variety'] })
    await expect(ok.trainTestSplit({ testSize: 1.5 })).rejects.toThrow(/testSize: must be between 0 and 1/)
    await expect(ok.trainTestSplit({ testSize: 30 })).rejects.toThrow(/testSize: must be between 0 and 1 \(exclusive\), got 30 \(a fraction of the rows, not a number of rows\)/)
    await expect(ok.trainTestSplit({ asOf: 1.5, seed: 0.5 })).rejects.toThrow(/seed: must be an integer, got 0.5; asOf: must be a commit id \(a positive integer\), got 1.5/)
    await expect(ok.trainTestSplit({ testSize: 0 })).rejects.toThrow(/testSize: must be between 0 and 1 \(exclusive\), got 0$/)
    const unlabelled = await fs.getOrCreateFeatureView({ name: 'iris_nolabel', query: fg.select(['sepal_length']), labels: [] })
    await expect(unlabelled.trainTestSplit({ stratify: true })).rejects.toThrow(/stratify: needs a label, and feature view iris_nolabel v1 has none/)
    expect(await ok.trainingDatasets()).toEqual([])
    expect(await unlabelled.trainingDatasets()).toEqual([])
    expect(() => fg.select(['nope'])).toThrow(/column "nope": no such column/)
    await expect(fs.getOrCreateFeatureView({ name: 'bad_label', query: fg.select(['sepal_length']), labels: ['variety'] })).rejects.toThrow(
      /column "variety": label is not among the selected features \(the query leaves it out\)/,
    )
    await expect(fs.getOrCreateFeatureView({ name: 'bad_label', query: fg.select(['sepal_length']), labels: ['varietyy'], transformations: { sepal_width: 'standard_scaler', petal: 'min_max_scaler' } })).rejects.toThrow(
      /column "varietyy": label is not a column of iris v1; column "sepal_width": transformation on a column the query leaves out; column "petal": transformation on a column iris v1 does not have/,
    )
    await expect(ok.getBatchData({ trainingDatasetVersion: 99 })).rejects.toThrow(/has no training dataset 99/)
  })

  it('lists views', async () => {
    const names = (await fs.listFeatureViews()).map((v) => v.name)
    expect(names).toContain('iris_plain')
  })
})

// Sizes as scikit-learn 1.2.1 makes them, kept as literals from
// /usr/bin/python3 -c 'from sklearn.model_selection import train_test_split; …(np.arange(n), test_size=t, random_state=0)'
// and the same with stratify=y for y = 7 × "a", 5 × "b", 3 × "c".
describe.each(testDialectNames())('train/test split sizes on %s', (dialect) => {
  let fs: FeatureStore
  let fg: FeatureGroup
  const labels = [...Array(7).fill('a'), ...Array(5).fill('b'), ...Array(3).fill('c')] as string[]
  useTestDatabase(dialect, async (_tdb, db) => {
    fs = new FeatureStore(db)
    fg = await fs.getOrCreateFeatureGroup({ name: 'sizes', primaryKey: ['id'], schema: [{ name: 'id', type: 'int' }, { name: 'x', type: 'float' }, { name: 'y', type: 'string' }] })
    await fg.insert(labels.map((y, id) => ({ id, x: id / 10, y })))
  })
  const testCounts = (s: { yTest: ArrayLike<unknown> }) => {
    const counts: Record<string, number> = {}
    for (const y of Array.from(s.yTest) as string[]) counts[y] = (counts[y] ?? 0) + 1
    return counts
  }

  it('holds out ceil(testSize × n) rows, per label value as StratifiedShuffleSplit allots them', async () => {
    const fv = await fs.getOrCreateFeatureView({ name: 'sizes', query: fg.selectExcept(['id']), labels: ['y'] })
    for (const [testSize, nTrain, nTest] of [[0.7, 4, 11], [0.2, 12, 3], [0.5, 7, 8], [0.3, 10, 5], [0.9, 1, 14]]) {
      const s = await fv.trainTestSplit({ testSize, seed: 1 })
      expect([s.xTrain.nRows, s.xTest.nRows, s.trainingDataset.trainRows, s.trainingDataset.testRows]).toEqual([nTrain, nTest, nTrain, nTest])
    }
    for (const [testSize, nTrain, nTest, counts] of [
      [0.5, 7, 8, { a: 4, b: 3, c: 1 }],
      [0.3, 10, 5, { a: 2, b: 2, c: 1 }],
      [0.2, 12, 3, { a: 1, b: 1, c: 1 }],
    ] as const) {
      for (const seed of [0, 1, 2]) {
        const s = await fv.trainTestSplit({ testSize, seed, stratify: true })
        expect([s.xTrain.nRows, s.xTest.nRows]).toEqual([nTrain, nTest])
        expect(testCounts(s)).toEqual(counts)
        const again = await fv.getTrainTestSplit(s.trainingDataset.version)
        expect(Array.from(again.testIndex)).toEqual(Array.from(s.testIndex))
      }
    }
  })

  it('refuses a split scikit-learn refuses, naming the reason, and records nothing', async () => {
    const fv = await fs.getOrCreateFeatureView({ name: 'sizes_refused', query: fg.selectExcept(['id']), labels: ['y'] })
    // scikit-learn: "With n_samples=15, test_size=0.95 and train_size=None, the resulting train set will be empty."
    await expect(fv.trainTestSplit({ testSize: 0.95 })).rejects.toThrow(/testSize: with 15 rows, testSize 0.95 leaves the training set empty \(15 rows in the test set\)/)
    // scikit-learn: "The test_size = 2 should be greater or equal to the number of classes = 3" (and the train side).
    await expect(fv.trainTestSplit({ testSize: 0.1, stratify: true })).rejects.toThrow(/the test set would hold 2 rows, fewer than the 3 label values/)
    await expect(fv.trainTestSplit({ testSize: 0.9, stratify: true })).rejects.toThrow(/the training set would hold 1 row, fewer than the 3 label values/)
    expect(await fv.trainingDatasets()).toEqual([])

    const g2 = await fs.getOrCreateFeatureGroup({ name: 'sizes_single', primaryKey: ['id'], schema: [{ name: 'id', type: 'int' }, { name: 'x', type: 'float' }, { name: 'y', type: 'string' }] })
    await g2.insert([...labels, 'd', 'e'].map((y, id) => ({ id, x: id, y })))
    const single = await fs.getOrCreateFeatureView({ name: 'sizes_single', query: g2.selectExcept(['id']), labels: ['y'] })
    // scikit-learn: "The least populated class in y has only 1 member, which is too few."
    const err = await single.trainTestSplit({ testSize: 0.5, stratify: true }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ValidationError)
    expect((err as ValidationError).issues).toEqual([
      { path: 'y', column: 'y', reason: 'label value "d" has only 1 member; a stratified split needs at least 2 of each value' },
      { path: 'y', column: 'y', reason: 'label value "e" has only 1 member; a stratified split needs at least 2 of each value' },
    ])
    expect(await single.trainingDatasets()).toEqual([])
    expect((await single.trainTestSplit({ testSize: 0.5, seed: 0 })).xTest.nRows).toBe(9)
  })

  it('records nothing when a fitted transformation cannot take a held-out value', async () => {
    const g3 = await fs.getOrCreateFeatureGroup({ name: 'sizes_rare', primaryKey: ['id'], schema: [{ name: 'id', type: 'int' }, { name: 'x', type: 'float' }, { name: 'y', type: 'string' }] })
    await g3.insert([...labels, 'rare'].map((y, id) => ({ id, x: id, y })))
    const fv = await fs.getOrCreateFeatureView({ name: 'sizes_rare', query: g3.selectExcept(['id']), labels: ['y'], transformations: { y: 'label_encoder' } })
    // A seed that sends the one "rare" row (index 15) to the test set: the encoder fitted on training never saw it.
    const data = await g3.readColumns(['y'])
    const seed = [...Array(100).keys()].find((s) => Array.from(splitIndices(data, 'y', 0.25, s, false).test).includes(15))!
    await expect(fv.trainTestSplit({ testSize: 0.25, seed })).rejects.toThrow(/column "y": value "rare" was not seen in training/)
    expect(await fv.trainingDatasets()).toEqual([])
  })
})

describe('split sizes (pure)', () => {
  const batch = (y: readonly (string | number)[]): ColumnBatch =>
    typeof y[0] === 'number'
      ? { nRows: y.length, columns: { y: Float64Array.from(y as number[]) }, types: { y: 'int' } }
      : { nRows: y.length, columns: { y: [...(y as string[])] }, types: { y: 'string' } }

  it('has scikit-learn test sizes for n × testSize, float rounding included', () => {
    // (n, test_size) → (n_train, n_test) from train_test_split in scikit-learn 1.2.1; 0.07 × 100 is 7.000000000000001.
    const cases = [[10, 0.7, 3, 7], [150, 0.2, 120, 30], [889, 0.2, 711, 178], [7, 0.25, 5, 2], [3, 0.5, 1, 2], [11, 0.33, 7, 4], [100, 0.15, 85, 15], [5, 0.1, 4, 1], [100, 0.07, 92, 8], [20, 0.35, 13, 7]]
    for (const [n, t, nTrain, nTest] of cases) {
      const { train, test } = splitIndices({ nRows: n, columns: {}, types: {} }, undefined, t, 0, false)
      expect([n, t, train.length, test.length]).toEqual([n, t, nTrain, nTest])
      expect(new Set([...train, ...test]).size).toBe(n)
    }
    expect(() => splitIndices({ nRows: 1, columns: {}, types: {} }, undefined, 0.5, 0, false)).toThrow(/with 1 row, testSize 0.5 leaves the training set empty/)
  })

  it('allots stratified test rows by largest remainders, as _approximate_mode', () => {
    // y = 50 × 0, 30 × 1, 20 × 2, 2 × 3 with test_size=0.07: scikit-learn's test counts are [4, 2, 2, 0].
    const y = [...Array(50).fill(0), ...Array(30).fill(1), ...Array(20).fill(2), 3, 3]
    for (const seed of [0, 1, 2]) {
      const { train, test } = splitIndices(batch(y), 'y', 0.07, seed, true)
      expect([train.length, test.length]).toEqual([94, 8])
      expect([0, 1, 2, 3].map((c) => Array.from(test).filter((i) => y[i] === c).length)).toEqual([4, 2, 2, 0])
    }
    expect(approximateMode([7, 5, 3], 7, new Random(0))).toEqual([3, 2, 2])
  })
})

describe.each(testDialectNames())('training dataset versions on %s', (dialect) => {
  let fs: FeatureStore
  useTestDatabase(dialect, (_tdb, db) => {
    fs = new FeatureStore(db)
  })

  it('gives concurrent splits of one view distinct versions, none lost', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'versions', primaryKey: ['id'], schema: [{ name: 'id', type: 'int' }, { name: 'x', type: 'float' }] })
    await fg.insert([0, 1, 2, 3, 4].map((id) => ({ id, x: id })))
    const fv = await fs.getOrCreateFeatureView({ name: 'versions', query: fg.select(['x']) })
    const splits = await Promise.all([0, 1, 2, 3, 4, 5].map((seed) => fv.trainTestSplit({ seed })))
    expect(splits.map((s) => s.trainingDataset.version).sort()).toEqual([1, 2, 3, 4, 5, 6])
    expect((await fv.trainingDatasets()).map((t) => t.seed).sort()).toEqual([0, 1, 2, 3, 4, 5])
  })
})
