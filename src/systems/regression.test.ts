import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore, validateRows } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { KNeighborsClassifier, LinearRegression, Random, Ridge } from '../ml/index.js'
import { ModelRegistry } from '../registry/index.js'
import { runPipeline } from '../runtime/index.js'
import { dailyPipeline, realRows } from './pipelines/daily.js'
import { systemFeatureGroup } from './feature-groups.js'
import { iris, systemFeatureView, systemPipelines } from './index.js'
import { conditionalResampler } from './synthetic.js'
import type { SystemDescription } from './system.js'
import { diabetes, diabetesClinics } from './test-support/diabetes.js'

const data = { source: { dataDir: DATA_DIR } }
const quiet = { echo: () => {}, sleep: async () => {} }

/**
 * scikit-learn 1.2.1 on the same split (the `row` keys of this split's train and test rows, in order), from
 * test-support/diabetes_fixtures.py: mean_absolute_error, mean_squared_error(squared=False), r2_score.
 */
const SKLEARN = {
  linear: { mae: 46.20339417373791, rmse: 55.64158971732808, r2: 0.472409489320072 },
  ridge: { mae: 46.426438010392786, rmse: 55.75957609569863, r2: 0.4701696362893564 },
}

const withModel = (create: () => LinearRegression | Ridge): SystemDescription => ({ ...diabetes, model: { ...diabetes.model, name: 'diabetes_linear', create } })
const linear = withModel(() => new LinearRegression())
const ridge = withModel(() => new Ridge({ alpha: 1 }))

describe.each(testDialectNames())('regression training and promotion on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  let registry: ModelRegistry
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
    registry = new ModelRegistry(db)
    expect((await runPipeline(systemPipelines(diabetes, data)[0], { db, ...quiet })).ok).toBe(true)
  })

  it('records scikit-learn’s MAE, RMSE and R² of the test split, and promotes on RMSE (lower is better) over the same rows', async () => {
    const train = async (system: SystemDescription) => {
      expect((await runPipeline(systemPipelines(system)[1], { db, ...quiet })).ok).toBe(true)
      return registry.get('diabetes_linear')
    }
    const v1 = await train(linear)
    for (const m of ['mae', 'rmse', 'r2'] as const) expect(v1.metrics[m]).toBeCloseTo(SKLEARN.linear[m], 9)
    expect(v1.promotions.at(-1)).toMatchObject({ metric: 'rmse', promoted: true, productionVersion: null })

    // Ridge scores a higher (worse) RMSE on the same 89 rows: production stays on v1.
    const v2 = await train(ridge)
    for (const m of ['mae', 'rmse', 'r2'] as const) expect(v2.metrics[m]).toBeCloseTo(SKLEARN.ridge[m], 9)
    const worse = v2.promotions.at(-1)!
    expect(worse).toMatchObject({ metric: 'rmse', promoted: false, productionVersion: 1, evaluationRows: 89 })
    expect(worse.candidateScore).toBeCloseTo(SKLEARN.ridge.rmse, 9)
    expect(worse.productionScore).toBeCloseTo(SKLEARN.linear.rmse, 9)
    expect(worse.reason).toMatch(/^worse: rmse 55\.7596 vs production v1's 55\.6416 on the same 89 test rows/)
    expect((await registry.getByAlias('diabetes_linear', 'production')).version).toBe(1)

    // The same model again ties: ties go to the newer version.
    const v3 = await train(linear)
    expect(v3.promotions.at(-1)).toMatchObject({ metric: 'rmse', promoted: true, productionVersion: 1 })
    expect((await registry.getByAlias('diabetes_linear', 'production')).version).toBe(3)
  })

  it('refuses a classifier for a regression label, and a regression on a text label, before recording a split', async () => {
    const classifier: SystemDescription = { ...diabetes, model: { ...diabetes.model, name: 'diabetes_knn', create: () => new KNeighborsClassifier() } }
    const text: SystemDescription = { ...iris, label: { column: 'variety' }, model: { ...iris.model, name: 'iris_linear', create: () => new LinearRegression() } }
    const fv = await systemFeatureView(fs, diabetes)
    const datasets = async () => (await fv.getTrainingDataset().catch(() => null))?.version ?? 0
    const before = await datasets()
    const wrong = await runPipeline(systemPipelines(classifier)[1], { db, ...quiet })
    expect(wrong.ok).toBe(false)
    expect(wrong.runs.at(-1)!.error).toMatch(/model\.create made a KNeighborsClassifier, but the system is a regression \(no label classes\): it needs a regressor/)
    const notNumber = await runPipeline(systemPipelines(text)[1], { db, ...quiet })
    expect(notNumber.ok).toBe(false)
    expect(notNumber.runs.at(-1)!.error).toMatch(/a regression label must be a number column, but "variety" is a string/)
    expect(await datasets()).toBe(before)
    expect((await registry.list()).map((m) => m.name)).not.toContain('diabetes_knn')
    expect((await registry.list()).map((m) => m.name)).not.toContain('iris_linear')
  })

  it('resamples real patients for synthetic days: their label kept, continuous features jittered within range', async () => {
    const fg = await systemFeatureGroup(fs, diabetes)
    const real = await realRows(fg, diabetes)
    expect(real).toHaveLength(442)
    // Key order: sex first, then row.
    expect(real.slice(0, 2).map((r) => [r.sex, r.row])).toEqual([[1, 2], [1, 4]])
    const draw = conditionalResampler(diabetes, real)
    const rng = new Random(5)
    const synthetic = Array.from({ length: 2000 }, () => draw(rng))
    const labels = new Set(real.map((r) => r.progression))
    expect(synthetic.every((r) => labels.has(r.progression))).toBe(true)
    // `row` (a key column only) and the event time are left for the daily pipeline; `sex` (key and input) is kept.
    expect(synthetic.every((r) => !('row' in r) && !('ts' in r) && (r.sex === 1 || r.sex === 2))).toBe(true)
    const mean = (rows: typeof real) => rows.reduce((s, r) => s + (r.progression as number), 0) / rows.length
    expect(Math.abs(mean(synthetic) - mean(real))).toBeLessThan(5)
    // Jittered: most BMIs differ from the real patient's, all stay within the real range.
    const bmis = real.map((r) => r.bmi as number)
    expect(synthetic.every((r) => (r.bmi as number) >= Math.min(...bmis) && (r.bmi as number) <= Math.max(...bmis))).toBe(true)
    expect(new Set(synthetic.map((r) => r.bmi)).size).toBeGreaterThan(new Set(bmis).size)
    const stamped = synthetic.map((r, i) => ({ ...r, row: 10_000 + i, ts: new Date('2026-04-01T06:00:00Z') }))
    expect(validateRows(stamped, fg.schema, fg.primaryKey, fg.eventTime, fg.metadata.expectations).warnings).toEqual([])
  })
  it('refuses a synthetic day when no key column can be made, rather than overwrite a real row', async () => {
    const byClinic: SystemDescription = { ...diabetesClinics, name: 'by_clinic', featureGroup: { ...diabetesClinics.featureGroup, name: 'by_clinic', primaryKey: ['clinic'] } }
    const outcome = await runPipeline(dailyPipeline(byClinic, data), { db, scheduledFor: new Date('2026-04-01T06:00:00Z'), ...quiet })
    expect(outcome.ok).toBe(false)
    expect(outcome.runs.at(-1)!.error).toMatch(/by_clinic synthetic day: the key \(clinic\) has no int or timestamp column outside the fields/)
    expect(await (await systemFeatureGroup(fs, byClinic)).count()).toBe(0)
  })
})
