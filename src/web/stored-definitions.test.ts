import { describe, expect, it } from 'vitest'
import { ValidationError, type SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { runPipeline } from '../runtime/index.js'
import { iris, systemPipelines, titanic, type SystemDescription } from '../systems/index.js'
import { requestsFeatureGroup } from './request-log.js'
import { checkStoredDefinitions } from './services.js'

const data = { source: { dataDir: DATA_DIR } }
const quiet = { echo: () => {}, sleep: async () => {} }

describe.each(testDialectNames())('checking stored definitions at start, on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
    expect((await runPipeline(systemPipelines(iris, data)[0], { db, ...quiet })).ok).toBe(true)
    await requestsFeatureGroup(fs, iris)
  })
  const groups = async () => (await fs.listFeatureGroups()).map((g) => `${g.name} v${g.version}`)

  it('passes an unchanged description, and writes nothing (a group not stored yet is not created)', async () => {
    const before = await groups()
    await checkStoredDefinitions(db, [iris, titanic])
    expect(await groups()).toEqual(before)
    expect(before).toEqual(['iris v1', 'iris_requests v1'])
  })

  it('refuses a column added to the schema at the same version (the user trial: serve logged nothing, the monitor answered 400)', async () => {
    const changed: SystemDescription = { ...iris, featureGroup: { ...iris.featureGroup, schema: [...iris.featureGroup.schema, { name: 'extra', type: 'float' }] } }
    const e = await checkStoredDefinitions(db, [changed]).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(ValidationError)
    expect((e as Error).message).toBe(
      'feature group iris v1 already exists with a different schema: column "extra" is not in the stored one. Give the changed definition a new version (version: 2) — a version\'s schema never changes',
    )
  })

  it('refuses changed inputs of the request log, pointing at the version the user writes', async () => {
    const fewer: SystemDescription = { ...iris, fields: iris.fields.filter((f) => f.name !== 'petal_width') }
    const e = await checkStoredDefinitions(db, [fewer]).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(ValidationError)
    expect((e as Error).message).toBe(
      'feature group iris_requests v1 already exists with a different schema: column "petal_width" is stored but no longer in the definition. ' +
        'It follows the definition of feature group iris v1: give that one a new version (version: 2) — a version\'s schema never changes',
    )
    // The same refusal where the log gets its group, instead of every batch failing at serve time.
    await expect(requestsFeatureGroup(fs, fewer)).rejects.toThrow('It follows the definition of feature group iris v1')
    // With the version bumped, the log starts a version of its own.
    const bumped: SystemDescription = { ...fewer, featureGroup: { ...iris.featureGroup, version: 2 } }
    await checkStoredDefinitions(db, [bumped])
    expect((await requestsFeatureGroup(fs, bumped)).version).toBe(2)
  })
})
