import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase, type TestDatabase } from '../db/test-support/dialects.js'
import { RunStore } from './run-store.js'
import { sml, startSml, waitFor } from './test-support/sml.js'

describe.each(testDialectNames())('sml run as a fresh process on %s', (dialect) => {
  let tdb: TestDatabase
  let db: SqlDialect
  let store: RunStore
  useTestDatabase(dialect, async (opened, database) => {
    tdb = opened
    db = database
    store = new RunStore(db)
  })

  it('exits 0 after retries, 1 on failure, 124 on timeout, and lists the runs', async () => {
    const [ok, bad, late, unknown] = await Promise.all([
      sml(['run', 'flaky', '--json'], tdb.env),
      sml(['run', 'failing'], tdb.env),
      sml(['run', 'hung'], tdb.env),
      sml(['run', 'nope'], tdb.env),
    ])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout).map((r: { status: string }) => r.status)).toEqual(['failed', 'failed', 'succeeded'])
    expect(ok.stderr).toMatch(/flaky: succeeded after 3 attempt\(s\)/)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/error: failed: source unavailable/)
    expect(late.code).toBe(124)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/no pipeline nope \(known: .*flaky/)

    const [failed] = await store.list({ pipeline: 'failing' })
    const [all, only, show] = await Promise.all([
      sml(['runs', '--json', '--limit', '50'], tdb.env),
      sml(['runs', '--pipeline', 'failing', '--json'], tdb.env),
      sml(['runs', 'show', String(failed.id)], tdb.env),
    ])
    const runs = JSON.parse(all.stdout) as { id: number; pipeline: string; status: string }[]
    expect(runs.filter((r) => r.pipeline === 'flaky')).toHaveLength(3)
    expect(runs.find((r) => r.pipeline === 'hung')?.status).toBe('timed-out')
    expect(JSON.parse(only.stdout)).toEqual([expect.objectContaining({ id: failed.id, pipeline: 'failing', status: 'failed', error: 'source unavailable' })])
    expect(show.stdout).toMatch(/failing failed \(attempt 1, manual\)/)
    expect(show.stdout).toMatch(/error +Error: source unavailable/)
  })

  it('sml runs --pipeline refuses a name neither configured nor in the history, as sml run does', async () => {
    // A pipeline since removed from the config still shows the runs it left.
    const retired = await store.start({ pipeline: 'retired', trigger: 'manual', attempt: 1 })
    await store.finish(retired.id, { status: 'succeeded' })
    const [unknown, unknownJson, known, gone] = await Promise.all([
      sml(['runs', '--pipeline', 'nope'], tdb.env),
      sml(['runs', '--pipeline', 'nope', '--json'], tdb.env),
      sml(['runs', '--pipeline', 'ticker'], tdb.env),
      sml(['runs', '--pipeline', 'retired', '--json'], tdb.env),
    ])
    for (const r of [unknown, unknownJson]) {
      expect([r.code, r.stdout]).toEqual([1, ''])
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^error: no pipeline nope \(known: .*flaky.*ticker/)
    }
    expect([known.code, known.stdout, known.stderr]).toEqual([0, 'no runs yet: sml run PIPELINE\n', ''])
    expect(gone.code, gone.stderr).toBe(0)
    expect(JSON.parse(gone.stdout)).toEqual([expect.objectContaining({ id: retired.id, pipeline: 'retired', status: 'succeeded' })])
  })

  it('a run whose process is killed is marked abandoned when the next runner starts', async () => {
    const victim = startSml(['run', 'sleepy'], tdb.env)
    const run = await waitFor(async () => {
      const [r] = await store.list({ pipeline: 'sleepy', limit: 1 })
      if (!r) return undefined
      return (await store.logs(r.id)).some((l) => l.message === 'sleeping') ? r : undefined
    }, 'the sleepy run to start')
    expect(run).toMatchObject({ status: 'running', pid: victim.child.pid })
    victim.child.kill('SIGKILL')
    expect((await victim.done).signal).toBe('SIGKILL')
    expect((await store.get(run.id)).status).toBe('running')

    const next = await sml(['run', 'noop'], tdb.env)
    expect(next.code).toBe(0)
    expect(next.stderr).toContain(`run ${run.id} (sleepy) marked abandoned`)
    const after = await store.get(run.id)
    expect(after.status).toBe('abandoned')
    expect(after.error).toMatch(new RegExp(`process ${victim.child.pid} on .* ended without finishing`))
  })
})
