import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore, type Row } from '../featurestore/index.js'
import { ModelRegistry } from '../registry/index.js'
import { RunStore, runPipeline, type PipelineContext } from '../runtime/index.js'
import { defineSystem } from './define-system.js'
import { systemFeatureGroup } from './feature-groups.js'
import { systemPipelines } from './index.js'
import { dailyPipeline, newSourceRows } from './pipelines/daily.js'
import type { SystemSettings } from './settings.js'
import { loadSource, SourceFetchError } from './source.js'
import type { DailyFetch, SystemDescription } from './system.js'
import { reading, sensorSystem, startFeed, type Feed } from './test-support/sensor.js'

const quiet = { echo: () => {}, sleep: async () => {} }

let feed: Feed
/** A port nothing listens on. */
let closedPort: number
beforeAll(async () => {
  feed = await startFeed(20)
  const spare = await startFeed(0)
  closedPort = Number(new URL(spare.url).port)
  await spare.close()
})
afterAll(async () => {
  await feed.close()
})

const settings: SystemSettings = { source: { projectDir: mkdtempSync(join(tmpdir(), 'sml-sources-')), home: mkdtempSync(join(tmpdir(), 'sml-sources-home-')) } }
const jsonSource = (token = 'good') => ({ json: { url: `${feed.url}/readings.json`, headers: { authorization: `Bearer ${token}` }, map: (body: unknown) => (body as { data: Record<string, unknown>[] }).data } })

/** A cursor API's fetch: readings after the stored id, at most 5 a call; the last id is the position. */
const cursorFetch: DailyFetch = async (ctx) => {
  const res = await ctx.fetch(`${feed.url}/feed?after=${ctx.position ?? '0'}`, { signal: ctx.signal })
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  const body = (await res.json()) as { rows: Row[]; last: number }
  return { rows: body.rows, position: String(body.last) }
}

const ids = async (fs: FeatureStore, system: SystemDescription) => (await (await systemFeatureGroup(fs, system)).read()).map((r) => r.id)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('source descriptions', () => {
  it('reads a JSON document through its map, with the headers given, into one table for clean', async () => {
    feed.mode = 'ok'
    feed.count = 20
    const system = sensorSystem(jsonSource(), { fetch: newSourceRows() })
    const { table, origin } = await loadSource(system, settings.source)
    expect(origin).toBe(`${feed.url}/readings.json`)
    expect(table.header).toEqual(['id', 'ts', 'x1', 'x2', 'y'])
    const rows = system.clean(table)
    expect(rows).toHaveLength(20)
    expect(rows[0]).toEqual({ ...reading(1), ts: new Date('2026-01-01T00:00:00Z') })
  })

  it('gives a function source the context and lowercases its keys like a CSV header', async () => {
    let seen: unknown
    const system = sensorSystem(
      {
        load: (ctx) => {
          seen = { projectDir: ctx.projectDir, fetch: typeof ctx.fetch, signal: ctx.signal instanceof AbortSignal }
          return [{ ID: 1, Ts: '2026-01-01', X1: 1, X2: 2, Y: 0 }]
        },
      },
      { synthetic: { jitter: 0 } },
    )
    const { table } = await loadSource(system, settings.source)
    expect(seen).toEqual({ projectDir: settings.source!.projectDir, fetch: 'function', signal: true })
    expect(system.clean(table)).toEqual([{ id: 1, ts: new Date('2026-01-01T00:00:00Z'), x1: 1, x2: 2, y: 0 }])
  })

  it('refuses each failing source with the source and the reason', async () => {
    const cases: [string, SystemDescription, RegExp, string][] = [
      ['a refused token', sensorSystem(jsonSource('bad'), { fetch: newSourceRows() }), /cannot download http:\/\/127\.0\.0\.1:\d+\/readings\.json: HTTP 401 \(the credentials in the source's headers were refused\)/, 'failed'],
      ['a closed port', sensorSystem({ json: { url: `http://127.0.0.1:${closedPort}/x.json`, map: (b) => b as [] } }, { fetch: newSourceRows() }), /cannot download http:\/\/127\.0\.0\.1:\d+\/x\.json \(ECONNREFUSED\)/, 'failed'],
      ['map throwing', sensorSystem({ json: { ...jsonSource().json, map: () => { throw new Error('no field "data"') } } }, { fetch: newSourceRows() }), /sensor source .*readings\.json: source\.json\.map threw: no field "data"/, 'invalid'],
      ['map returning an object', sensorSystem({ json: { ...jsonSource().json, map: (b) => (b as { data: unknown[] }).data[0] as never } }, { fetch: newSourceRows() }), /source\.json\.map must return an array of records \(plain objects\), got an object/, 'invalid'],
      ['load returning non-records', sensorSystem({ load: () => [1, 2] as never }, { fetch: newSourceRows() }), /row 1: number 1 is not a record \(a plain object\).*\(returned by source\.load\)/, 'invalid'],
      ['load throwing', sensorSystem({ load: async () => { throw new TypeError('x is undefined') } }, { fetch: newSourceRows() }), /the sensor source function threw: x is undefined/, 'invalid'],
      ['no records', sensorSystem({ load: () => [] }, { fetch: newSourceRows() }), /the sensor source function returned no records/, 'invalid'],
    ]
    feed.mode = 'ok'
    for (const [name, system, message, kind] of cases) {
      const e = (await loadSource(system, settings.source).catch((err: unknown) => err)) as SourceFetchError
      expect(e?.message, name).toMatch(message)
      expect(e.kind, name).toBe(kind)
    }
    feed.mode = 'bad-json'
    const e = (await loadSource(sensorSystem(jsonSource(), { fetch: newSourceRows() }), settings.source).catch((err: unknown) => err)) as Error
    expect(e.message).toMatch(/sensor source .*readings\.json did not answer JSON \(.*; body starts "<html>maintenance<\/html>"\)/)
    feed.mode = 'ok'
  })

  it('defineSystem refuses malformed sources and daily pipelines, naming each path', () => {
    const issues = (source: unknown, daily: unknown, extra: Record<string, unknown> = {}) => {
      try {
        const base = sensorSystem({ file: 'a.csv' }, { synthetic: { jitter: 0 } })
        defineSystem({ ...base, source, daily, ...extra } as never)
        return []
      } catch (e) {
        return (e as { issues: { path: string; reason: string }[] }).issues.map((i) => `${i.path}: ${i.reason}`)
      }
    }
    expect(issues({ file: 'a.csv' }, { fetch: cursorFetch })).toEqual([])
    expect(issues(undefined, { synthetic: { jitter: 0 } })).toEqual([
      'source: must be a CSV { file, url? }, a JSON document { json: { url, headers?, map } } or a function { load }',
    ])
    expect(issues({ file: 'a.csv', load: () => [] }, { synthetic: { jitter: 0 } })).toEqual([
      'source: gives file and load: choose one of a CSV { file, url? }, a JSON document { json: { url, headers?, map } } or a function { load }',
    ])
    expect(issues({ json: { url: 'ftp://x', headers: { a: 1 }, map: 'data', cache: true } }, { fetch: 'newSourceRows' })).toEqual([
      'source.json.url: "ftp://x" must be an http(s) URL',
      'source.json.headers: must be an object of header names to string values',
      'source.json.map: must be a function (body) => records (an array of plain objects)',
      'source.json.cache: is not a field of a JSON source (url, headers, map)',
      'daily.fetch: must be a function (ctx) => Promise<{ rows, position }>',
    ])
    expect(issues({ load: [], url: 'http://x' }, { synthetic: { jitter: -1 }, fetch: cursorFetch })).toEqual([
      'source.url: is not a field of a function source (requiredColumns, load)',
      'source.load: must be a function (ctx) => records (an array of plain objects, or a promise of one)',
      'daily: gives both synthetic and fetch: choose one of { synthetic: { jitter, bounds? } } or { fetch: (ctx) => Promise<{ rows, position }> }',
    ])
    expect(issues({ file: 'dir/a.csv', url: 'nope' }, { synthetic: { jitter: -1, bounds: [] } })).toEqual([
      'source.file: must be a file name (no directory)',
      'source.url: "nope" must be an http(s) URL',
      'daily.synthetic.jitter: must be a number ≥ 0',
      'daily.synthetic.bounds: must be an object: class value → feature → [min, max]',
    ])
    // The shape before `daily` existed says where the spec went.
    expect(issues({ file: 'a.csv' }, undefined, { synthetic: { jitter: 0.1 } })).toEqual([
      'synthetic: moved into daily: write daily: { synthetic: { jitter, bounds? } }',
      'daily: must be { synthetic: { jitter, bounds? } } or { fetch: (ctx) => Promise<{ rows, position }> }',
    ])
  })
})

describe.each(testDialectNames())('sources and incremental fetches on %s', (dialect) => {
  let tdb: TestDatabase
  let db: SqlDialect
  let fs: FeatureStore
  const fresh = async () => {
    await db?.close()
    await tdb?.drop()
    tdb = createTestDatabase(dialect)
    db = await tdb.open()
    fs = new FeatureStore(db)
  }
  afterAll(async () => {
    await db?.close()
    await tdb?.drop()
  })

  it('backfills from a JSON source and from a function source; a failing JSON source writes nothing', async () => {
    await fresh()
    feed.mode = 'ok'
    feed.count = 20
    const json = sensorSystem(jsonSource(), { fetch: newSourceRows() })
    for (const mode of ['http-500', 'bad-json', 'not-an-array', 'bad-row'] as const) {
      feed.mode = mode
      const o = await runPipeline(systemPipelines(json, settings)[0], { db, ...quiet })
      expect(o.status, mode).toBe('failed')
      // the server's answers may pass on a retry; records the description's map or schema refuses would be refused again
      expect(o.runs, mode).toHaveLength(mode === 'http-500' || mode === 'bad-json' ? 3 : 1)
      expect(o.runs.at(-1)!.error, mode).toMatch(
        { 'http-500': /HTTP 500/, 'bad-json': /did not answer JSON/, 'not-an-array': /must return an array of records/, 'bad-row': /row 20, column "x1": "high" is not a valid float$/ }[mode],
      )
    }
    expect(await (await systemFeatureGroup(fs, json)).commits()).toEqual([])
    feed.mode = 'ok'
    const o = await runPipeline(systemPipelines(json, settings)[0], { db, ...quiet })
    expect(o.ok).toBe(true)
    expect(o.runs[0].rowsWritten).toBe(20)
    const rows = await (await systemFeatureGroup(fs, json)).read()
    // The source's own event times are kept (not the run's).
    expect(rows.map((r) => (r.ts as Date).toISOString())).toEqual(range(1, 20).map((i) => reading(i).ts))

    const fn = sensorSystem({ load: async () => range(1, 7).map(reading) }, { synthetic: { jitter: 0 } }, 'sensor_fn')
    expect((await runPipeline(systemPipelines(fn, settings)[0], { db, ...quiet })).runs[0].rowsWritten).toBe(7)
    expect(await ids(fs, fn)).toEqual(range(1, 7))
  })

  it('a missing data file fails the backfill at once with the path and where it must be, not after retries', async () => {
    await fresh()
    const csv = sensorSystem({ file: 'nowhere.csv' }, { synthetic: { jitter: 0 } }, 'sensor_csv')
    const o = await runPipeline(systemPipelines(csv, settings)[0], { db, ...quiet })
    expect(o.status).toBe('failed')
    expect(o.runs).toHaveLength(1)
    expect(o.runs[0].error).toMatch(/nowhere\.csv does not exist: the sensor_csv source has no URL, so the project directory \(or --data-dir\) must hold nowhere\.csv$/)
    const log = (await new RunStore(db).logs(o.runs[0].id)).map((l) => l.message)
    expect(log.at(-1)).toMatch(/; not retried: it would fail the same way again$/)
  })

  it('continues an incremental fetch from the position stored in the store, across store handles', async () => {
    await fresh()
    feed.mode = 'ok'
    feed.count = 12
    const system = sensorSystem({ load: () => [reading(1)] }, { fetch: cursorFetch })
    const daily = () => dailyPipeline(system, settings)
    const run = async () => runPipeline(daily(), { db, ...quiet })
    expect((await run()).runs[0].rowsWritten).toBe(5)
    expect(await fs.sourcePosition('sensor')).toMatchObject({ name: 'sensor', position: '5' })
    expect((await run()).runs[0].rowsWritten).toBe(5)
    // A new handle (as a new process would open) reads the position from the store, not from memory.
    await db.close()
    db = await tdb.open()
    fs = new FeatureStore(db)
    const third = await run()
    expect(third.runs[0].rowsWritten).toBe(2)
    expect(await ids(fs, system)).toEqual(range(1, 12))
    const stored = await fs.sourcePosition('sensor')
    const fg = await systemFeatureGroup(fs, system)
    expect(stored).toMatchObject({ position: '12', commitId: (await fg.latestCommit())!.id })

    // Nothing new: a successful run that writes nothing and says so.
    const none = await run()
    expect(none.ok).toBe(true)
    expect(none.runs[0].rowsWritten).toBe(0)
    expect((await fg.commits()).length).toBe(3)
    const logs = await new RunStore(db).logs(none.runs[0].id)
    expect(logs.map((l) => l.message)).toContain('no new rows after 12: nothing written')
  })

  it('a failing fetch or insert keeps rows and position as they were, after retrying what may pass', async () => {
    await fresh()
    feed.mode = 'ok'
    feed.count = 5
    const system = sensorSystem({ load: () => [reading(1)] }, { fetch: cursorFetch })
    expect((await runPipeline(dailyPipeline(system, settings), { db, ...quiet })).runs[0].rowsWritten).toBe(5)
    const fg = await systemFeatureGroup(fs, system)
    const before = { commits: (await fg.commits()).length, position: await fs.sourcePosition('sensor') }
    feed.count = 8
    for (const [mode, message] of [
      ['http-500', /^sensor daily fetch failed: HTTP 500$/],
      ['bad-json', /^sensor daily fetch failed: Unexpected token/],
      ['bad-row', /^sensor daily fetch returned invalid rows: .*row 3, column "x1".*"high"/],
    ] as const) {
      feed.mode = mode
      const hits = feed.hits['/feed']
      const o = await runPipeline(dailyPipeline(system, settings), { db, ...quiet })
      expect(o.status, mode).toBe('failed')
      // a refused row would be refused again: one attempt; the server's failures are retried
      expect(feed.hits['/feed'] - hits, `${mode}: one request per attempt`).toBe(mode === 'bad-row' ? 1 : 3)
      for (const r of o.runs) expect(r.error, mode).toMatch(message)
      expect({ commits: (await fg.commits()).length, position: await fs.sourcePosition('sensor') }, mode).toEqual(before)
    }
    // A fetch whose result is not { rows, position } is refused the same way.
    const broken = sensorSystem({ load: () => [reading(1)] }, { fetch: async () => ({ rows: 'x', position: 5 }) as never })
    const o = await runPipeline(dailyPipeline(broken, settings), { db, ...quiet })
    expect(o.runs[0].error).toBe('sensor daily fetch returned rows must be an array of rows, got string; position must be text or null, got number')

    // A failure inside the insert's transaction, after the rows were validated: neither rows nor position move.
    feed.mode = 'ok'
    const ctx = fakeContext(db, fs, (phase) => {
      if (phase === 'writing') throw new Error('disk full')
    })
    await expect(Promise.resolve(dailyPipeline(system, settings).run(ctx))).rejects.toThrow('disk full')
    expect({ commits: (await fg.commits()).length, position: await fs.sourcePosition('sensor') }).toEqual(before)
    expect(await ids(fs, system)).toEqual(range(1, 5))

    // Then the next run continues from the stored position.
    const ok = await runPipeline(dailyPipeline(system, settings), { db, ...quiet })
    expect(ok.runs[0].rowsWritten).toBe(3)
    expect((await fs.sourcePosition('sensor'))?.position).toBe('8')
  })

  it('refuses to move a position another run moved meanwhile, writing nothing', async () => {
    await fresh()
    feed.mode = 'ok'
    feed.count = 5
    const system = sensorSystem({ load: () => [reading(1)] }, { fetch: cursorFetch })
    const racing: DailyFetch = async (ctx) => {
      const result = await cursorFetch(ctx)
      // Another run stores its position while this one fetches.
      await fs.moveSourcePosition({ name: 'sensor', from: ctx.position, to: '99' })
      return result
    }
    const o = await runPipeline(dailyPipeline({ ...system, daily: { fetch: racing } }, { ...settings }), { db, ...quiet })
    expect(o.runs[0].error).toMatch(/^the position of sensor moved from null to "99" while this fetch ran: nothing written/)
    expect(await (await systemFeatureGroup(fs, system)).commits()).toEqual([])
  })

  it('a URL-sourced regression system with newSourceRows: backfill, fetch only new rows, train, batch-predict the fetched rows', async () => {
    await fresh()
    feed.mode = 'ok'
    feed.count = 40
    const system = sensorSystem(jsonSource(), { fetch: newSourceRows() })
    const [feature, training, daily, batch] = systemPipelines(system, settings)
    const registry = new ModelRegistry(db)
    expect((await runPipeline(feature, { db, ...quiet })).runs[0].rowsWritten).toBe(40)
    expect((await runPipeline(training, { db, ...quiet })).ok).toBe(true)
    // The first fetch starts after the latest backfilled event time: nothing new yet.
    const first = await runPipeline(daily, { db, ...quiet })
    expect([first.ok, first.runs[0].rowsWritten]).toEqual([true, 0])
    expect((await fs.sourcePosition('sensor'))?.position).toBe(reading(40).ts)
    // The first batch run predicts the test split's rows (since the training data's commit): nothing yet.
    expect((await runPipeline(batch, { db, ...quiet })).ok).toBe(true)

    feed.count = 46
    const second = await runPipeline(daily, { db, ...quiet })
    expect(second.runs[0].rowsWritten).toBe(6)
    expect((await fs.sourcePosition('sensor'))?.position).toBe(reading(46).ts)
    const predicted = await runPipeline(batch, { db, ...quiet })
    expect(predicted.runs[0].rowsWritten).toBe(6)
    const predictions = await (await fs.getFeatureGroup('sensor_predictions')).read()
    const fetched = predictions.filter((p) => (p.id as number) > 40)
    expect(fetched.map((p) => p.id)).toEqual(range(41, 46))
    // y is linear in x1, x2 up to noise ≤ 0.4: the fitted model predicts each fetched reading closely.
    for (const p of fetched) expect(Math.abs((p.predicted as number) - (p.actual as number))).toBeLessThan(0.5)
    expect((await registry.getByAlias('sensor_model', 'production')).version).toBe(1)

    // A key already stored comes back changed: it is upserted (a new version, counted as updated).
    const changed: DailyFetch = async (ctx) => ({ rows: [{ ...reading(46), y: 1 }], position: ctx.position })
    const upsert = await runPipeline(dailyPipeline({ ...system, daily: { fetch: changed } }, settings), { db, ...quiet })
    expect(upsert.ok).toBe(true)
    const fg = await systemFeatureGroup(fs, system)
    expect((await fg.latestCommit())).toMatchObject({ rowsAdded: 0, rowsUpdated: 1 })
    expect((await fg.read()).find((r) => r.id === 46)?.y).toBe(1)
  })
})

/** A pipeline context without the runner, whose progress bar calls `onPhase` (to fail inside a transaction). */
function fakeContext(db: SqlDialect, fs: FeatureStore, onPhase: (phase: string | undefined) => void): PipelineContext {
  const log = { info: () => {}, warn: () => {}, error: () => {} }
  return {
    pipeline: 'sensor-daily',
    runId: 0,
    attempt: 1,
    scheduledFor: null,
    db,
    featureStore: fs,
    registry: new ModelRegistry(db),
    log,
    signal: new AbortController().signal,
    progress: () => ({ update: (_done, phase) => onPhase(phase), stop: () => {} }),
    reportRows: () => {},
    reportModel: () => {},
  }
}
