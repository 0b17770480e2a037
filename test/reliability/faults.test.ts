// Crash faults with real processes and kill -9: an insert killed inside its transaction leaves no partial
// commit; a training run killed around its save leaves no model version without its artifacts; a worker
// killed mid-run has that run marked abandoned by the next start; and the next insert / run succeeds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../src/db/index.js'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../../src/db/test-support/dialects.js'
import { DATA_DIR } from '../../src/featurestore/test-support/data.js'
import { ModelRegistry } from '../../src/registry/index.js'
import { RunStore, runPipeline } from '../../src/runtime/index.js'
import { systemPipelines, titanic } from '../../src/systems/index.js'
import { FAULT_PIPELINES_MODULE } from '../support/fault-pipelines.js'
import { startSml, sleep } from '../support/processes.js'
import { storeSnapshot } from '../support/store-snapshot.js'

const ROWS = 300_000

function bigCsv(path: string, n: number, tag: string) {
  const lines = ['id,v,s']
  for (let i = 1; i <= n; i++) lines.push(`${i},${(i * 0.37) % 97},${tag}${i % 1000}`)
  writeFileSync(path, lines.join('\n') + '\n')
}

/** Every version of every model: its artifacts all read back (the registry verifies each sha256 on read). */
async function checkArtifacts(db: SqlDialect): Promise<string[]> {
  const registry = new ModelRegistry(db)
  const seen: string[] = []
  for (const m of await registry.list()) {
    for (const v of await registry.listVersions(m.name)) {
      expect(v.artifacts.length).toBeGreaterThanOrEqual(5)
      for (const a of v.artifacts) expect((await registry.readArtifact(m.name, v.version, a.file)).byteLength).toBe(a.size)
      seen.push(`${m.name} v${v.version}`)
    }
  }
  return seen
}

describe.each(testDialectNames())('kill -9 on %s', (dialect) => {
  let tdb: TestDatabase
  let db: SqlDialect
  let dir: string
  beforeAll(async () => {
    tdb = createTestDatabase(dialect)
    db = await tdb.open()
    dir = mkdtempSync(join(tmpdir(), 'sml-fault-'))
  })
  afterAll(async () => {
    await db.close()
    await tdb.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('an insert killed inside its transaction leaves no partial commit; the next insert succeeds', async () => {
    const small = join(dir, 'small.csv')
    bigCsv(small, 1000, 'a')
    const first = startSml(['fg', 'insert', 'big', '--file', small], tdb.env)
    expect((await first.done).code).toBe(0)
    const before = await storeSnapshot(db)
    expect(before).toEqual({ 'big v1': { rows: 1000, commits: 1 } })

    const big = join(dir, 'big.csv')
    bigCsv(big, ROWS, 'b')
    const p = startSml(['fg', 'insert', 'big', '--file', big], tdb.env)
    // The first progress line with "writing" is printed after a chunk went into the open transaction.
    const seen = await p.waitFor(/insert big v1: \d+% \(\d+\/\d+\) writing/, 45_000)
    p.kill9()
    const exit = await p.done
    expect(exit.signal).toBe('SIGKILL')
    expect(seen).not.toMatch(/100%/)
    expect(exit.stdout).not.toMatch(/commit \d+:/)

    // A fresh connection (a restart) sees the group exactly as before.
    const reopened = await tdb.open()
    try {
      expect(await storeSnapshot(reopened)).toEqual(before)
    } finally {
      await reopened.close()
    }
    const small2 = join(dir, 'small2.csv')
    bigCsv(small2, 10, 'c')
    const next = startSml(['fg', 'insert', 'big', '--file', small2, '--json'], tdb.env)
    const r = await next.done
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).commit).toMatchObject({ rowsAdded: 0, rowsUpdated: 10 })
    expect(await storeSnapshot(db)).toEqual({ 'big v1': { rows: 1000, commits: 2 } })
  }, 60_000)

  it('training runs killed around their save leave no version without artifacts; they are marked abandoned; the next run succeeds', async () => {
    const env = { ...tdb.env, SML_DATA_DIR: DATA_DIR }
    expect((await runPipeline(systemPipelines(titanic, { source: { dataDir: DATA_DIR } })[0], { db, echo: () => {} })).status).toBe('succeeded')
    // One clean run measures the gap between the last log line before the save and the one after it.
    const clean = startSml(['run', 'titanic-training'], env)
    await clean.waitFor(/\] accuracy \d/, 45_000)
    const t0 = performance.now()
    await clean.waitFor(/\] registered titanic_model v1/, 45_000)
    const gap = performance.now() - t0
    expect((await clean.done).code).toBe(0)

    const killed: number[] = []
    const logs: string[] = []
    for (const fraction of [0.35, 0.8]) {
      const p = startSml(['run', 'titanic-training'], env)
      const started = await p.waitFor(/\[titanic-training #(\d+)\] attempt 1/, 45_000)
      const id = Number(/#(\d+)/.exec(started)![1])
      await p.waitFor(/\] accuracy \d/, 45_000)
      await sleep(gap * fraction)
      p.kill9()
      const exit = await p.done
      logs.push(exit.stderr)
      // On a loaded machine a run can finish before its kill; it must then have succeeded.
      if (exit.signal === 'SIGKILL') killed.push(id)
      else expect(exit.code).toBe(0)
      // Whichever side of the commit the kill landed on, every version is whole.
      await checkArtifacts(db)
    }

    const next = startSml(['run', 'titanic-training', '--json'], env)
    const r = await next.done
    expect(r.code).toBe(0)
    expect(killed.length).toBeGreaterThan(0)
    // The next runner to start (a later loop run or this one) marked each killed run abandoned.
    logs.push(r.stderr)
    for (const id of killed) expect(logs.join('\n')).toMatch(new RegExp(`run ${id} \\(titanic-training\\) marked abandoned`))
    const runs = new RunStore(db)
    for (const id of killed) {
      const run = await runs.get(id)
      expect(run.status).toBe('abandoned')
      expect(run.error).toMatch(/ended without finishing the run/)
    }
    const versions = await checkArtifacts(db)
    // v1 from the clean run, the last from the run after the kills, and any the killed runs had committed.
    expect(versions.length).toBeGreaterThanOrEqual(2)
    const last = JSON.parse(r.stdout).at(-1) as { status: string; model: { version: number } }
    expect(last.status).toBe('succeeded')
    expect(versions).toContain(`titanic_model v${last.model.version}`)
  }, 90_000)
})

describe('kill -9 of a worker mid-run (SQLite)', () => {
  let tdb: TestDatabase
  let dir: string
  beforeAll(() => {
    tdb = createTestDatabase('sqlite')
    dir = mkdtempSync(join(tmpdir(), 'sml-fault-worker-'))
  })
  afterAll(async () => {
    await tdb.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('marks the run abandoned on the next start, and the next run succeeds', async () => {
    const hold = join(dir, 'hold')
    writeFileSync(hold, '')
    const env = { ...tdb.env, SML_PIPELINES_MODULE: FAULT_PIPELINES_MODULE, SML_FAULT_HOLD: hold }
    const w1 = startSml(['worker', '--in-process', '--pipeline', 'fault-holder'], env)
    const line = await w1.waitFor(/\[fault-holder #(\d+)\] holding/, 30_000)
    const runId = Number(/#(\d+)/.exec(line)![1])
    w1.kill9()
    expect((await w1.done).signal).toBe('SIGKILL')
    const db = await tdb.open()
    try {
      const runs = new RunStore(db)
      expect((await runs.get(runId)).status).toBe('running')
      rmSync(hold)
      const w2 = startSml(['worker', '--in-process', '--pipeline', 'fault-holder'], env)
      await w2.waitFor(new RegExp(`run ${runId} \\(fault-holder\\) marked abandoned`), 30_000)
      await w2.waitFor(/\[fault-holder #\d+\] succeeded/, 30_000)
      w2.child.kill('SIGTERM')
      await w2.done
      const run = await runs.get(runId)
      expect(run.status).toBe('abandoned')
      expect(run.error).toMatch(/ended without finishing the run/)
      const after = await runs.list({ pipeline: 'fault-holder', limit: 100 })
      expect(after.some((r) => r.status === 'succeeded' && r.id > runId)).toBe(true)
      expect(after.filter((r) => r.status === 'running')).toEqual([])
    } finally {
      await db.close()
    }
  }, 60_000)
})
