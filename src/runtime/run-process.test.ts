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
    expect(ok.stderr).toMatch(/flaky: succeeded after 3 attempts/)
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

  /** Starts `sml run sleepy` for a tick of its own (a tick whose run was abandoned resumes it) and waits until it is under way. */
  let tick = Date.UTC(2026, 0, 1, 6)
  async function startSleepy(options: { readonly ipc?: boolean } = {}) {
    tick += 86_400_000
    const proc = startSml(['run', 'sleepy', '--scheduled-for', String(tick), '--trigger', 'schedule'], tdb.env, options)
    const run = await waitFor(async () => {
      const [r] = await store.list({ pipeline: 'sleepy', limit: 1 })
      if (!r || r.pid !== proc.child.pid) return undefined
      return (await store.logs(r.id)).some((l) => l.message === 'sleeping') ? r : undefined
    }, 'the sleepy run to start')
    return { proc, run }
  }

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s ends the run at once: recorded abandoned, one line, exit %i', async (signal, exitCode) => {
    const { proc, run } = await startSleepy()
    expect(run.status).toBe('running')
    proc.child.kill(signal)
    const done = await proc.done
    expect([done.code, done.signal]).toEqual([exitCode, null])
    // The pipeline sleeps for a minute: the exit did not wait for it.
    expect(done.stderr).toMatch(new RegExp(`\\nsleepy: interrupted by ${signal}: run ${run.id} abandoned after \\d`))
    expect(done.stderr.split('\n').filter((l) => l.includes(`interrupted by ${signal}`) && !l.startsWith('['))).toHaveLength(1)
    const after = await store.get(run.id)
    expect(after).toMatchObject({ status: 'abandoned', error: `interrupted by ${signal}`, attempt: 1 })
    expect(after.endedAt).not.toBeNull()
    expect((await store.logs(run.id)).at(-1)).toMatchObject({ level: 'error', message: `abandoned: interrupted by ${signal}` })
    // Nothing is left for the next runner to reap.
    const next = await sml(['run', 'noop'], tdb.env)
    expect(next.stderr).not.toContain('marked abandoned')
  })

  it('a run started by a worker records itself abandoned when the worker goes away (its IPC channel closes)', async () => {
    const { proc, run } = await startSleepy({ ipc: true })
    proc.child.disconnect()
    const done = await proc.done
    expect(done.code).toBe(1)
    expect(done.stderr).toContain('sml run sleepy: the worker that started this run is gone; stopping')
    expect(done.stderr).toMatch(new RegExp(`sleepy: the worker that started this run is gone: run ${run.id} abandoned after`))
    expect(await store.get(run.id)).toMatchObject({ status: 'abandoned', error: 'the worker that started this run is gone', trigger: 'schedule' })
  })
})
