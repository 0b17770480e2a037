// An incremental fetch from a user's project, each run a fresh `sml run` process: the position the next run
// continues from is the one stored in the store (no process keeps it).
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase, type TestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from '../featurestore/index.js'
import { startFeed, type Feed } from '../systems/test-support/sensor.js'
import { tempProject } from './test-support/project.js'

const MAIN = fileURLToPath(new URL('../../dist/bin/main.js', import.meta.url))

function runSml(args: readonly string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, cwd }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr })
    })
  })
}

/** A project whose `meter` system fetches readings after the stored id from the feed's cursor API. */
const config = (feedUrl: string) => `
import { csvToRows, defineConfig, defineSystem, LinearRegression } from 'serverless-ml'
const schema = [{ name: 'id', type: 'int' }, { name: 'ts', type: 'timestamp' }, { name: 'x1', type: 'float' }, { name: 'x2', type: 'float' }, { name: 'y', type: 'float' }]
export default defineConfig({ systems: [defineSystem({
  name: 'meter', title: 'Meter', description: 'y from x1, x2',
  source: { load: () => [{ id: 1, ts: '2026-01-01', x1: 0, x2: 0, y: 0 }] },
  featureGroup: { name: 'meter', version: 1, description: 'readings', primaryKey: ['id'], eventTime: 'ts', schema, expectations: [] },
  clean: (table) => csvToRows(table, schema),
  label: { column: 'y' },
  fields: ['x1', 'x2'].map((name) => ({ kind: 'number', name, label: name, min: -100, max: 100, step: 0.1, default: 0 })),
  training: { testSize: 0.2, seed: 42 },
  model: { name: 'meter_model', description: 'linear', create: () => new LinearRegression() },
  daily: {
    async fetch(ctx) {
      const res = await ctx.fetch('${feedUrl}/feed?after=' + (ctx.position ?? '0'), { signal: ctx.signal })
      if (!res.ok) throw new Error('HTTP ' + res.status)
      const body = await res.json()
      return { rows: body.rows, position: String(body.last) }
    },
  },
  schedules: { daily: '0 6 * * *', batchInference: '15 6 * * *' },
})] })
`

let feed: Feed
beforeAll(async () => {
  feed = await startFeed(7)
})
afterAll(async () => {
  await feed.close()
})

describe.each(testDialectNames())('an incremental fetch run by sml processes on %s', (dialect) => {
  let tdb: TestDatabase
  let db: SqlDialect
  useTestDatabase(dialect, (t, d) => {
    tdb = t
    db = d
  })
  const project = tempProject()
  afterAll(() => project.remove())

  it('each fresh process continues from the stored position', async () => {
    writeFileSync(`${project.dir}/sml.config.mjs`, config(feed.url))
    const env = { ...tdb.env, SML_DATA_DIR: '' }
    const fs = new FeatureStore(db)
    const ids = async () => (await (await fs.getFeatureGroup('meter', 1)).read()).map((r) => r.id)

    const first = await runSml(['run', 'meter-daily'], env, project.dir)
    expect(first.stderr).toContain('first fetch: no stored position')
    expect(first.code).toBe(0)
    expect(await ids()).toEqual([1, 2, 3, 4, 5])

    // (A failing fetch is retried with 5 s, 10 s backoff: sources.test.ts covers it in-process.)
    const second = await runSml(['run', 'meter-daily'], env, project.dir)
    expect(second.stderr).toContain('fetching what arrived after position 5')
    expect(second.code).toBe(0)
    expect(await ids()).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect((await fs.sourcePosition('meter'))?.position).toBe('7')
  }, 60_000)
})
