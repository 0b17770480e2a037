import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ValidationError, type SqlDialect } from '../db/index.js'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { storedShapeDifferences } from './definition-drift.js'
import { FeatureStore } from './feature-store.js'
import type { FeatureGroupOptions, FeatureSpec } from './types.js'

const schema: FeatureSpec[] = [
  { name: 'id', type: 'int' },
  { name: 'ts', type: 'timestamp' },
  { name: 'alcohol', type: 'float' },
  { name: 'colour', type: 'string', nullable: false },
]
const t0 = new Date('2026-01-01T00:00:00Z')
const wine = (over: Partial<FeatureGroupOptions> = {}): FeatureGroupOptions => ({ name: 'wine', version: 1, primaryKey: ['id'], eventTime: 'ts', schema, ...over })

async function refusal(p: Promise<unknown>): Promise<ValidationError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(ValidationError)
  return e as ValidationError
}

describe('storedShapeDifferences', () => {
  const shape = { schema, primaryKey: ['id'], eventTime: 'ts' }
  it('treats default nullability, key and event-time columns, column order and descriptions as equal', () => {
    const same = [
      { name: 'colour', type: 'string' as const, nullable: false, description: 'named now' },
      { name: 'ts', type: 'timestamp' as const, nullable: false },
      { name: 'alcohol', type: 'float' as const, nullable: true },
      { name: 'id', type: 'int' as const, nullable: true },
    ]
    expect(storedShapeDifferences(shape, { ...shape, schema: same })).toEqual([])
  })

  it('names each changed column, the key and the event time', () => {
    const changed: FeatureSpec[] = [
      { name: 'id', type: 'int' },
      { name: 'ts', type: 'timestamp' },
      { name: 'alcohol', type: 'int' },
      { name: 'colour', type: 'string' },
      { name: 'extra', type: 'float' },
    ]
    expect(storedShapeDifferences(shape, { schema: changed, primaryKey: ['id', 'ts'], eventTime: null })).toEqual([
      { column: 'alcohol', reason: 'is int, the stored one is float' },
      { column: 'colour', reason: 'is nullable, the stored one is not' },
      { column: 'extra', reason: 'is not in the stored one' },
      { path: 'primaryKey', reason: 'is (id, ts), the stored one is (id)' },
      { path: 'eventTime', reason: 'is none, the stored one is ts' },
    ])
    expect(storedShapeDifferences(shape, { ...shape, schema: schema.filter((f) => f.name !== 'alcohol') })).toEqual([{ column: 'alcohol', reason: 'is stored but no longer in the definition' }])
  })
})

describe.each(testDialectNames())('a changed definition of a stored feature group on %s', (dialect) => {
  let tdb: TestDatabase
  let fs: FeatureStore
  let db: SqlDialect
  beforeAll(async () => {
    tdb = createTestDatabase(dialect)
    db = await tdb.open()
    fs = new FeatureStore(db)
    const fg = await fs.getOrCreateFeatureGroup(wine())
    await fg.insert([{ id: 1, ts: t0, alcohol: 13.2, colour: 'red' }])
  })
  afterAll(async () => {
    await fs.close()
    await tdb.drop()
  })

  it('is refused with one line naming the group, version, each difference and the version to use', async () => {
    const e = await refusal(fs.getOrCreateFeatureGroup(wine({ schema: [...schema, { name: 'extra', type: 'float' }] })))
    expect(e.message).toBe(
      'feature group wine v1 already exists with a different schema: column "extra" is not in the stored one. Give the changed definition a new version (version: 2) — a version\'s schema never changes',
    )
    expect(e.message).not.toContain('\n')
    expect(e.issues).toEqual([{ column: 'extra', path: 'extra', reason: 'is not in the stored one' }])
    const many = await refusal(fs.getOrCreateFeatureGroup(wine({ primaryKey: ['id', 'ts'], schema: [schema[0], schema[1], { name: 'alcohol', type: 'int' }] })))
    expect(many.message).toContain(
      'column "alcohol" is int, the stored one is float; column "colour" is stored but no longer in the definition; primary key is (id, ts), the stored one is (id).',
    )
  })

  it('suggests one past the latest stored version', async () => {
    await fs.getOrCreateFeatureGroup(wine({ version: 2, schema: [...schema, { name: 'extra', type: 'float' }] }))
    const e = await refusal(fs.getOrCreateFeatureGroup(wine({ schema: [...schema, { name: 'other', type: 'int' }] })))
    expect(e.message).toContain('wine v1 already exists')
    expect(e.message).toContain('(version: 3)')
  })

  it('leaves the stored group and its rows as they were', async () => {
    const fg = await fs.getFeatureGroup('wine', 1)
    expect(fg.schema).toEqual(schema)
    expect(await fg.read()).toEqual([{ id: 1, ts: t0, alcohol: 13.2, colour: 'red' }])
  })

  it('returns the stored group for an equal definition (defaults spelled out, columns reordered)', async () => {
    const reordered: FeatureSpec[] = [schema[3], { ...schema[2], nullable: true, description: 'percent by volume' }, { ...schema[1], nullable: false }, schema[0]]
    const fg = await fs.getOrCreateFeatureGroup(wine({ schema: reordered, description: 'another description' }))
    expect(fg.version).toBe(1)
    expect(fg.schema.map((f) => f.name)).toEqual(['id', 'ts', 'alcohol', 'colour'])
  })

  it('takes changed expectations in place: later inserts follow them, and the next caller reads them', async () => {
    const fg = await fs.getOrCreateFeatureGroup(wine({ expectations: [{ column: 'alcohol', min: 11, max: 15, strict: true }] }))
    expect(fg.metadata.expectations).toEqual([{ column: 'alcohol', min: 11, max: 15, strict: true }])
    await expect(fg.insert([{ id: 2, ts: t0, alcohol: 16, colour: 'red' }])).rejects.toThrow(ValidationError)
    expect((await fs.getFeatureGroup('wine', 1)).metadata.expectations).toEqual([{ column: 'alcohol', min: 11, max: 15, strict: true }])
    const loosened = await fs.getOrCreateFeatureGroup(wine())
    expect(loosened.metadata.expectations).toEqual([])
    await loosened.insert([{ id: 2, ts: t0, alcohol: 16, colour: 'red' }])
  })

  it('refuses new expectations that do not fit the stored schema', async () => {
    await fs.getOrCreateFeatureGroup(wine())
    const e = await refusal(fs.getOrCreateFeatureGroup(wine({ expectations: [{ column: 'colour', min: 0 }] })))
    expect(e.message).toContain('min/max expectation needs a numeric column')
    expect((await fs.getFeatureGroup('wine', 1)).metadata.expectations).toEqual([])
  })

  it('is not compared where either side has no schema: a group without one infers it from its first insert', async () => {
    await fs.getOrCreateFeatureGroup({ name: 'inferred', primaryKey: ['id'] })
    const again = await fs.getOrCreateFeatureGroup({ name: 'inferred', primaryKey: ['id'], schema: [{ name: 'id', type: 'int' }, { name: 'v', type: 'string' }] })
    await again.insert([{ id: 1, v: 2.5 }])
    expect((await fs.getFeatureGroup('inferred', 1)).schema).toEqual([
      { name: 'id', type: 'int' },
      { name: 'v', type: 'float' },
    ])
    // Asking by name and key alone returns the stored group whatever its schema.
    expect((await fs.getOrCreateFeatureGroup({ name: 'wine', primaryKey: ['id'] })).schema).toEqual(schema)
  })

  it('refuses a feature view version defined again over another group version, other columns or transformations', async () => {
    const v1 = await fs.getFeatureGroup('wine', 1)
    const v2 = await fs.getOrCreateFeatureGroup(wine({ version: 2, schema: [...schema, { name: 'extra', type: 'float' }] }))
    const view = { name: 'wine_view', version: 1, query: v1.select(['alcohol', 'colour']), labels: ['colour'] }
    const created = await fs.getOrCreateFeatureView(view)
    expect((await fs.getOrCreateFeatureView({ ...view, description: 'reworded' })).metadata.id).toBe(created.metadata.id)
    const other = await refusal(fs.getOrCreateFeatureView({ ...view, query: v2.select(['alcohol', 'colour']) }))
    expect(other.message).toBe(
      'feature view wine_view v1 already exists with a different definition: it reads feature group wine v2, the stored one wine v1. Give the changed definition a new version (version: 2) — a version\'s definition never changes',
    )
    const changed = await refusal(fs.getOrCreateFeatureView({ ...view, query: v1.select(['colour', 'alcohol']), transformations: { alcohol: 'min_max_scaler' } }))
    expect(changed.message).toContain('its features are (colour, alcohol), the stored one\'s (alcohol, colour); its transformations are alcohol: min_max_scaler, the stored one\'s none.')
    expect((await fs.getFeatureView('wine_view', 1)).featureGroup.version).toBe(1)
  })
})
