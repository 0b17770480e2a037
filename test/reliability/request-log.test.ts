// The request log of a real `sml serve` process: a graceful stop (SIGTERM) writes every queued row; a
// kill -9 loses at most the rows not yet committed, and never leaves a partial commit.
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { useTestDatabase, testDialectNames, type TestDatabase } from '../../src/db/test-support/dialects.js'
import type { SqlDialect } from '../../src/db/index.js'
import { FeatureStore } from '../../src/featurestore/index.js'
import { DATA_DIR } from '../../src/featurestore/test-support/data.js'
import { iris, runDemo } from '../../src/systems/index.js'
import { requestsFeatureGroup } from '../../src/web/index.js'
import { startSml, type Sml } from '../support/processes.js'

const data = { source: { dataDir: DATA_DIR } }
const flower = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

async function serve(tdb: TestDatabase): Promise<{ sml: Sml; url: string }> {
  const sml = startSml(['serve', '--port', String(await freePort())], { ...tdb.env, SML_DATA_DIR: DATA_DIR })
  const line = await sml.waitFor(/serving http:\/\/\S+/, 60_000)
  return { sml, url: line.replace('serving ', '') }
}

async function predict(url: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    const res = await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, () =>
        fetch(`${url}/api/iris/predict`, { method: 'POST', body: JSON.stringify(flower), headers: { 'content-type': 'application/json' } }),
      ),
    )
    for (const r of res) expect(r.status).toBe(200)
  }
}

describe.each(testDialectNames())('request log of a server process on %s', (dialect) => {
  let tdb: TestDatabase
  let db: SqlDialect
  useTestDatabase(dialect, async (t, database) => {
    tdb = t
    db = database
    await runDemo(db, [iris], { days: 1, until: new Date('2026-05-03T12:00:00Z'), settings: data })
  })

  /** Rows in iris_requests, and whether every commit's recorded size matches the rows it holds. */
  async function logged(): Promise<{ rows: number; consistent: boolean }> {
    const fg = await requestsFeatureGroup(new FeatureStore(db), iris)
    const rows = await fg.count()
    const commits = await fg.commits()
    return { rows, consistent: commits.reduce((a, c) => a + c.rowsAdded, 0) === rows }
  }

  it('SIGTERM: every answered prediction is in the store after the server stops', async () => {
    const before = (await logged()).rows
    const { sml, url } = await serve(tdb)
    await predict(url, 300)
    sml.child.kill('SIGTERM')
    const exit = await sml.done
    expect(exit.code, exit.stderr).toBe(0)
    expect(await logged()).toEqual({ rows: before + 300, consistent: true })
  }, 120_000)

  it('the same signal twice at once (npm start passing on a group SIGTERM or a Ctrl-C), or a SIGHUP: still a clean stop', async () => {
    for (const signals of [['SIGTERM', 'SIGTERM'], ['SIGINT', 'SIGINT'], ['SIGHUP']] as const) {
      const before = (await logged()).rows
      const { sml, url } = await serve(tdb)
      await predict(url, 100)
      // Node's default for a signal with no listener ended the process mid-stop: 0 of 30 rows written in the trial
      for (const s of signals) sml.child.kill(s)
      const exit = await sml.done
      expect(exit.code, exit.stderr).toBe(0)
      expect(exit.stderr).toMatch(/stopped in .*request log: 100 rows written, 0 dropped, 0 failed/)
      expect(await logged()).toEqual({ rows: before + 100, consistent: true })
    }
  }, 180_000)

  it('kill -9: rows committed before it survive, at most the unflushed batch is lost, no partial commit', async () => {
    const before = (await logged()).rows
    const { sml, url } = await serve(tdb)
    await predict(url, 200)
    // wait until the server reports those rows written
    for (let i = 0; i < 300; i++) {
      const h = (await (await fetch(`${url}/health`)).json()) as { requestLog: { queued: number; written: number } }
      if (h.requestLog.queued === 0 && h.requestLog.written === 200) break
      await new Promise((r) => setTimeout(r, 50))
    }
    await predict(url, 50)
    sml.kill9()
    await sml.done
    const after = await logged()
    expect(after.consistent).toBe(true)
    expect(after.rows - before).toBeGreaterThanOrEqual(200)
    expect(after.rows - before).toBeLessThanOrEqual(250)
  }, 120_000)
})
