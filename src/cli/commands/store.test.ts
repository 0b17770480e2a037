import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../db/index.js'
import { storeIsEmpty } from '../../store-transfer/index.js'
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
  /** One line on stderr, exit 1, no stack. */
  const expectOneLine = (r: { code: number; stderr: string }, pattern: RegExp) => {
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(pattern)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  }
  /** The store was never created: export (which opens without creating) finds none. */
  const expectNoStore = async (tdb: TestDatabase) => {
    const r = await runSml(['export', '--to', join(dir, 'never.ndjson')], tdb.env)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error: no store at /)
  }

  it('refuses a missing, unreadable or malformed import file in one line before opening (or creating) a store', async () => {
    const fresh = createTestDatabase(dialect)
    dbs.push(fresh)
    const bad = join(dir, 'bad.ndjson')
    writeFileSync(bad, 'garbage\n')
    const badGz = join(dir, 'bad.ndjson.gz')
    writeFileSync(badGz, 'garbage\n')
    const foreign = join(dir, 'foreign.ndjson')
    writeFileSync(foreign, '{"hello":"world"}\n')
    const cases: [string, RegExp][] = [
      ['/nonexistent.gz', /^error: cannot read \/nonexistent\.gz: no such file$/m],
      ['/nonexistent.ndjson', /^error: cannot read \/nonexistent\.ndjson: no such file$/m],
      [dir, new RegExp(`^error: cannot read ${dir}: it is a folder$`, 'm')],
      [bad, new RegExp(`^error: ${bad} line 1: not JSON \\(Unexpected token 'g'`, 'm')],
      [badGz, new RegExp(`^error: cannot read ${badGz}: not gzip data`, 'm')],
      [foreign, new RegExp(`^error: ${foreign} line 1: not a serverless-ml store export`, 'm')],
    ]
    for (const [file, pattern] of cases) expectOneLine(await runSml(['import', '--from', file], fresh.env), pattern)
    await expectNoStore(fresh)
  })

  it('names the missing file before the non-empty store, and a malformed line midway rolls the whole import back', async () => {
    const from = createTestDatabase(dialect)
    const to = createTestDatabase(dialect)
    dbs.push(from, to)
    const csv = join(dir, 'midway.csv')
    writeFileSync(csv, 'id,x\n1,0.5\n2,1.5\n3,2.5\n')
    const created = await runSml(['fg', 'insert', 'midway', '--file', csv, '--primary-key', 'id'], from.env)
    expect(created.code, created.stderr).toBe(0)
    expectOneLine(await runSml(['import', '--from', '/nonexistent.ndjson'], from.env), /^error: cannot read \/nonexistent\.ndjson: no such file$/m)

    const file = join(dir, 'midway.ndjson')
    expect((await runSml(['export', '--to', file], from.env)).code).toBe(0)
    // Break the feature group's second row: the catalog rows before it are already inserted in the transaction.
    const lines = readFileSync(file, 'utf8').split('\n')
    const header = lines.findIndex((l) => l.startsWith('{"table":"fg_midway_1"'))
    expect(header).toBeGreaterThan(0)
    lines[header + 2] = '[2, 1.5'
    const broken = join(dir, 'midway-broken.ndjson')
    writeFileSync(broken, lines.join('\n'))
    expectOneLine(await runSml(['import', '--from', broken], to.env), new RegExp(`^error: ${broken} line ${header + 3}: not JSON`, 'm'))
    // A row changed in the file: its table's checksum (the file's own end line) refuses it before anything commits.
    const tampered = join(dir, 'midway-tampered.ndjson')
    const original = readFileSync(file, 'utf8').split('\n')
    original[header + 2] = original[header + 2].replace('1.5', '9.5')
    expect(original[header + 2]).toContain('9.5')
    writeFileSync(tampered, original.join('\n'))
    expectOneLine(
      await runSml(['import', '--from', tampered], to.env),
      new RegExp(`^error: ${tampered} line \\d+: the checksum of fg_midway_1's 3 rows differs from the one its end line records: a row was changed or damaged; nothing was imported$`, 'm'),
    )
    // A truncated .gz: one line, not an unhandled stream error.
    const gz = join(dir, 'midway.ndjson.gz')
    expect((await runSml(['export', '--to', gz], from.env)).code).toBe(0)
    const truncated = join(dir, 'midway-truncated.ndjson.gz')
    writeFileSync(truncated, readFileSync(gz).subarray(0, Math.floor(readFileSync(gz).length * 0.6)))
    expectOneLine(await runSml(['import', '--from', truncated], to.env), new RegExp(`^error: cannot read ${truncated}: the compressed data ends early$`, 'm'))
    // None of the failed imports left a store behind (SQLite: the store they created is removed again; PostgreSQL: empty).
    if (dialect === 'sqlite') expect(existsSync(join(to.env.SML_HOME, 'sml.db'))).toBe(false)
    else {
      const db = await to.open()
      try {
        expect(await storeIsEmpty(db)).toBe(true)
        expect(await db.listTables()).not.toContain('fg_midway_1')
      } finally {
        await db.close()
      }
    }
    // And the good file then imports without --force.
    expect((await runSml(['import', '--from', file], to.env)).code).toBe(0)
  })
  it('an export target that cannot be written is one line naming it', async () => {
    const tdb = createTestDatabase(dialect)
    dbs.push(tdb)
    expect((await runSml(['migrate'], tdb.env)).code).toBe(0)
    expectOneLine(await runSml(['export', '--to', join(dir, 'no-such-folder', 'x.ndjson')], tdb.env), new RegExp(`^error: cannot write ${dir}/no-such-folder/x\\.ndjson: no such folder, or no file can be created there$`, 'm'))
    expectOneLine(await runSml(['export', '--to', dir], tdb.env), new RegExp(`^error: cannot write ${dir}: it is a folder, not a file$`, 'm'))
    const earlier = join(dir, 'earlier.ndjson')
    writeFileSync(earlier, 'kept\n')
    expectOneLine(await runSml(['export', '--to', earlier], tdb.env), new RegExp(`^error: cannot write ${earlier}: it exists already \\(pass --force to replace it\\)$`, 'm'))
    expect(readFileSync(earlier, 'utf8')).toBe('kept\n')
    expect((await runSml(['export', '--to', earlier, '--force'], tdb.env)).code).toBe(0)
    expect(readFileSync(earlier, 'utf8')).toMatch(/^\{"format":/)
  })

  it.runIf(dialect === 'postgres')('a PostgreSQL store that cannot be reached or opened is one line naming it and the reason', async () => {
    const cases: [string, RegExp][] = [
      ['notaurl', /^error: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/m],
      ['postgres://postgres@127.0.0.1:1/test', /^error: cannot open the store at postgres:\/\/postgres@127\.0\.0\.1:1\/test: nothing accepts connections there \(is PostgreSQL running, on that port\?\) \(connect ECONNREFUSED 127\.0\.0\.1:1\)$/m],
      ['postgres://postgres@127.0.0.1:5432/sml_no_such_db', /^error: cannot open the store at postgres:\/\/postgres@127\.0\.0\.1:5432\/sml_no_such_db: the database does not exist \(createdb it first\)/m],
      ['postgres://postgres@no-such-host.invalid/test', /^error: cannot open the store at postgres:\/\/postgres@no-such-host\.invalid\/test: (no such host|the host name could not be looked up)/m],
      ['postgres://u@h:notaport/db', /^error: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/m],
      ['postgres://postgres@127.0.0.1:5432/test?ssl=true', /^error: cannot open the store at .*: the server does not accept SSL connections \(drop sslmode \/ ssl from the URL\)/m],
    ]
    for (const [url, pattern] of cases) {
      for (const args of [['runs'], ['migrate']]) expectOneLine(await runSml(args, { DATABASE_URL: url }), pattern)
    }
  })

  it.runIf(dialect === 'sqlite')('a store file that is not a database is one line naming it, and is left as it was', async () => {
    const home = mkdtempSync(join(dir, 'notdb-'))
    writeFileSync(join(home, 'sml.db'), 'not a database\n'.repeat(100))
    for (const args of [['runs'], ['migrate']]) {
      expectOneLine(await runSml(args, { SML_HOME: home, DATABASE_URL: '' }), new RegExp(`^error: cannot open the store at ${home}: sml\\.db is not a SQLite database \\(file is not a database\\)$`, 'm'))
    }
    expect(readFileSync(join(home, 'sml.db'), 'utf8')).toBe('not a database\n'.repeat(100))
  })

  it.runIf(dialect === 'sqlite')('a --host that is not this machine’s is one line naming --host', async () => {
    const home = mkdtempSync(join(dir, 'host-'))
    const r = await runSml(['start', '--host', 'not a host', '--port', '39871'], { SML_HOME: home, DATABASE_URL: '' })
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/^error: --host "not a host" is not a host name or address of this machine/m)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it.runIf(dialect === 'sqlite' && process.platform === 'linux')('a store folder that cannot be created (SML_HOME under /proc) is one line, at once', async () => {
    const r = await runSml(['migrate'], { SML_HOME: '/proc/sml-nope', DATABASE_URL: '' })
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr.trim().split('\n')).toEqual(["error: cannot create /proc/sml-nope (the store's folder, SML_HOME): this file system allows no folder there (no such file or directory)"])
  })
})
