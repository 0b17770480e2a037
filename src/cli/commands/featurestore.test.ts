import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../../db/test-support/dialects.js'
import { FeatureStore } from '../../featurestore/index.js'
import { TITANIC_CSV } from '../../featurestore/test-support/data.js'
import { CLI_SEQUENCE_TIMEOUT, runSml } from '../test-support/run-sml.js'

describe.each(testDialectNames())('sml fg / fv on %s', (dialect) => {
  let tdb: TestDatabase
  const dir = mkdtempSync(join(tmpdir(), 'sml-cli-'))
  beforeAll(() => {
    tdb = createTestDatabase(dialect)
  })
  afterAll(async () => {
    await tdb.drop()
  })
  const sml = (...args: string[]) => runSml(args, tdb.env)

  it('inserts a CSV as a new group, shows it, reads it back and refuses a bad file whole', async () => {
    const ins = await sml('fg', 'insert', 'titanic', '--file', TITANIC_CSV, '--primary-key', 'PassengerId')
    expect(ins.stderr).not.toMatch(/error/)
    expect(ins.code).toBe(0)
    expect(ins.stdout).toMatch(/commit \d+: 891 rows added, 0 updated in titanic v1/)

    const show = JSON.parse((await sml('fg', 'show', 'titanic', '--json')).stdout)
    expect(show.rows).toBe(891)
    expect(show.primaryKey).toEqual(['passengerid'])
    const age = show.statistics.find((s: { column: string }) => s.column === 'age')
    expect(age).toMatchObject({ count: 714, missing: 177, min: 0.42, max: 80 })
    expect(age.mean).toBeCloseTo(29.699118, 5)

    const human = await sml('fg', 'show', 'titanic')
    expect(human.stdout).toMatch(/rows: 891 {3}primary key: passengerid/)
    expect(human.stdout).toMatch(/^age +float\? +714 +177/m)
    expect(human.stdout).toMatch(/^passengerid +int +891 +0/m)

    const bad = join(dir, 'bad.csv')
    writeFileSync(bad, 'passengerid,survived,pclass,name,sex,age,sibsp,parch,ticket,fare,cabin,embarked\n1000,1,1,,,22,,,,,,\n1001,0,1,,,old,,,,,,\n')
    const rej = await sml('fg', 'insert', 'titanic', '--file', bad)
    expect(rej.code).toBe(1)
    expect(rej.stderr).toMatch(/row 2, column "age": "old" is not a valid float \(line 3\)/)
    const after = JSON.parse((await sml('fg', 'show', 'titanic', '--json')).stdout)
    expect([after.rows, after.commits.length]).toEqual([891, 1])

    // options that define a new group are refused for the existing one, not silently ignored
    const clash = await sml('fg', 'insert', 'titanic', '--file', bad, '--primary-key', 'name', '--event-time', 'age')
    expect([clash.code, clash.stderr]).toEqual([1, 'error: titanic v1 exists: --primary-key name (its key is passengerid) and --event-time age (its event time is none) define a new group and cannot change it; drop the option, or insert into a new version with --version N\n'])

    const upd = join(dir, 'upd.csv')
    writeFileSync(upd, 'passengerid,survived,pclass,name,sex,age,sibsp,parch,ticket,fare,cabin,embarked\n1,1,1,,,23,,,,,,\n2000,0,3,,,40,,,,,,\n')
    expect((await sml('fg', 'insert', 'titanic', '--file', upd)).stdout).toMatch(/1 row added, 1 updated/)

    const csv = await sml('fg', 'read', 'titanic', '--limit', '2')
    expect(csv.stdout.split('\n')[0]).toBe('passengerid,survived,pclass,name,sex,age,sibsp,parch,ticket,fare,cabin,embarked')
    expect(csv.stdout.split('\n')[1]).toBe('1,1,1,,,23,,,,,,')
    const asOf = JSON.parse((await sml('fg', 'read', 'titanic', '--format', 'json', '--as-of', String(show.commits[0].id), '--limit', '1')).stdout)
    expect(asOf[0]).toMatchObject({ passengerid: 1, survived: 0, name: 'Braund, Mr. Owen Harris', age: 22 })

    const list = JSON.parse((await sml('fg', 'list', '--json')).stdout)
    expect(list).toEqual([expect.objectContaining({ name: 'titanic', version: 1, rows: 892, commits: 2 })])
    expect((await sml('fv', 'list')).stdout).toMatch(/no feature views yet/)
  }, CLI_SEQUENCE_TIMEOUT)

  it('refuses a file without some of an existing group\'s columns whole, naming them (they would be blanked)', async () => {
    const full = join(dir, 'full.csv')
    writeFileSync(full, 'passengerid,survived,age\n1,0,22\n')
    expect((await sml('fg', 'insert', 'partial_g', '--file', full, '--primary-key', 'passengerid')).code).toBe(0)
    const partial = join(dir, 'partial.csv')
    writeFileSync(partial, 'PassengerId,Survived\n1,1\n5000,0\n')
    const part = await sml('fg', 'insert', 'partial_g', '--file', partial)
    expect([part.code, part.stderr]).toEqual([1, `error: invalid ${partial}: missing column "age": an insert must give every column of the feature group schema (an empty cell is a missing value)\n`])
    const kept = JSON.parse((await sml('fg', 'read', 'partial_g', '--json')).stdout)
    expect(kept).toEqual([{ passengerid: 1, survived: 0, age: 22 }])
  })

  it('counts every duplicate or missing key of a file and names each one\'s line', async () => {
    // 300 rows, keys 0..2 repeating: 297 duplicates, the first at row 4 (line 5)
    const dups = join(dir, 'dups.csv')
    writeFileSync(dups, 'k,v\n' + Array.from({ length: 300 }, (_, i) => `${i % 3},${i}`).join('\n') + '\n')
    const r = await sml('fg', 'insert', 'dups', '--file', dups, '--primary-key', 'k')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/row 4, column "k": duplicate primary key 0 \(also in row 1\) \(line 5\)/)
    expect(r.stderr).toMatch(/\(and 292 more\)\n$/)
    // into an existing group too (the insert's own validation), and for a missing key
    writeFileSync(dups, 'k,v\n1,1\n2,2\n')
    expect((await sml('fg', 'insert', 'dups', '--file', dups, '--primary-key', 'k')).code).toBe(0)
    writeFileSync(dups, 'k,v\n1,1\n,2\n1,3\n')
    const again = await sml('fg', 'insert', 'dups', '--file', dups)
    expect(again.stderr).toMatch(/row 2, column "k": missing value in a column that cannot be null \(line 3\)/)
    writeFileSync(dups, 'k,v\n1,1\n2,2\n1,3\n')
    expect((await sml('fg', 'insert', 'dups', '--file', dups)).stderr).toMatch(/row 3, column "k": duplicate primary key 1 \(also in row 1\) \(line 4\)\n$/)
  })

  it('explains what is missing instead of guessing', async () => {
    const noid = join(dir, 'noid.csv')
    writeFileSync(noid, 'a,b\n1,2\n')
    const r = await sml('fg', 'insert', 'things', '--file', noid)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/has no "id" column: name the primary key with --primary-key COL/)
    const nofile = await sml('fg', 'insert', 'things', '--file', join(dir, 'nope.csv'))
    expect([nofile.code, nofile.stderr]).toEqual([1, `error: cannot read ${join(dir, 'nope.csv')}: no such file\n`])
    const folder = await sml('fg', 'insert', 'things', '--file', dir)
    expect([folder.code, folder.stderr]).toEqual([1, `error: cannot read ${dir}: it is a folder, not a file\n`])
    const missing = await sml('fg', 'show', 'nothing_here')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^error: no feature group nothing_here$/m)
    const injected = await sml('fg', 'show', 'x"; drop table sml_commits; --')
    expect(injected.stderr).toMatch(/is not a valid identifier/)
  })

  it('stores and prints event times in UTC on a machine in another zone', async () => {
    const events = join(dir, 'events.csv')
    writeFileSync(events, 'id,ts\n1,2026-03-01\n2,2026-03-01 00:00\n3,2026-03-01T01:00:00+01:00\n')
    const ny = (...args: string[]) => runSml(args, { ...tdb.env, TZ: 'America/New_York' })
    const ins = await ny('fg', 'insert', 'events', '--file', events, '--event-time', 'ts')
    expect(ins.stderr).not.toMatch(/error/)
    const show = await ny('fg', 'show', 'events')
    expect(show.stdout).toMatch(/^ts +timestamp +3 +0 +1 +2026-03-01T00:00:00Z +2026-03-01T00:00:00Z/m)
    const rows = JSON.parse((await ny('fg', 'read', 'events', '--format', 'json')).stdout)
    expect(rows.map((r: { ts: string }) => r.ts)).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'])

    const bad = join(dir, 'bad-events.csv')
    writeFileSync(bad, 'id,ts\n4,2026-03-02\n5,March 3\n')
    const rej = await ny('fg', 'insert', 'events', '--file', bad)
    expect(rej.code).toBe(1)
    expect(rej.stderr).toMatch(/row 2, column "ts": "March 3" is not a valid timestamp \(expected YYYY-MM-DD/)
    expect(rej.stderr).not.toMatch(/\n    at /)
  })
})

describe.each(testDialectNames())('sml fv show on %s', (dialect) => {
  let tdb: TestDatabase
  beforeAll(() => {
    tdb = createTestDatabase(dialect)
  })
  afterAll(async () => {
    await tdb.drop()
  })
  const sml = (...args: string[]) => runSml(args, tdb.env)

  it('shows a view’s definition and its training datasets, and names a missing view', async () => {
    const db = await tdb.open()
    try {
      const fs = new FeatureStore(db)
      const fg = await fs.getOrCreateFeatureGroup({ name: 'pts', primaryKey: ['id'], schema: [{ name: 'id', type: 'int' }, { name: 'x', type: 'float' }, { name: 'colour', type: 'string' }, { name: 'y', type: 'int' }] })
      await fg.insert(Array.from({ length: 20 }, (_, i) => ({ id: i, x: i / 2, colour: i % 2 ? 'red' : 'blue', y: i % 2 })))
      const fv = await fs.getOrCreateFeatureView({ name: 'pts_view', description: 'points', query: fg.selectExcept(['id']), labels: ['y'], transformations: { x: 'standard_scaler', colour: 'label_encoder' } })
      await fv.trainTestSplit({ testSize: 0.25, seed: 7 })
    } finally {
      await db.close()
    }
    const human = await sml('fv', 'show', 'pts_view')
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^pts_view v1 — points$/m)
    expect(human.stdout).toMatch(/^feature group: pts v1 /m)
    expect(human.stdout).toMatch(/^features: x, colour$/m)
    expect(human.stdout).toMatch(/^labels: y$/m)
    expect(human.stdout).toMatch(/^transformations: x standard_scaler, colour label_encoder$/m)
    expect(human.stdout).toMatch(/^1 +\d+ +random +0\.25 +7 +no +15 +5 /m)
    const json = JSON.parse((await sml('fv', 'show', 'pts_view', '--json')).stdout)
    expect(json).toMatchObject({ name: 'pts_view', version: 1, featureGroup: 'pts v1', labels: ['y'], trainingDatasets: [{ version: 1, split: 'random', seed: 7, trainRows: 15, testRows: 5 }] })
    const missing = await sml('fv', 'show', 'nope')
    expect([missing.code, missing.stderr]).toEqual([1, 'error: no feature view nope (known: pts_view)\n'])
  })

  it('defines a view and records splits from a terminal, whose arrays hash alike on every store', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sml-cli-fv-')), 'pts2.csv')
    // 40 rows: a number, a text column to encode, a two-valued label
    writeFileSync(file, ['id,x,colour,y', ...Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 13}.25,${['red', 'green', 'blue'][i % 3]},${i % 2 ? 'yes' : 'no'}`)].join('\n') + '\n')
    expect((await sml('fg', 'insert', 'pts2', '--file', file)).code).toBe(0)
    const created = await sml('fv', 'create', 'pts2_view', '--group', 'pts2', '--except', 'id', '--labels', 'y', '--transform', 'x=standard_scaler,colour=one_hot_encoder')
    expect([created.code, created.stdout]).toEqual([0, 'feature view pts2_view v1 over pts2 v1: features x, colour; labels y\n'])
    const split = JSON.parse((await sml('fv', 'split', 'pts2_view', '--test-size', '0.25', '--seed', '7', '--stratify', '--json')).stdout)
    expect(split).toMatchObject({ featureView: 'pts2_view v1', trainingDataset: { version: 1, trainRows: 30, testRows: 10, seed: 7, stratify: true }, featureNames: ['x', 'colour_blue', 'colour_green', 'colour_red'] })
    // the same digest on SQLite and PostgreSQL (pinned), and again for the same options
    expect(split.sha256).toBe('e35564ae8b8423b705deb3e88abad63a8b916f955af9884379bb4c52c18f1646')
    const again = await sml('fv', 'split', 'pts2_view', '--test-size', '0.25', '--seed', '7', '--stratify')
    expect(again.stdout).toBe(`training dataset v2 of pts2_view v1: 30 train / 10 test rows as of commit ${split.trainingDataset.commitId}\nsha256 ${split.sha256}\n`)
    const bad = await sml('fv', 'split', 'pts2_view', '--test-size', '2')
    expect([bad.code, bad.stderr]).toEqual([1, 'error: invalid split options: testSize: must be between 0 and 1 (exclusive), got 2 (a fraction of the rows, not a number of rows)\n'])
    const pair = await sml('fv', 'create', 'pts2_bad', '--group', 'pts2', '--transform', 'x')
    expect([pair.code, pair.stderr]).toEqual([2, 'error: --transform takes column=kind pairs, got "x" (see sml fv create --help)\n'])
    const word = await sml('fv', 'split', 'pts2_view', '--test-size', 'abc')
    expect([word.code, word.stderr]).toEqual([2, 'error: --test-size must be a number, got "abc" (see sml fv split --help)\n'])
    expect((await sml('fv', 'split', 'pts2_view', '--seed', '1.5')).stderr).toMatch(/--seed must be an integer, got "1.5"/)
    expect((await sml('fv', 'split', 'pts2_view', '--split', 'time', '--seed', '5')).stderr).toMatch(/^error: --seed applies only to a random split/)
    const when = await sml('fv', 'split', 'pts2_view', '--split', 'time', '--test-start', 'yesterday')
    expect(when.code).toBe(2)
    expect(when.stderr).toMatch(/--test-start must be an ISO 8601 date or time/)
  })

  it('fg, models, export and migrate open the store a config names, as every command does, and report a broken config', async () => {
    const project = mkdtempSync(join(tmpdir(), 'sml-cli-config-'))
    const store = dialect === 'postgres' ? { url: tdb.env.DATABASE_URL, schema: tdb.env.SML_PG_SCHEMA } : { home: tdb.env.SML_HOME }
    writeFileSync(join(project, 'store.mjs'), `export default { systems: [], store: ${JSON.stringify(store)} }\n`)
    // the environment names no store (it would win over the file's), and the working directory has none (./.sml)
    const elsewhere = { SML_HOME: '', DATABASE_URL: '', SML_PG_SCHEMA: '' }
    const cwd = mkdtempSync(join(tmpdir(), 'sml-cli-elsewhere-'))
    const viaConfig = (...args: string[]) => runSml(['--config', join(project, 'store.mjs'), ...args], elsewhere, cwd)
    const file = join(project, 'cfg.csv')
    writeFileSync(file, 'id,x\n1,0.5\n2,1.5\n')
    expect((await viaConfig('fg', 'insert', 'via_config', '--file', file)).stdout).toMatch(/2 rows added/)
    expect(JSON.parse((await viaConfig('fg', 'list', '--json')).stdout).map((g: { name: string }) => g.name)).toContain('via_config')
    const plain = await runSml(['fg', 'list', '--json'], elsewhere, cwd)
    expect(plain.stderr, JSON.stringify(plain)).toMatch(/^error: no store at /)
    expect((await viaConfig('models', 'list')).code).toBe(0)
    expect((await viaConfig('migrate')).stdout).toMatch(/up to date/)
    const exported = await viaConfig('export', '--to', join(project, 'out.ndjson'))
    expect(exported.stdout).toMatch(/exported \d+ tables/)
    writeFileSync(join(project, 'broken.mjs'), 'export default {\n')
    const broken = await runSml(['--config', join(project, 'broken.mjs'), 'fg', 'list'], elsewhere, cwd)
    expect([broken.code, broken.stderr]).toEqual([1, expect.stringMatching(/^error: .*broken\.mjs/)])
    expect(broken.stderr).not.toMatch(/\n\s+at /)
  })
})
