import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore, SchemaChangedError } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { runPipeline } from '../runtime/index.js'
import { iris, predictionsFeatureGroup, systemFeatureView, systemPipelines } from './index.js'
import type { SystemDescription } from './system.js'

const data = { source: { dataDir: DATA_DIR } }
const quiet = { echo: () => {}, sleep: async () => {} }

/** The user trial's change: a column added to the system's schema, the group left at version 1. */
const withExtra = (version: number): SystemDescription => ({
  ...iris,
  featureGroup: { ...iris.featureGroup, version, schema: [...iris.featureGroup.schema, { name: 'extra', type: 'float' }] },
})
const REFUSAL =
  'feature group iris v1 already exists with a different schema: column "extra" is not in the stored one. Give the changed definition a new version (version: 2) — a version\'s schema never changes'

describe.each(testDialectNames())('a system whose schema changed without a new version, on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
    expect((await runPipeline(systemPipelines(iris, data)[0], { db, ...quiet })).ok).toBe(true)
    expect((await runPipeline(systemPipelines(iris, data)[1], { db, ...quiet })).ok).toBe(true)
  })

  it('fails its feature and training pipelines with the one-line refusal, writing nothing', async () => {
    const before = await fs.contentVersion(['iris', 'iris_predictions'])
    for (const p of systemPipelines(withExtra(1), data).slice(0, 2)) {
      const outcome = await runPipeline(p, { db, ...quiet })
      expect(outcome.ok).toBe(false)
      expect(outcome.runs.at(-1)?.error).toContain(REFUSAL)
    }
    expect(await fs.contentVersion(['iris', 'iris_predictions'])).toBe(before)
    expect((await fs.listFeatureViews()).map((v) => `${v.name} v${v.version}`)).toEqual(['iris v1'])
  })

  it('works again with the version bumped: a new group, a new view over it, new predictions', async () => {
    const bumped = withExtra(2)
    const fv = await systemFeatureView(fs, bumped)
    expect([fv.name, fv.version, fv.featureGroup.name, fv.featureGroup.version]).toEqual(['iris', 2, 'iris', 2])
    expect(fv.metadata.features).toContain('extra')
    expect((await predictionsFeatureGroup(fs, bumped)).version).toBe(2)
    // The unchanged description still finds its own view and groups.
    const old = await systemFeatureView(fs, iris)
    expect([old.version, old.featureGroup.version]).toEqual([1, 1])
  })

  it('a changed label or transformation makes a new view version over the same group, never a changed view', async () => {
    const scaled: SystemDescription = { ...iris, transformations: { sepal_length: 'standard_scaler' } }
    const fv = await systemFeatureView(fs, scaled)
    expect([fv.version, fv.featureGroup.version, fv.metadata.transformations]).toEqual([3, 1, { sepal_length: 'standard_scaler' }])
    expect((await fs.getFeatureView('iris', 1)).metadata.transformations).toEqual(iris.transformations ?? {})
    expect((await systemFeatureView(fs, scaled)).version).toBe(3)
  })

  it('refuses with one line, as a ValidationError (the CLI prints those without a stack)', async () => {
    const error = (await runPipeline(systemPipelines(withExtra(1), data)[0], { db, ...quiet })).runs.at(-1)?.error
    expect(error).not.toContain('\n')
    await expect(fs.getOrCreateFeatureGroup({ ...withExtra(1).featureGroup, primaryKey: [...iris.featureGroup.primaryKey] })).rejects.toBeInstanceOf(SchemaChangedError)
  })
})
