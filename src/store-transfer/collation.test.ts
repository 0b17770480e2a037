import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { migrate, MIGRATIONS, openDatabase, type SqlDialect } from '../db/index.js'
import { createIcuTestDatabase, createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore, type FeatureSpec } from '../featurestore/index.js'
import { ModelRegistry } from '../registry/index.js'
import { exportStore, importStore } from './index.js'

// Code-point order of the keys below, as SQLite's BINARY gives it. An en-US ICU collation would give
// _x, a, b, B, é, Z1 instead (punctuation first, case and accents only as tie-breaks).
const KEYS = ['a', 'B', 'b', '_x', 'Z1', 'é']
const BINARY = ['B', 'Z1', '_x', 'a', 'b', 'é']

const keyed: FeatureSpec[] = [
  { name: 'key', type: 'string' },
  { name: 'tag', type: 'string' },
  { name: 'x1', type: 'float' },
  { name: 'x2', type: 'float' },
  { name: 'variety', type: 'string' },
]
/** Rows whose string keys mix case, punctuation, digits and accents, in an order no collation gives. */
function mixedRows(n: number) {
  const prefixes = ['a', 'B', 'b', '_x', 'Z1', 'é', 'A', 'z', 'É', '1', '-', 'ab', 'a_b', 'aB']
  return Array.from({ length: n }, (_, i) => ({
    key: `${prefixes[(i * 5) % prefixes.length]}${i % 7}.${i}`,
    tag: prefixes[i % prefixes.length],
    x1: (i * 0.37) % 5,
    x2: (i * 7) % 11,
    variety: ['setosa', 'Versicolor', '_virginica'][i % 3],
  }))
}

const onPostgres = testDialectNames().includes('postgres')

describe('results do not depend on the database collation', () => {
  const opened: { tdb: TestDatabase; db: SqlDialect }[] = []
  const open = async (tdb: TestDatabase) => {
    const db = await tdb.open()
    opened.push({ tdb, db })
    return db
  }
  const dir = mkdtempSync(join(tmpdir(), 'sml-collation-'))
  afterAll(async () => {
    for (const { db } of opened) await db.close()
    for (const tdb of new Set(opened.map((o) => o.tdb))) await tdb.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each(['sqlite', ...(onPostgres ? ['postgres with an ICU collation'] : [])])('orders string keys, string min/max and catalog names by code point on %s', async (which) => {
    const db = await open(which === 'sqlite' ? createTestDatabase('sqlite') : createIcuTestDatabase())
    const fs = new FeatureStore(db)
    const fg = await fs.getOrCreateFeatureGroup({ name: 'keys', primaryKey: ['key'], schema: keyed.slice(0, 2) })
    await fg.insert(KEYS.map((key) => ({ key, tag: key })))
    expect((await fg.read()).map((r) => r.key)).toEqual(BINARY)
    expect((await fg.readColumns(['tag'])).columns.tag).toEqual(BINARY)
    expect((await fg.read({ limit: 3 })).map((r) => r.key)).toEqual(BINARY.slice(0, 3))
    const tag = (await fg.statistics()).find((s) => s.column === 'tag')!
    expect([tag.min, tag.max]).toEqual(['B', 'é'])
    // Catalog tables too: group names, model names and artifact files list in code-point order.
    for (const name of ['ab', 'a_x', 'a1']) await fs.getOrCreateFeatureGroup({ name, primaryKey: ['key'], schema: keyed.slice(0, 1) })
    expect((await fs.listFeatureGroups()).map((g) => g.name).filter((n) => n.startsWith('a'))).toEqual(['a1', 'a_x', 'ab'])
    const registry = new ModelRegistry(db)
    const v = await registry.create({ name: 'm', artifacts: Object.fromEntries(['b.txt', 'B.txt', 'a_b.txt', 'a1.txt', 'aB.txt'].map((f) => [f, f])) })
    expect(v.artifacts.map((a) => a.file)).toEqual(['B.txt', 'a1.txt', 'aB.txt', 'a_b.txt', 'b.txt'])
  })

  it.skipIf(!onPostgres)('a training dataset recorded on SQLite re-reads to the same rows in the same order after moving to an ICU PostgreSQL', async () => {
    const source = await open(createTestDatabase('sqlite'))
    const fs = new FeatureStore(source)
    const fg = await fs.getOrCreateFeatureGroup({ name: 'mixed', primaryKey: ['key'], schema: keyed })
    await fg.insert(mixedRows(90))
    await fg.insert(mixedRows(120).slice(60))
    const fv = await fs.getOrCreateFeatureView({ name: 'mixed', query: fg.selectExcept(['key']), labels: ['variety'], transformations: { tag: 'one_hot_encoder', variety: 'label_encoder' } })
    const recorded = await fv.trainTestSplit({ testSize: 0.25, seed: 7, stratify: true })
    const file = join(dir, 'store.ndjson.gz')
    await exportStore(source, file, { progress: false })

    const target = await open(createIcuTestDatabase())
    expect((await importStore(target, file, { progress: false })).ok).toBe(true)
    const fs2 = new FeatureStore(target)
    const again = await (await fs2.getFeatureView('mixed')).getTrainTestSplit(recorded.trainingDataset.version)
    const plain = (s: typeof recorded) => ({
      xTrain: Array.from(s.xTrain.data),
      xTest: Array.from(s.xTest.data),
      yTrain: Array.from(s.yTrain as ArrayLike<unknown>),
      yTest: Array.from(s.yTest as ArrayLike<unknown>),
      trainIndex: Array.from(s.trainIndex),
      testIndex: Array.from(s.testIndex),
    })
    expect(plain(again)).toEqual(plain(recorded))
    const fg2 = await fs2.getFeatureGroup('mixed')
    expect(await fg2.read()).toEqual(await fg.read())
    // Means are float sums whose last bits follow each database's summation order; everything else is exact.
    const stats = async (g: typeof fg) => (await g.statistics()).map((c) => ({ ...c, mean: c.mean === null ? null : Number(c.mean.toPrecision(12)) }))
    expect(await stats(fg2)).toEqual(await stats(fg))
  })

  it.skipIf(!onPostgres)("migrating a store made before binary text rewrites its columns' collation, catalog and feature groups alike", async () => {
    const tdb = createIcuTestDatabase()
    await open(tdb)
    // An older store in its own schema: migrations up to 004, text columns in the database's (ICU) collation.
    const db = await openDatabase({ url: tdb.env.DATABASE_URL, schema: 'older', migrate: false })
    opened.push({ tdb, db })
    await migrate(db, MIGRATIONS.slice(0, 4))
    const fs = new FeatureStore(db)
    const fg = await fs.getOrCreateFeatureGroup({ name: 'keys', primaryKey: ['key'], schema: keyed.slice(0, 2) })
    await fg.insert(KEYS.map((key) => ({ key, tag: key })))
    await db.transaction((tx) => sql`ALTER TABLE fg_keys_1 ALTER COLUMN key TYPE text COLLATE "default", ALTER COLUMN tag TYPE text COLLATE "default"`.execute(tx.kysely))
    for (const name of ['ab', 'a_x', 'a1']) await fs.getOrCreateFeatureGroup({ name, primaryKey: ['key'], schema: keyed.slice(0, 1) })
    // A table of the user's own beside the store is not the store's to change.
    await db.transaction(async (tx) => {
      await sql`CREATE TABLE user_notes (note text)`.execute(tx.kysely)
      await sql`INSERT INTO user_notes VALUES ${sql.join(KEYS.map((k) => sql`(${k})`))}`.execute(tx.kysely)
    })
    const notes = async () => (await sql<{ note: string }>`SELECT note FROM user_notes ORDER BY note`.execute(db.kysely)).rows.map((r) => r.note)
    const icuOrder = await notes()
    expect(icuOrder).not.toEqual(BINARY)
    expect((await fg.read()).map((r) => r.key)).toEqual(icuOrder)
    expect((await fs.listFeatureGroups()).map((g) => g.name).filter((n) => n.startsWith('a'))).not.toEqual(['a1', 'a_x', 'ab'])

    expect(await migrate(db)).toEqual(MIGRATIONS.slice(4).map((m) => m.id))
    expect((await fg.read()).map((r) => r.key)).toEqual(BINARY)
    const tag = (await fg.statistics()).find((s) => s.column === 'tag')!
    expect([tag.min, tag.max]).toEqual(['B', 'é'])
    expect((await fs.listFeatureGroups()).map((g) => g.name).filter((n) => n.startsWith('a'))).toEqual(['a1', 'a_x', 'ab'])
    expect(await notes()).toEqual(icuOrder)
  })
})
