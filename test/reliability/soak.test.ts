// Concurrency soak on one SQLite file: daily + batch-inference pipelines and training runs as separate `sml run`
// processes, and 4 HTTP predict clients against listen() on loopback, all at once for SML_SOAK_SECONDS
// (10 in the test suite; `SML_SOAK_SECONDS=30 npx vitest run test/reliability/soak.test.ts` is the full soak).
// No "database is locked" / SQLITE_BUSY anywhere (exit codes, stderr, run records, HTTP statuses, request log),
// and no row lost: feature rows, predictions and logged requests are counted exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../src/db/index.js'
import { createTestDatabase, type TestDatabase } from '../../src/db/test-support/dialects.js'
import { FeatureStore } from '../../src/featurestore/index.js'
import { DATA_DIR } from '../../src/featurestore/test-support/data.js'
import { RunStore, runPipeline } from '../../src/runtime/index.js'
import { iris, predictionsFeatureGroup, runDemo, systemFeatureGroup, systemPipelines, titanic } from '../../src/systems/index.js'
import { createApp, createServices, listen, RequestLog, requestsFeatureGroup } from '../../src/web/index.js'
import { startSml, type Exit } from '../support/processes.js'

const SECONDS = Number(process.env.SML_SOAK_SECONDS ?? 10)
const BUSY = /database is locked|SQLITE_BUSY|SQLITE_LOCKED/i
const flower = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }
const passenger = { pclass: 3, sex: 'male', age: 30, sibsp: 0, parch: 0, embarked: 'S' }

describe(`SQLite under mixed load for ${SECONDS} s`, () => {
  let tdb: TestDatabase
  let db: SqlDialect
  beforeAll(async () => {
    tdb = createTestDatabase('sqlite')
    db = await tdb.open()
    await runDemo(db, [iris, titanic], { days: 2, until: new Date('2026-05-02T12:00:00Z'), settings: { source: { dataDir: DATA_DIR } } })
  })
  afterAll(async () => {
    await db.close()
    await tdb.drop()
  })

  it('loses no row and surfaces no lock error', async () => {
    const fs = new FeatureStore(db)
    const counts = async () => ({
      iris: await (await systemFeatureGroup(fs, iris)).count(),
      titanic: await (await systemFeatureGroup(fs, titanic)).count(),
      irisPredictions: await (await predictionsFeatureGroup(fs, iris)).count(),
      titanicPredictions: await (await predictionsFeatureGroup(fs, titanic)).count(),
      irisRequests: await (await requestsFeatureGroup(fs, iris)).count(),
      titanicRequests: await (await requestsFeatureGroup(fs, titanic)).count(),
    })
    const before = await counts()
    const runsBefore = (await new RunStore(db).list({ limit: 1000 })).length

    const logErrors: unknown[] = []
    const services = { ...createServices(db), requestLog: new RequestLog(db, { onError: (e) => logErrors.push(e) }) }
    const server = await listen(createApp(services), { port: 0 })
    const deadline = Date.now() + SECONDS * 1000
    const env = { ...tdb.env, SML_DATA_DIR: DATA_DIR }
    const exits: { args: string; exit: Exit }[] = []
    // Each group runs every one of its pipelines at least once, however slow the machine: the soak is about
    // them overlapping with each other and with the clients, not about how many fit in the window.
    const runAll = async (names: string[]) => {
      for (let i = 0; Date.now() < deadline || i < names.length; i++) {
        const args = ['run', names[i % names.length]]
        exits.push({ args: args.join(' '), exit: await startSml(args, env).done })
      }
    }

    const statuses = new Map<number, number>()
    const answered = { iris: 0, titanic: 0 }
    const client = async (n: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const system = (i + n) % 2 ? 'iris' : 'titanic'
        const one = system === 'iris' ? flower : passenger
        const rows = i % 10 === 0 ? Array.from({ length: 10 }, () => one) : [one]
        const res = await fetch(`${server.url}/api/${system}/predict`, { method: 'POST', body: JSON.stringify(rows.length === 1 ? one : rows), headers: { 'content-type': 'application/json' } })
        const body = (await res.json()) as unknown
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status === 200) answered[system] += Array.isArray(body) ? body.length : 1
        else logErrors.push(body)
      }
    }

    try {
      await Promise.all([
        runAll(['iris-daily', 'iris-batch-inference', 'titanic-daily', 'titanic-batch-inference']),
        runAll(['titanic-training', 'iris-training']),
        ...[0, 1, 2, 3].map(client),
      ])
    } finally {
      await server.close()
      await services.requestLog.close()
    }

    // Everything ran and said nothing about locks.
    expect(exits.length).toBeGreaterThanOrEqual(4)
    for (const { args, exit } of exits) {
      expect(exit.code, `${args}: ${exit.stderr.slice(-1000)}`).toBe(0)
      expect(exit.stderr + exit.stdout).not.toMatch(BUSY)
    }
    expect([...statuses.keys()]).toEqual([200])
    expect(logErrors).toEqual([])
    const runs = (await new RunStore(db).list({ limit: 1000 })).slice(0, -runsBefore || undefined)
    expect(runs.length).toBe(exits.length)
    for (const r of runs) {
      expect(r.status, `${r.pipeline} #${r.id}: ${r.error}`).toBe('succeeded')
      expect(r.error ?? '').not.toMatch(BUSY)
    }

    // A last batch run predicts whatever daily rows arrived after the soak's last batch run.
    for (const s of [iris, titanic]) expect((await runPipeline(systemPipelines(s)[3], { db, echo: () => {} })).status).toBe('succeeded')
    const daily = (name: string) => exits.filter((e) => e.args === `run ${name}`).length
    const after = await counts()
    expect(after).toEqual({
      iris: before.iris + daily('iris-daily'),
      titanic: before.titanic + daily('titanic-daily'),
      // Every synthetic row is predicted exactly once.
      irisPredictions: before.irisPredictions + daily('iris-daily'),
      titanicPredictions: before.titanicPredictions + daily('titanic-daily'),
      irisRequests: before.irisRequests + answered.iris,
      titanicRequests: before.titanicRequests + answered.titanic,
    })
    expect(answered.iris + answered.titanic).toBeGreaterThan(50)
    console.info(`soak ${SECONDS} s: ${exits.length} sml runs (${exits.map((e) => e.args.slice(4)).join(', ')}), ${answered.iris + answered.titanic} rows predicted over HTTP`)
  }, 60_000 + SECONDS * 3000)
})
