import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../../db/test-support/dialects.js'
import { RunStore } from '../run-store.js'
import { startSml, waitFor, type SmlProcess } from '../test-support/sml.js'
import { createScheduler } from './index.js'
import { PgBossScheduler } from './pg-boss-scheduler.js'
import { SCALE_OUT_PIPELINES_MODULE } from './test-support/scale-out-pipelines.js'

// How long before the first tick the four workers get to start (tsx start-up on a busy machine).
const LEAD_MS = 15_000

/** A 6-field cron (read in UTC, as every schedule without a time zone) firing at exactly the three given seconds of one minute today. */
function threeSeconds(t0: Date): string {
  const s = t0.getUTCSeconds()
  return `${s},${s + 1},${s + 2} ${t0.getUTCMinutes()} ${t0.getUTCHours()} ${t0.getUTCDate()} ${t0.getUTCMonth() + 1} *`
}

describe.skipIf(!testDialectNames().includes('postgres'))('pg-boss scheduler on postgres', () => {
  let tdb: TestDatabase
  let db: SqlDialect
  let store: RunStore
  beforeAll(async () => {
    tdb = createTestDatabase('postgres')
    db = await tdb.open()
    store = new RunStore(db)
  })
  afterAll(async () => {
    await db.close()
    await tdb.drop()
  })

  it('is the default where the store has a job queue', async () => {
    const s = await createScheduler({ db })
    expect(s.name).toBe('pg-boss')
    await s.stop()
  })

  it('four workers run each tick of two pipelines exactly once, and a killed worker’s run is taken over', async () => {
    // Three ticks at whole seconds, all inside one minute, far enough ahead for the workers to start.
    let t0 = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000
    if (new Date(t0).getUTCSeconds() > 57) t0 += (60 - new Date(t0).getUTCSeconds()) * 1000
    const ticks = [t0, t0 + 1000, t0 + 2000]
    const env = {
      ...tdb.env,
      SML_PIPELINES_MODULE: SCALE_OUT_PIPELINES_MODULE,
      SML_TEST_TICK_CRON: threeSeconds(new Date(t0)),
      SML_BOSS_POLL_SECONDS: '0.5',
      SML_BOSS_MAINTENANCE_SECONDS: '1',
      SML_BOSS_EXPIRE_GRACE_SECONDS: '1',
    }
    // Each worker in its own time zone: the cron is read in UTC by all of them, so they propose the same ticks.
    const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe']
    const workers: SmlProcess[] = zones.map((TZ) => startSml(['worker', '--in-process', '--pipeline', 'tick_a', 'tick_b', 'crashy'], { ...env, TZ }))
    const stderr = workers.map(() => '')
    const startedAt = workers.map(() => Infinity)
    workers.forEach((w, i) =>
      w.child.stderr!.on('data', (d) => {
        stderr[i] += d
        if (startedAt[i] === Infinity && stderr[i].includes('started with pg-boss')) startedAt[i] = Date.now()
      }),
    )
    try {
      await waitFor(async () => (stderr.every((s) => s.includes('started with pg-boss')) ? true : undefined), 'four workers to start', LEAD_MS + 10_000).catch((e) => {
        throw new Error(`${(e as Error).message}:\n${stderr.join('\n---\n')}`)
      })
      // On a loaded machine a worker may come up late; it then simply joins from the next tick on.
      expect(startedAt.filter((t) => t < t0).length, 'workers up before the first tick').toBeGreaterThanOrEqual(2)

      // Bounded: every tick of both pipelines has a finished run.
      const succeeded = async (pipeline: string) => (await store.list({ pipeline, limit: 100 })).filter((r) => r.status === 'succeeded')
      await waitFor(async () => ((await succeeded('tick_a')).length >= 3 && (await succeeded('tick_b')).length >= 3 ? true : undefined), 'three ticks of each pipeline', 20_000)
      // Room for a late duplicate to show up, were there one.
      await new Promise((r) => setTimeout(r, 1500))
      for (const pipeline of ['tick_a', 'tick_b']) {
        const runs = await store.list({ pipeline, limit: 100 })
        expect(runs, pipeline).toHaveLength(3)
        expect(runs.every((r) => r.status === 'succeeded' && r.trigger === 'schedule' && r.attempt === 1)).toBe(true)
        expect(runs.map((r) => r.scheduledFor!.getTime()).sort()).toEqual(ticks)
        const rows = await db.kysely.selectFrom('sml_ticks').selectAll().where('pipeline', '=', pipeline).orderBy('scheduled_for').execute()
        expect(rows.map((t) => Number(t.scheduled_for))).toEqual(ticks)
        expect(new Set(rows.map((t) => Number(t.run_id)))).toEqual(new Set(runs.map((r) => r.id)))
        // Enqueue-once: pg-boss holds exactly one job per tick, each carrying the id the ledger recorded.
        const jobs = await db.kysely.selectFrom(`${tdb.env.SML_PG_SCHEMA}_boss.job`).select(['id', 'state']).where('name', '=', `sml.tick.${pipeline}`).execute()
        expect(jobs).toHaveLength(3)
        expect(new Set(jobs.map((j) => String(j.id)))).toEqual(new Set(rows.map((t) => t.job_id)))
        expect(jobs.every((j) => j.state === 'completed')).toBe(true)
      }

      // Kill the worker running a tick mid-run: pg-boss expires its job and another worker resumes the tick.
      const enqueuer = new PgBossScheduler({ db, workerId: 'test' }, { expireGraceSeconds: 1 })
      const scheduledFor = new Date(Date.UTC(2030, 0, 1))
      expect(await enqueuer.enqueue({ pipeline: 'crashy', cron: '0 0 1 1 *', timezone: 'UTC', maxDurationMs: 4000 }, scheduledFor)).toBe(true)
      expect(await enqueuer.enqueue({ pipeline: 'crashy', cron: '0 0 1 1 *', timezone: 'UTC', maxDurationMs: 4000 }, scheduledFor)).toBe(false)
      await enqueuer.stop()
      const stalled = await waitFor(async () => (await store.list({ pipeline: 'crashy' })).find((r) => r.status === 'running'), 'the crashy run to start')
      const victim = workers.findIndex((w) => w.child.pid === stalled.pid)
      expect(victim).toBeGreaterThanOrEqual(0)
      workers[victim].child.kill('SIGKILL')
      const recovered = await waitFor(async () => (await store.list({ pipeline: 'crashy' })).find((r) => r.status === 'succeeded'), 'another worker to take over the tick', 25_000).catch(async (e) => {
        const jobs = await db.kysely.selectFrom(`${tdb.env.SML_PG_SCHEMA}_boss.job`).selectAll().where('name', '=', 'sml.tick.crashy').execute()
        throw new Error(`${(e as Error).message}:\n${JSON.stringify(jobs)}\n${stderr.map((s) => s.split('\n').filter((l) => !l.startsWith('    at')).slice(-15).join('\n')).join('\n---\n')}`)
      })
      const attempts = await store.attempts(recovered.id)
      expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
        [1, 'abandoned'],
        [2, 'succeeded'],
      ])
      expect(attempts[0].error).toMatch(/stopped answering/)
      expect(attempts[1].pid).not.toBe(stalled.pid)
      expect(attempts.every((a) => a.scheduledFor?.getTime() === scheduledFor.getTime() && a.firstAttemptId === stalled.id)).toBe(true)
      const tick = await db.kysely.selectFrom('sml_ticks').selectAll().where('pipeline', '=', 'crashy').executeTakeFirstOrThrow()
      expect(Number(tick.run_id)).toBe(stalled.id)
      expect(tick.claimed_by).toBe(`${attempts[1].hostname}:${attempts[1].pid}`)
    } finally {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM')
    }
    const results = await Promise.all(workers.map((w) => w.done))
    expect(results.filter((r) => r.signal !== 'SIGKILL').map((r) => r.code)).toEqual([0, 0, 0])
  })
})
