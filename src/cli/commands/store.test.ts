import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../db/index.js'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../../db/test-support/dialects.js'
import { runSml } from '../test-support/run-sml.js'

describe.each(testDialectNames())('sml migrate, export and import on %s', (dialect) => {
  const dbs: TestDatabase[] = []
  const dir = mkdtempSync(join(tmpdir(), 'sml-store-cli-'))
  afterAll(async () => {
    for (const t of dbs) await t.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('four processes migrating one fresh store at once apply each migration exactly once', async () => {
    const tdb = createTestDatabase(dialect)
    dbs.push(tdb)
    const results = await Promise.all([0, 1, 2, 3].map(() => runSml(['migrate', '--json'], tdb.env)))
    expect(results.map((r) => [r.code, r.stderr])).toEqual(results.map(() => [0, '']))
    const applied = results.flatMap((r) => JSON.parse(r.stdout).applied as string[])
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.id).sort())
    const again = await runSml(['migrate'], tdb.env)
    expect(again.stdout).toMatch(/up to date/)
    const db = await tdb.open()
    try {
      expect((await db.kysely.selectFrom('sml_migrations').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id))
    } finally {
      await db.close()
    }
  })

  it('exports a store and imports it into an empty one, refusing a non-empty one without --force', async () => {
    const from = createTestDatabase(dialect)
    const to = createTestDatabase(dialect)
    dbs.push(from, to)
    const csv = join(dir, 'points.csv')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(csv, 'id,x,ok\n1,0.5,true\n2,1.5,false\n3,,true\n')
    const created = await runSml(['fg', 'insert', 'points', '--file', csv, '--primary-key', 'id'], from.env)
    expect(created.code, created.stderr).toBe(0)
    const file = join(dir, 'store.ndjson')
    const exp = await runSml(['export', '--to', file], from.env)
    expect(exp.code, exp.stderr).toBe(0)
    expect(exp.stdout).toMatch(/fg_points_1 +feature-group +3/)
    const imp = await runSml(['import', '--from', file], to.env)
    expect(imp.code, imp.stderr).toBe(0)
    expect(imp.stdout).toMatch(/fg_points_1 +3 +3 +[0-9a-f]{64} +ok/)
    expect(imp.stdout).not.toMatch(/MISMATCH/)
    const refused = await runSml(['import', '--from', file], to.env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/not empty.*--force/)
    const forced = await runSml(['import', '--from', file, '--force'], to.env)
    expect(forced.code, forced.stderr).toBe(0)
  })
})
