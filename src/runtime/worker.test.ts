import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase, type TestDatabase } from '../db/test-support/dialects.js'
import { TEST_TIME_ZONES, withTimeZone } from '../db/test-support/time-zone.js'
import { definePipeline } from './pipeline.js'
import { RunStore } from './run-store.js'
import { runPipeline } from './runner.js'
import { createScheduler } from './schedulers/index.js'
import { startSml, waitFor } from './test-support/sml.js'
import { startWorker } from './worker.js'

describe.each(testDialectNames())('worker and schedules on %s', (dialect) => {
  let tdb: TestDatabase
  let db: SqlDialect
  let store: RunStore
  useTestDatabase(dialect, async (opened, database) => {
    tdb = opened
    db = database
    store = new RunStore(db)
  })

  it('two worker processes in different time zones on one store run each tick exactly once', async () => {
    // Every second of this UTC hour and the next. A worker reading the cron in its own zone (New York,
    // Kolkata: never these hours there) would fire nothing, and neither would find a tick taken.
    const h = new Date().getUTCHours()
    const env = { ...tdb.env, SML_TEST_TICKER_CRON: `* * ${h},${(h + 1) % 24} * * *` }
    const workers = ['America/New_York', 'Asia/Kolkata'].map((TZ) => startSml(['worker', '--in-process', '--pipeline', 'ticker'], { ...env, TZ }))
    let stderr = ['', '']
    workers.forEach((w, i) => w.child.stderr!.on('data', (d) => (stderr[i] += d)))
    await waitFor(async () => (stderr.every((s) => s.includes('scheduled ticker')) ? true : undefined), 'both workers to start')
    const bothUp = Date.now()
    // Bounded: three ticks scheduled after both workers were up, each with its finished run.
    await waitFor(async () => {
      const done = await db.kysely
        .selectFrom('sml_ticks as t')
        .innerJoin('sml_runs as r', 'r.id', 't.run_id')
        .select('t.scheduled_for')
        .where('t.scheduled_for', '>', bothUp)
        .where('r.status', '=', 'succeeded')
        .execute()
      return done.length >= 3 ? true : undefined
    }, 'three ticks to run')
    for (const w of workers) w.child.kill('SIGTERM')
    const results = await Promise.all(workers.map((w) => w.done))
    expect(results.map((r) => r.code)).toEqual([0, 0])

    const ticks = await db.kysely.selectFrom('sml_ticks').selectAll().where('pipeline', '=', 'ticker').execute()
    const runs = await store.list({ pipeline: 'ticker', limit: 1000 })
    expect(runs.every((r) => r.trigger === 'schedule' && r.status === 'succeeded')).toBe(true)
    // One run per tick, linked to it, and no run without a tick.
    expect(runs).toHaveLength(ticks.length)
    expect(new Set(runs.map((r) => r.scheduledFor!.getTime())).size).toBe(runs.length)
    expect(new Set(ticks.map((t) => Number(t.run_id)))).toEqual(new Set(runs.map((r) => r.id)))
    // Both workers saw the contested ticks: what one ran the other found taken.
    const stats = results.map((r) => r.stderr.match(/ran (\d+) ticks?, (\d+) taken by other workers/)!.slice(1).map(Number))
    expect(stats[0][0] + stats[1][0]).toBe(ticks.length)
    expect(stats[0][1] + stats[1][1]).toBeGreaterThanOrEqual(3)
  })

  it('reports ticks missed while no worker ran, and catches up the latest once', async () => {
    const job = { pipeline: 'catchy', cron: '*/5 * * * * *', timezone: 'UTC' }
    const t0 = Math.floor(Date.now() / 5000) * 5000 - 60_000
    const now = new Date(t0 + 15_000 + 2_500)
    const a = await createScheduler({ db, workerId: 'a' })
    const b = await createScheduler({ db, workerId: 'b' })
    expect(await a.missedTicks([job], now)).toEqual([])
    await db.kysely.insertInto('sml_ticks').values({ pipeline: 'catchy', scheduled_for: t0, claimed_at: t0, claimed_by: 'old' }).execute()
    const [missed] = await a.missedTicks([job], now)
    expect(missed).toEqual({ ...job, lastTick: new Date(t0), latestMissed: new Date(t0 + 15_000), missed: 3 })

    const catchy = definePipeline({ name: 'catchy', schedule: job.cron, run: (ctx) => ctx.log.info('caught up') })
    const handled: number[] = []
    const onTick = async (_job: unknown, scheduledFor: Date, trigger: 'schedule' | 'catch-up') => {
      handled.push(scheduledFor.getTime())
      await runPipeline(catchy, { db, trigger, scheduledFor, echo: () => {} })
    }
    expect(await Promise.all([a.catchUp(missed, onTick), b.catchUp(missed, onTick)]).then((r) => r.filter(Boolean).length)).toBe(1)
    expect(handled).toEqual([t0 + 15_000])
    const [run] = await store.list({ pipeline: 'catchy' })
    expect(run).toMatchObject({ trigger: 'catch-up', status: 'succeeded', scheduledFor: new Date(t0 + 15_000) })
    const tick = await db.kysely.selectFrom('sml_ticks').selectAll().where('pipeline', '=', 'catchy').where('scheduled_for', '=', t0 + 15_000).executeTakeFirstOrThrow()
    expect(Number(tick.run_id)).toBe(run.id)
    // Once caught up, nothing is missed any more.
    expect(await a.missedTicks([job], now)).toEqual([])
  })

  it('startWorker reports missed ticks and runs the latest with catchUp', async () => {
    const yearly = definePipeline({ name: 'yearly', schedule: '0 0 1 1 *', run: (ctx) => ctx.log.info('happy new year') })
    const manual = definePipeline({ name: 'manual_only', run: () => {} })
    const lastTick = Date.UTC(new Date().getUTCFullYear() - 3, 5, 1)
    await db.kysely.insertInto('sml_ticks').values({ pipeline: 'yearly', scheduled_for: lastTick, claimed_at: lastTick, claimed_by: 'old' }).execute()
    const lines: string[] = []
    const worker = await startWorker({ db, pipelines: [yearly, manual], catchUp: true, log: (l) => void lines.push(l) })
    await worker.stop()
    expect(worker.jobs).toEqual([{ pipeline: 'yearly', cron: '0 0 1 1 *', timezone: 'UTC', maxDurationMs: 3_600_000 }])
    expect(worker.missed).toHaveLength(1)
    expect(worker.missed[0].missed).toBe(3)
    expect(lines.some((l) => /^missed 3 ticks of yearly/.test(l))).toBe(true)
    const runs = await store.list({ pipeline: 'yearly' })
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ trigger: 'catch-up', status: 'succeeded', scheduledFor: worker.missed[0].latestMissed })
    expect(worker.scheduler.stats).toEqual({ claimed: 1, lost: 0 })
  })

  it('plans each tick at the same UTC instant whatever the machine’s time zone', async () => {
    const scheduler = await createScheduler({ db })
    const daily = definePipeline({ name: 'daily', schedule: '0 6 * * *', run: () => {} })
    const stockholm = definePipeline({ name: 'stockholm', schedule: { cron: '30 7 * * 1', timezone: 'Europe/Stockholm' }, run: () => {} })
    const after = new Date('2026-03-04T12:00:00Z')
    for (const zone of TEST_TIME_ZONES) {
      await withTimeZone(zone, () => {
        expect(scheduler.nextRun(daily.schedule!, after)?.toISOString(), zone).toBe('2026-03-05T06:00:00.000Z')
        // Monday 07:30 in Stockholm (CET, UTC+1).
        expect(scheduler.nextRun(stockholm.schedule!, after)?.toISOString(), zone).toBe('2026-03-09T06:30:00.000Z')
      })
    }
    await scheduler.stop()
  })

  it('keeps a UTC schedule at 06:00Z across daylight saving; a zoned one follows the local 06:00', async () => {
    const scheduler = await createScheduler({ db })
    const days = (schedule: { cron: string; timezone: string }) => {
      const out: string[] = []
      let t = new Date('2026-03-05T12:00:00Z')
      for (let i = 0; i < 5; i++) out.push((t = scheduler.nextRun(schedule, t)!).toISOString())
      return out
    }
    // US daylight saving starts 2026-03-08; the machine's own zone must not matter either.
    await withTimeZone('America/New_York', () => {
      expect(days({ cron: '0 6 * * *', timezone: 'UTC' })).toEqual(['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10'].map((d) => `${d}T06:00:00.000Z`))
      expect(days({ cron: '0 6 * * *', timezone: 'America/New_York' })).toEqual([
        '2026-03-06T11:00:00.000Z',
        '2026-03-07T11:00:00.000Z',
        '2026-03-08T10:00:00.000Z',
        '2026-03-09T10:00:00.000Z',
        '2026-03-10T10:00:00.000Z',
      ])
    })
    await scheduler.stop()
  })

  it('counts missed ticks in the schedule’s zone', async () => {
    const scheduler = await createScheduler({ db, workerId: 'tz' })
    const job = { pipeline: 'zoned', cron: '0 6 * * *', timezone: 'America/New_York' }
    const lastTick = Date.parse('2026-03-06T11:00:00Z')
    await db.kysely.insertInto('sml_ticks').values({ pipeline: 'zoned', scheduled_for: lastTick, claimed_at: lastTick, claimed_by: 'old' }).execute()
    const [missed] = await withTimeZone('Asia/Kolkata', () => scheduler.missedTicks([job], new Date('2026-03-09T12:00:00Z')))
    expect(missed).toEqual({ ...job, lastTick: new Date(lastTick), latestMissed: new Date('2026-03-09T10:00:00Z'), missed: 3 })
    await scheduler.stop()
  })

  it('refuses a schedule croner cannot parse: definePipeline at once, and the worker for a pipeline not made by it', async () => {
    expect(() => definePipeline({ name: 'bad_cron', schedule: '99 * * * *', run: () => {} })).toThrow(/schedule.*"99 \* \* \* \*": CronPattern: Invalid value for minute: 99/)
    const good = definePipeline({ name: 'bad_cron', schedule: '9 * * * *', run: () => {} })
    const bad = { ...good, schedule: { cron: '99 * * * *', timezone: 'UTC' } }
    await expect(startWorker({ db, pipelines: [bad], log: () => {} })).rejects.toThrow(/bad_cron/)
  })
})
