import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { testDialectNames, useTestDatabase, type TestDatabase } from '../../db/test-support/dialects.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { iris, runDemo, titanic } from '../../systems/index.js'
import { CLI_SEQUENCE_TIMEOUT, runSml } from '../test-support/run-sml.js'

const data = { source: { dataDir: DATA_DIR } }

/** Every command that only reads the store (serve included: it serves a store, it does not make one). */
const READ_COMMANDS = [
  ['fg', 'list'],
  ['fg', 'show', 'iris'],
  ['fg', 'read', 'iris'],
  ['fv', 'list'],
  ['models', 'list'],
  ['models', 'show', 'iris_model'],
  ['models', 'artifact', 'iris_model', 'model.json'],
  ['runs'],
  ['runs', 'show', '1'],
  ['pipelines'],
  ['export', '--to', join(tmpdir(), 'sml-never-written.ndjson')],
  ['serve', '--port', '0'],
]

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await client.connect()
  try {
    return (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1
  } finally {
    await client.end()
  }
}

describe.each(testDialectNames())('read-only commands without a store on %s', (dialect) => {
  const dir = mkdtempSync(join(tmpdir(), 'sml-nostore-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  // Not created by createTestDatabase: its SQLite home already exists, and this home must not.
  const home = join(dir, 'absent', '.sml')
  const schema = `t_nostore_${process.pid}_${Date.now().toString(36)}`
  const env: Record<string, string> = dialect === 'sqlite' ? { SML_HOME: home, DATABASE_URL: '' } : { DATABASE_URL: process.env.DATABASE_URL!, SML_PG_SCHEMA: schema }
  const where = dialect === 'sqlite' ? home : `postgres://\\S+ \\(schema ${schema}\\)`

  it.each(READ_COMMANDS.map((args) => [args.join(' '), args] as const))('sml %s says there is no store and creates nothing', async (_name, args) => {
    const r = await runSml(args, env)
    expect(r.stderr).toMatch(new RegExp(`^error: no store at ${where} — run sml start, or set SML_HOME / DATABASE_URL\\n$`))
    expect(r.code).not.toBe(0)
    expect(r.stdout).toBe('')
    if (dialect === 'sqlite') expect(existsSync(join(dir, 'absent'))).toBe(false)
    else expect(await schemaExists(schema)).toBe(false)
  })
})

describe.each(testDialectNames())('read commands on a store on %s', (dialect) => {
  const UNTIL = '2026-05-03'
  let tdb: TestDatabase
  useTestDatabase(dialect, async (t, db) => {
    tdb = t
    await runDemo(db, [iris, titanic], { days: 2, until: new Date(`${UNTIL}T12:00:00Z`), settings: data })
  })
  const sml = (...args: string[]) => runSml(args, tdb.env)
  const json = async (...args: string[]) => {
    const r = await sml(...args)
    expect([r.code, r.stderr], args.join(' ')).toEqual([0, expect.not.stringMatching(/error/)])
    return JSON.parse(r.stdout)
  }

  it('--json prints JSON for every command that prints data', async () => {
    expect((await json('fg', 'list', '--json')).map((g: { name: string }) => g.name)).toEqual(['iris', 'iris_predictions', 'titanic', 'titanic_predictions'])
    expect(await json('fg', 'show', 'iris', '--json')).toMatchObject({ name: 'iris', version: 1 })
    const rows = await json('fg', 'read', 'iris', '--json', '--limit', '2')
    expect(rows).toEqual(await json('fg', 'read', 'iris', '--format', 'json', '--limit', '2'))
    expect(rows).toHaveLength(2)
    expect((await json('fv', 'list', '--json')).length).toBeGreaterThan(0)
    expect((await json('models', 'list', '--json')).map((m: { name: string }) => m.name)).toEqual(['iris_model', 'titanic_model'])
    expect(await json('models', 'show', 'iris_model', '--json')).toMatchObject({ name: 'iris_model', version: 1 })
    expect(await json('models', 'alias', 'iris_model', 'staging', '1', '--json')).toEqual({ name: 'iris_model', alias: 'staging', version: 1, removed: false })
    const runs = await json('runs', '--status', 'succeeded', '--limit', '100', '--json')
    expect(runs.length).toBeGreaterThan(8)
    expect(runs.every((r: { status: string }) => r.status === 'succeeded')).toBe(true)
    // --json after `show ID` belongs to show, though `runs` has a --json of its own
    expect(await json('runs', 'show', String(runs[0].id), '--json')).toMatchObject({ id: runs[0].id, logs: expect.any(Array) })
    const pipelines = await json('pipelines', '--json')
    expect(pipelines.map((p: { name: string }) => p.name)).toContain('iris-daily')
    // People read timeouts as durations (pretty-ms), JSON keeps milliseconds.
    const daily = pipelines.find((p: { name: string }) => p.name === 'iris-daily')
    expect(daily.timeoutMs).toBeGreaterThanOrEqual(60_000)
    const table = (await sml('pipelines')).stdout.split('\n').find((l) => l.startsWith('iris-daily '))
    expect(table).toMatch(/ \d+m /)
    expect(table).not.toMatch(/\d ms/)
    expect(await json('migrate', '--json')).toMatchObject({ applied: [] })
  }, CLI_SEQUENCE_TIMEOUT)

  it('--as-of with a commit that is not the group’s is a one-line error', async () => {
    const r = await sml('fg', 'read', 'iris', '--as-of', '999')
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'error: --as-of 999 is not a commit of feature group iris v1 (sml fg show iris lists its commits)\n'])
    const [first] = (await json('fg', 'show', 'iris', '--json')).commits
    expect(await json('fg', 'read', 'iris', '--json', '--as-of', String(first.id))).toHaveLength(150)
  })

  it('sml demo is idempotent per simulated day', async () => {
    const counts = async () => (await json('fg', 'list', '--json')).map((g: { name: string; rows: number }) => [g.name, g.rows])
    const before = await counts()
    // iris and titanic have two of the three days; air quality (the built-in config's third system) is bootstrapped and gets all three.
    expect(await json('demo', '--days', '3', '--until', UNTIL, '--data-dir', DATA_DIR, '--json')).toMatchObject({ runs: 4 + 6, skipped: 4 })
    const after = await counts()
    expect(after).not.toEqual(before)
    const again = await json('demo', '--days', '3', '--until', UNTIL, '--data-dir', DATA_DIR, '--json')
    expect(again).toMatchObject({ runs: 0, skipped: 9, systems: [{ system: 'iris', predictions: 3 }, { system: 'titanic', predictions: 3 }, { system: 'air_quality' }] })
    expect(await counts()).toEqual(after)
  })

  it('a port in use is one line naming --port, exit code 2', async () => {
    const held: Server = createServer()
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve))
    const { port } = held.address() as { port: number }
    try {
      const r = await sml('serve', '--port', String(port))
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `error: port ${port} on 127.0.0.1 is in use (choose another with --port, or stop what holds it)\n`])
    } finally {
      await new Promise((resolve) => held.close(resolve))
    }
  })
})

