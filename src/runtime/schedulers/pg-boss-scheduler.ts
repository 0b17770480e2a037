import { hostname } from 'node:os'
import { CompiledQuery } from 'kysely'
import PgBoss from 'pg-boss'
import { RunStore } from '../run-store.js'
import type { Schedule } from '../schedule.js'
import { CronerScheduler } from './croner-scheduler.js'
import type { JobQueueTuning, MissedTicks, ScheduledJob, Scheduler, SchedulerConfig, SchedulerStats, TickHandler, TickTrigger } from './scheduler.js'

/**
 * Tuning of the pg-boss backend; defaults suit production, tests shorten them. The timings also come from the
 * configuration (`SchedulerConfig.jobQueue`, read from SML_BOSS_* at the edge); these options win over it.
 */
export interface PgBossSchedulerConfig extends JobQueueTuning {
  /** Redeliveries of a tick whose worker died; default 3. */
  readonly retryLimit?: number
}

interface TickData {
  readonly pipeline: string
  readonly scheduledFor: number
  readonly trigger: TickTrigger
}

// pg-boss caps a job's expiration below 24 hours.
const MAX_EXPIRE_SECONDS = 23 * 3600
// Width of pg-boss's singleton slot; the key already names the tick, the slot only has to outlive the race.
const SINGLETON_SECONDS = 3600
const DEFAULT_MAX_DURATION_MS = 3_600_000

/**
 * Schedules through pg-boss on a PostgreSQL store, for many workers on many machines.
 *
 * - Clock: every worker runs the same croner clock (so 6-field, per-second crons work: pg-boss's own
 *   `schedule()` is minute-granular and its jobs do not carry the fire time). At each fire time every
 *   worker sends one job `{ pipeline, scheduledFor }` with `singletonKey` = the tick: pg-boss keeps one.
 * - Execution: `work()` on one queue per pipeline; pg-boss locks each job to one worker. The handler
 *   claims the tick in `sml_ticks` (with the job id), exactly as the croner backend does, so a
 *   duplicate job that slipped past the singleton is skipped and runs link to ticks the same way.
 * - Retries: a pipeline's own failures are retried by our runner (attempts, backoff, each a row).
 *   pg-boss retries only lost workers: a job still active past its longest legitimate duration plus a
 *   grace expires and is delivered again; the new holder marks the dead attempt abandoned and runs the
 *   next attempt of the same invocation.
 * - pg-boss lives in its own schema beside the store's (`<schema>_boss`, or `pgboss` beside `public`)
 *   and talks through the store's own connection pool.
 */
export class PgBossScheduler implements Scheduler {
  readonly name = 'pg-boss'
  private boss: PgBoss | null = null
  private starting: Promise<PgBoss> | null = null
  private readonly clock: CronerScheduler
  private readonly queues = new Set<string>()
  private readonly workIds = new Map<string, string>()
  private readonly inFlight = new Set<Promise<void>>()
  private readonly workerId: string
  private readonly tuning: Required<PgBossSchedulerConfig>
  private claimed = 0
  private lost = 0
  private stopping = false

  constructor(
    private readonly config: SchedulerConfig,
    tuning: PgBossSchedulerConfig = {},
  ) {
    this.workerId = config.workerId ?? `${hostname()}:${process.pid}`
    // Missed ticks, catch-up and cron parsing are the croner backend's, over the same `sml_ticks` ledger.
    this.clock = new CronerScheduler(config)
    const queue = config.jobQueue ?? {}
    this.tuning = {
      pollSeconds: tuning.pollSeconds ?? queue.pollSeconds ?? 1,
      maintenanceSeconds: tuning.maintenanceSeconds ?? queue.maintenanceSeconds ?? 30,
      expireGraceSeconds: tuning.expireGraceSeconds ?? queue.expireGraceSeconds ?? 60,
      retryLimit: tuning.retryLimit ?? 3,
    }
  }

  get stats(): SchedulerStats {
    const c = this.clock.stats
    return { claimed: this.claimed + c.claimed, lost: this.lost + c.lost }
  }

  async start(jobs: readonly ScheduledJob[], onTick: TickHandler): Promise<void> {
    this.clock.validate(jobs)
    if (jobs.length === 0) return
    const boss = await this.startBoss()
    for (const job of jobs) {
      await this.ensureQueue(job)
      const id = await boss.work<TickData>(queueName(job.pipeline), { batchSize: 1, pollingIntervalSeconds: this.tuning.pollSeconds }, async ([j]) => {
        await this.track(this.execute(job, j, onTick))
      })
      this.workIds.set(job.pipeline, id)
    }
    // The clock: each worker proposes every tick; pg-boss keeps one job per tick.
    for (const job of jobs) {
      this.clock.startClock(job, (scheduledFor) => {
        if (!this.stopping) void this.enqueue(job, scheduledFor, 'schedule').catch((e) => this.report(e))
      })
    }
  }

  /** Sends the job for one tick (once among all workers); true when this call created it. */
  async enqueue(job: ScheduledJob, scheduledFor: Date, trigger: TickTrigger = 'schedule'): Promise<boolean> {
    const boss = await this.startBoss()
    await this.ensureQueue(job)
    const data: TickData = { pipeline: job.pipeline, scheduledFor: scheduledFor.getTime(), trigger }
    const id = await boss.send(queueName(job.pipeline), data as object, {
      singletonKey: String(data.scheduledFor),
      singletonSeconds: SINGLETON_SECONDS,
      expireInSeconds: this.expireSeconds(job),
      retryLimit: this.tuning.retryLimit,
      retryDelay: 1,
    })
    if (id === null) {
      this.lost++
      return false
    }
    // Wake this worker's poller: the tick usually runs where it was enqueued, others take it when busy.
    const workId = this.workIds.get(job.pipeline)
    if (workId) boss.notifyWorker(workId)
    return true
  }

  missedTicks(jobs: readonly ScheduledJob[], now?: Date): Promise<MissedTicks[]> {
    return this.clock.missedTicks(jobs, now)
  }

  catchUp(missed: MissedTicks, onTick: TickHandler): Promise<boolean> {
    return this.clock.catchUp(missed, onTick)
  }

  nextRun(schedule: Schedule, after?: Date): Date | null {
    return this.clock.nextRun(schedule, after)
  }

  async stop(): Promise<void> {
    this.stopping = true
    await this.clock.stop()
    const boss = this.boss ?? (await this.starting?.catch(() => null))
    if (boss) {
      // Graceful: stop fetching, let the ticks in progress finish (recorded), then detach from the pool.
      await boss.stop({ graceful: true, wait: true, close: false, timeout: MAX_EXPIRE_SECONDS * 1000 })
    }
    while (this.inFlight.size) await Promise.all([...this.inFlight])
    this.boss = null
    this.starting = null
  }

  /** Claims the tick for this job in the ledger and runs it; resumes it when the job was redelivered after its worker died. */
  private async execute(job: ScheduledJob, j: PgBoss.Job<TickData>, onTick: TickHandler): Promise<void> {
    const scheduledFor = new Date(j.data.scheduledFor)
    const trigger = j.data.trigger
    const db = this.config.db
    const won = await db.kysely
      .insertInto('sml_ticks')
      .values({ pipeline: job.pipeline, scheduled_for: scheduledFor.getTime(), claimed_at: Date.now(), claimed_by: this.workerId, job_id: j.id })
      .onConflict((oc) => oc.columns(['pipeline', 'scheduled_for']).doNothing())
      .returning('pipeline')
      .executeTakeFirst()
    if (!won) {
      const tick = await db.kysely.selectFrom('sml_ticks').selectAll().where('pipeline', '=', job.pipeline).where('scheduled_for', '=', scheduledFor.getTime()).executeTakeFirst()
      if (!tick || tick.job_id !== j.id) {
        // Another job (or a catch-up) already has this tick.
        this.lost++
        return
      }
      // The same job again: pg-boss expired it in a worker that stopped answering and handed it here.
      const store = new RunStore(db)
      const last = await store.lastOfTick(job.pipeline, scheduledFor)
      if (last && last.status !== 'running' && last.status !== 'abandoned') return
      const reason = `worker ${tick.claimed_by} stopped answering; its job expired and was taken over by ${this.workerId}`
      await store.abandonTick(job.pipeline, scheduledFor, reason)
      await db.kysely
        .updateTable('sml_ticks')
        .set({ claimed_at: Date.now(), claimed_by: this.workerId })
        .where('pipeline', '=', job.pipeline)
        .where('scheduled_for', '=', scheduledFor.getTime())
        .execute()
    }
    this.claimed++
    await onTick(job, scheduledFor, trigger)
  }

  private expireSeconds(job: ScheduledJob): number {
    const s = Math.ceil((job.maxDurationMs ?? DEFAULT_MAX_DURATION_MS) / 1000) + this.tuning.expireGraceSeconds
    return Math.max(1, Math.min(MAX_EXPIRE_SECONDS, s))
  }

  private async ensureQueue(job: ScheduledJob): Promise<void> {
    const name = queueName(job.pipeline)
    if (this.queues.has(name)) return
    const boss = this.boss!
    // Creating one queue from several processes at once can deadlock inside pg-boss (partition DDL): one at a time.
    await this.config.db.withMigrationLock(async () => {
      if (await boss.getQueue(name)) return
      await boss.createQueue(name, { name, policy: 'standard', retryLimit: this.tuning.retryLimit, retryDelay: 1, expireInSeconds: this.expireSeconds(job) })
    })
    this.queues.add(name)
  }

  private startBoss(): Promise<PgBoss> {
    if (this.stopping) return Promise.reject(new Error('scheduler stopped'))
    this.starting ??= (async () => {
      const db = this.config.db
      // pg-boss goes through the store's own pool (same database, same credentials), in a schema beside the store's.
      const executor: PgBoss.Db = {
        executeSql: async (text, values) => {
          const r = await db.kysely.executeQuery(CompiledQuery.raw(text, values ?? []))
          return { rows: r.rows as unknown[] as any[] }
        },
      }
      const boss = new PgBoss({
        db: executor,
        schema: await bossSchema(this.config),
        schedule: false,
        supervise: true,
        migrate: true,
        maintenanceIntervalSeconds: this.tuning.maintenanceSeconds,
      })
      boss.on('error', (e) => this.report(e))
      // pg-boss installs its schema under its own advisory lock, but a process that waited there can still
      // miss the schema the winner just created (catalog caches are not refreshed by advisory locks) and
      // fail; workers starting together on a fresh database therefore install it one at a time, under the
      // store's migration lock.
      await db.withMigrationLock(() => boss.start())
      this.boss = boss
      return boss
    })()
    return this.starting
  }

  private report(e: unknown): void {
    ;(this.config.onError ?? ((err) => process.stderr.write(`pg-boss: ${String(err)}\n`)))(e)
  }

  private track(p: Promise<void>): Promise<void> {
    const done = p.finally(() => this.inFlight.delete(done))
    this.inFlight.add(done)
    return done
  }
}

/** One queue per pipeline, so a long pipeline never holds up another's ticks. */
function queueName(pipeline: string): string {
  return `sml.tick.${pipeline}`
}

/** `<store schema>_boss`, or pg-boss's usual `pgboss` when the store is in `public`. */
async function bossSchema(config: SchedulerConfig): Promise<string> {
  const r = await config.db.kysely.executeQuery<{ schema: string }>(CompiledQuery.raw('SELECT current_schema() AS schema', []))
  const schema = r.rows[0]?.schema
  return !schema || schema === 'public' ? 'pgboss' : `${schema}_boss`
}
