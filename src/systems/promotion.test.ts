import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { accuracyScore, KNeighborsClassifier } from '../ml/index.js'
import { ModelRegistry } from '../registry/index.js'
import { runPipeline } from '../runtime/index.js'
import { loadServingModel, monitorData, servingVersion, systemFeatureGroup, systemPipelines, titanic } from './index.js'
import type { SystemDescription } from './system.js'

const data = { source: { dataDir: DATA_DIR } }
const quiet = { echo: () => {} }
/**
 * Titanic under another system (and so model and feature view) name, trained on a seeded split of the same
 * rows: each test has its own model, so none depends on what another left behind.
 */
const variant = (name: string, seed = titanic.training.seed): SystemDescription => ({ ...titanic, name, model: { ...titanic.model, name: `${name}_model` }, training: { ...titanic.training, seed } })

describe.each(testDialectNames())('promotion on comparable numbers on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  let registry: ModelRegistry
  const run = async (system: SystemDescription, which: 0 | 1 | 2 | 3) => {
    const outcome = await runPipeline(systemPipelines(system, data)[which], { db, ...quiet, sleep: async () => {} })
    expect(outcome.ok).toBe(true)
  }
  const production = async (model: string) => (await registry.getByAlias(model, 'production')).version
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
    registry = new ModelRegistry(db)
    await run(titanic, 0)
  })

  it('moves production only when the new version scores at least as well on the same rows, recording both figures', async () => {
    const model = 'ta_model'
    const production = async () => (await registry.getByAlias(model, 'production')).version
    await run(variant('ta'), 1)
    const v1 = await registry.get(model, 1)
    expect(v1.metrics.accuracy).toBe(140 / 178)
    expect(v1.promotions).toMatchObject([
      { alias: 'production', decidedBy: 'training', promoted: true, metric: 'accuracy', candidateScore: 140 / 178, productionVersion: null, productionScore: null, evaluationRows: 178 },
    ])
    expect(v1.promotions[0].actor).toMatch(/^ta-training run \d+$/)

    // Seed 1 scores higher on its own split (141/178 > 140/178): the old best-accuracy rule moved production to it.
    // On its test rows v1 did not train on (37 of 178), v1 is better: production stays on v1.
    await run(variant('ta', 1), 1)
    const v2 = await registry.get(model, 2)
    expect(v2.metrics.accuracy).toBe(141 / 178)
    expect(v2.metrics.accuracy).toBeGreaterThan(v1.metrics.accuracy)
    expect(v2.promotions).toMatchObject([{ promoted: false, metric: 'accuracy', candidateScore: 30 / 37, productionVersion: 1, productionScore: 32 / 37, evaluationRows: 37 }])
    expect(v2.promotions[0].reason).toBe('worse: accuracy 0.8108 vs production v1\'s 0.8649 on the same 37 test rows (of 178; 141 were in v1\'s training split); production stays on v1')
    expect(await production()).toBe(1)

    // Seed 2 is better than v1 on the rows neither trained on: it takes production.
    await run(variant('ta', 2), 1)
    const v3 = await registry.get(model, 3)
    expect(v3.promotions).toMatchObject([{ promoted: true, candidateScore: 31 / 33, productionVersion: 1, productionScore: 30 / 33, evaluationRows: 33 }])
    expect(await production()).toBe(3)

    // The same split again scores the same as production on every row: ties go to the newer version.
    await run(variant('ta', 2), 1)
    const v4 = await registry.get(model, 4)
    expect(v4.promotions).toMatchObject([{ promoted: true, productionVersion: 3, evaluationRows: 178 }])
    expect(v4.promotions[0].candidateScore).toBe(v4.promotions[0].productionScore)
    expect(await production()).toBe(4)
  })

  it('serving (API, predict page, batch inference, monitor) follows the production alias, not the newest or best-looking version', async () => {
    const system = variant('tb')
    await run(system, 1)
    await run(variant('tb', 1), 1)
    expect((await servingVersion(registry, system)).version).toBe(1)
    expect((await loadServingModel(fs, registry, system)).version.version).toBe(1)
    await registry.promote('tb_model', 2, { actor: 'tester', reason: 'checking serving follows the alias' })
    expect((await registry.get('tb_model', 2)).promotions.at(-1)).toMatchObject({ decidedBy: 'manual', actor: 'tester', productionVersion: 1, promoted: true, reason: 'checking serving follows the alias' })
    expect((await loadServingModel(fs, registry, system)).version.version).toBe(2)
    expect((await monitorData(fs, registry, system)).servingModel?.version).toBe(2)
    // No alias, no serving version: never a silent fallback to some "best" version.
    await registry.removeAlias('tb_model', 'production')
    await expect(servingVersion(registry, system)).rejects.toThrow('no version of tb_model is in production: run tb-training, or promote one with `sml models promote tb_model VERSION`')
    expect((await monitorData(fs, registry, system)).servingModel).toBeNull()
  })

  it('a production model trained through another view with other transformations is scored through its own', async () => {
    const group = await systemFeatureGroup(fs, titanic)
    const scaled = await fs.getOrCreateFeatureView({
      name: 'td_scaled',
      query: group.selectExcept(['passengerid']),
      labels: ['survived'],
      transformations: { age: 'standard_scaler', sibsp: 'min_max_scaler', parch: 'min_max_scaler' },
    })
    // Same seed and commit as the training run below, so production's test split is exactly the new version's.
    const split = await scaled.trainTestSplit({ seed: titanic.training.seed })
    const knn = new KNeighborsClassifier({ nNeighbors: 5 }).fit(split.xTrain, Array.from(split.yTrain as Float64Array))
    const own = accuracyScore(Array.from(split.yTest as Float64Array), knn.predict(split.xTest))
    await registry.create({ name: 'td_model', featureView: scaled, trainingDataset: split.trainingDataset, model: knn })
    await registry.promote('td_model', 1)
    await run(variant('td'), 1)
    const v2 = await registry.get('td_model', 2)
    expect(v2.promotions).toMatchObject([{ productionVersion: 1, productionScore: own, candidateScore: v2.metrics.accuracy, evaluationRows: 178 }])
    // Fed the new version's unscaled inputs, the same model scores otherwise: the recorded figure is the scaled one.
    const plain = await (await fs.getFeatureView('td', 1)).getTrainTestSplit()
    expect(accuracyScore(Array.from(plain.yTest as Float64Array), knn.predict(plain.xTest))).not.toBe(own)
  })

  it('a production model on another feature group is not comparable: production stays, the reason says how to decide', async () => {
    const group = await systemFeatureGroup(fs, titanic)
    const other = await fs.getOrCreateFeatureGroup({ name: 'titanic_copy', primaryKey: ['passengerid'], eventTime: 'ts', schema: group.metadata.schema })
    await other.insert((await group.read()).slice(0, 200))
    const fv = await fs.getOrCreateFeatureView({ name: 'titanic_copy', query: other.selectExcept(['passengerid']), labels: ['survived'] })
    const split = await fv.trainTestSplit({ seed: 3 })
    const model = new KNeighborsClassifier({ nNeighbors: 3 }).fit(split.xTrain, Array.from(split.yTrain as Float64Array))
    const foreign = await registry.create({ name: 'tc_model', featureView: fv, trainingDataset: split.trainingDataset, model })
    await registry.promote('tc_model', foreign.version)
    await run(variant('tc'), 1)
    const latest = await registry.get('tc_model')
    expect(latest.promotions).toMatchObject([{ promoted: false, productionVersion: foreign.version, productionScore: null, evaluationRows: 178, candidateScore: latest.metrics.accuracy }])
    expect(latest.promotions[0].reason).toContain('reads feature group titanic_copy v1, the new version\'s reads titanic v1')
    expect(latest.promotions[0].reason).toContain('promote by hand with `sml models promote tc_model VERSION`')
    expect(await production('tc_model')).toBe(foreign.version)

    // A production version whose model cannot be loaded cannot serve either: the new version takes production.
    const broken = await registry.create({ name: 'tc_model', featureView: fv, trainingDataset: split.trainingDataset })
    await registry.promote('tc_model', broken.version)
    await run(variant('tc'), 1)
    const next = await registry.get('tc_model')
    expect(next.promotions).toMatchObject([{ promoted: true, productionVersion: broken.version, productionScore: null }])
    expect(next.promotions[0].reason).toMatch(/cannot be loaded \(model tc_model v\d+ has no artifact model.json/)
    expect(await production('tc_model')).toBe(next.version)
  })
})
