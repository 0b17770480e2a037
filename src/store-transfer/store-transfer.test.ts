import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { ConflictError } from '../errors/index.js'
import { FeatureStore } from '../featurestore/index.js'
import { ModelRegistry } from '../registry/index.js'
import { RunStore } from '../runtime/index.js'
import { iris, runDemo, titanic } from '../systems/index.js'
import { exportStore, importStore } from './index.js'

// The systems read the lab's CSVs from the copies beside the repository, never the network.
const data = { source: { dataDir: fileURLToPath(new URL('../../../shared/data', import.meta.url)) } }

/** Everything a user sees of a store, through the public APIs: group rows and commits, views' data, models with artifact bytes, runs with logs. */
async function snapshot(db: SqlDialect) {
  const fs = new FeatureStore(db)
  const registry = new ModelRegistry(db)
  const runs = new RunStore(db)
  const groups = []
  for (const g of await fs.listFeatureGroups()) groups.push({ metadata: g.metadata, rows: await g.read({ history: true }), commits: await g.commits() })
  const views = []
  // Views by what they select (a split would record a new training dataset, so none is taken here).
  for (const v of await fs.listFeatureViews()) views.push({ name: v.name, version: v.version, batch: await v.getBatchData() })
  const models = []
  for (const m of await registry.list()) {
    for (const v of await registry.listVersions(m.name)) {
      const bytes = await Promise.all(v.artifacts.map(async (a) => [a.file, Buffer.from(await registry.readArtifact(v.name, v.version, a.file)).toString('base64')]))
      models.push({ ...v, bytes })
    }
  }
  const runList = await runs.list({ limit: 10_000 })
  const logs = await Promise.all(runList.map((r) => runs.logs(r.id)))
  return { groups, views, models, runs: runList, logs }
}

describe('moving a store between databases', () => {
  const target = testDialectNames().includes('postgres') ? 'postgres' : 'sqlite'
  const dir = mkdtempSync(join(tmpdir(), 'sml-transfer-'))
  const dbs: { tdb: TestDatabase; db: SqlDialect }[] = []
  const open = async (name: 'sqlite' | 'postgres') => {
    const tdb = createTestDatabase(name)
    const db = await tdb.open()
    dbs.push({ tdb, db })
    return db
  }
  let source: SqlDialect
  let before: Awaited<ReturnType<typeof snapshot>>
  beforeAll(async () => {
    source = await open('sqlite')
    await runDemo(source, [iris, titanic], { days: 3, settings: data })
    before = await snapshot(source)
  })
  afterAll(async () => {
    for (const { tdb, db } of dbs) {
      await db.close()
      await tdb.drop()
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it(`sqlite → ${target} → sqlite loses nothing, and checksums prove it`, async () => {
    expect(before.groups.length).toBeGreaterThanOrEqual(4)
    expect(before.models.length).toBeGreaterThanOrEqual(2)
    expect(before.runs.length).toBeGreaterThanOrEqual(12)

    const file = join(dir, 'store.ndjson.gz')
    const exported = await exportStore(source, file, { progress: false })
    expect(exported.find((t) => t.table === 'sml_artifact_blobs')!.rows).toBeGreaterThan(0)
    expect(exported.filter((t) => t.kind === 'feature-group').map((t) => t.table).sort()).toEqual(before.groups.map((g) => g.metadata.tableName).sort())

    const there = await open(target)
    const report = await importStore(there, file, { progress: false })
    expect(report.ok).toBe(true)
    expect(report.tables.map((t) => [t.table, t.rows, t.sha256])).toEqual(exported.map((t) => [t.table, t.rows, t.sha256]))
    expect(await snapshot(there)).toEqual(before)

    // A second import is refused, unless forced (which replaces, not appends).
    await expect(importStore(there, file, { progress: false })).rejects.toThrow(/not empty/)
    await expect(importStore(there, file, { progress: false })).rejects.toBeInstanceOf(ConflictError)
    expect((await importStore(there, file, { progress: false, force: true })).ok).toBe(true)
    expect(await snapshot(there)).toEqual(before)

    // And back, from the target into a fresh SQLite file.
    const back = join(dir, 'back.ndjson')
    const fresh = await open('sqlite')
    const reexported = await exportStore(there, back, { progress: false })
    const backReport = await importStore(fresh, back, { progress: false })
    expect(backReport.ok).toBe(true)
    expect(backReport.tables.map((t) => t.sha256)).toEqual(reexported.map((t) => t.sha256))
    expect(reexported.map((t) => t.sha256)).toEqual(exported.map((t) => t.sha256))
    expect(await snapshot(fresh)).toEqual(before)

    // New rows after the move get fresh ids (auto-increment counters follow the imported ones).
    const fs = new FeatureStore(there)
    const fg = await fs.getFeatureGroup('iris')
    const lastCommit = Math.max(...before.groups.flatMap((g) => g.commits.map((c) => c.id)))
    const added = await fg.insert([{ ...(await fg.read({ limit: 1 }))[0] }])
    expect(added.id).toBeGreaterThan(lastCommit)
  })

  it('never overwrites an earlier export unless forced, and a failed export leaves nothing behind', async () => {
    const sub = mkdtempSync(join(dir, 'again-'))
    const file = join(sub, 'backup.ndjson')
    writeFileSync(file, 'an earlier export\n')
    await expect(exportStore(source, file, { progress: false })).rejects.toThrow(`cannot write ${file}: it exists already (pass --force to replace it)`)
    expect(readFileSync(file, 'utf8')).toBe('an earlier export\n')
    // Fails midway (its store's connection is lost once the file is open): the earlier file stays, no partial file is left.
    const failing = new Proxy(source, {
      get(t, k, r) {
        if (k === 'kysely' && readdirSync(sub).some((f) => f.endsWith('.partial'))) throw new Error('connection lost')
        return Reflect.get(t, k, r)
      },
    })
    await expect(exportStore(failing, file, { progress: false, force: true })).rejects.toThrow('connection lost')
    expect(readdirSync(sub)).toEqual(['backup.ndjson'])
    expect(readFileSync(file, 'utf8')).toBe('an earlier export\n')
    // Forced, it replaces the file whole.
    const tables = await exportStore(source, file, { progress: false, force: true })
    expect(readdirSync(sub)).toEqual(['backup.ndjson'])
    expect(readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"end":')).length).toBe(tables.length)
  })
})
