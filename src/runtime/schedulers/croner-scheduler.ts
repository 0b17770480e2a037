import { hostname } from 'node:os'
import { Cron } from 'croner'
import { validationError } from '../../db/index.js'
import { DEFAULT_TIMEZONE, type Schedule } from '../schedule.js'
import type { MissedTicks, ScheduledJob, Scheduler, SchedulerConfig, SchedulerStats, TickHandler, TickTrigger } from './scheduler.js'

const MAX_COUNTED = 10_000

/**
 * In-process cron (croner) in each worker; the shared store decides who runs a tick: the first
 * worker to insert (pipeline, scheduled_for) into `sml_ticks` runs it, the others see the row and skip.
 */
export class CronerScheduler implements Scheduler {
  readonly name = 'croner'
  private readonly jobs: Cron[] = []
  private readonly inFlight = new Set<Promise<void>>()
  private readonly workerId: string
  private claimed = 0
  private lost = 0

  constructor(private readonly config: SchedulerConfig) {
    this.workerId = config.workerId ?? `${hostname()}:${process.pid}`
  }

  get stats(): SchedulerStats {
    return { claimed: this.claimed, lost: this.lost }
  }

  async start(jobs: readonly ScheduledJob[], onTick: TickHandler): Promise<void> {
    this.validate(jobs)
    for (const job of jobs) this.startClock(job, (scheduledFor) => this.track(this.tick(job, scheduledFor, 'schedule', onTick)))
  }

  /** Throws a ValidationError naming the pipeline of the first cron expression croner cannot parse. */
  validate(jobs: readonly ScheduledJob[]): void {
    for (const job of jobs) cronFor(job)
  }

  /** Calls `fire` with each nominal fire time of the job's cron until stop(); other backends reuse this clock. */
  startClock(job: ScheduledJob, fire: (scheduledFor: Date) => void): void {
    this.jobs.push(
      new Cron(job.cron, { timezone: zoneOf(job) }, (self: Cron) => {
        // The nominal fire time (whole seconds), identical in every worker whatever its timer jitter.
        const scheduledFor = self.previousRuns(1, new Date(Date.now() + 500))[0]
        if (scheduledFor) fire(scheduledFor)
      }),
    )
  }

  async missedTicks(jobs: readonly ScheduledJob[], now = new Date()): Promise<MissedTicks[]> {
    const out: MissedTicks[] = []
    for (const job of jobs) {
      const cron = cronFor(job)
      const r = await this.config.db.kysely.selectFrom('sml_ticks').select((eb) => eb.fn.max('scheduled_for').as('last')).where('pipeline', '=', job.pipeline).executeTakeFirst()
      if (r?.last === null || r?.last === undefined) continue
      const lastTick = new Date(Number(r.last))
      const latest = cron.previousRuns(1, now)[0]
      if (!latest || latest.getTime() <= lastTick.getTime()) continue
      let missed = 0
      for (const t of cron.enumerate(lastTick)) {
        if (t.getTime() > latest.getTime() || ++missed >= MAX_COUNTED) break
      }
      out.push({ pipeline: job.pipeline, cron: job.cron, timezone: job.timezone, lastTick, latestMissed: latest, missed })
    }
    return out
  }

  async catchUp(missed: MissedTicks, onTick: TickHandler): Promise<boolean> {
    return this.tick({ pipeline: missed.pipeline, cron: missed.cron, timezone: missed.timezone }, missed.latestMissed, 'catch-up', onTick)
  }

  nextRun(schedule: Schedule, after = new Date()): Date | null {
    return cronFor(schedule).nextRun(after)
  }

  async stop(): Promise<void> {
    for (const j of this.jobs) j.stop()
    this.jobs.length = 0
    while (this.inFlight.size) await Promise.all([...this.inFlight])
  }

  /** Claims the tick in the store; the winner runs it. */
  private async tick(job: ScheduledJob, scheduledFor: Date, trigger: TickTrigger, onTick: TickHandler): Promise<boolean> {
    try {
      const won = await this.config.db.kysely
        .insertInto('sml_ticks')
        .values({ pipeline: job.pipeline, scheduled_for: scheduledFor.getTime(), claimed_at: Date.now(), claimed_by: this.workerId })
        .onConflict((oc) => oc.columns(['pipeline', 'scheduled_for']).doNothing())
        .returning('pipeline')
        .executeTakeFirst()
      if (!won) {
        this.lost++
        return false
      }
      this.claimed++
      await onTick(job, scheduledFor, trigger)
      return true
    } catch (e) {
      ;(this.config.onError ?? ((err) => process.stderr.write(`tick ${job.pipeline} @ ${scheduledFor.toISOString()} failed: ${String(err)}\n`)))(e)
      return false
    }
  }

  private track(p: Promise<unknown>): void {
    const done = p.then(() => {}).finally(() => this.inFlight.delete(done))
    this.inFlight.add(done)
  }
}

/**
 * The schedule's cron in its own time zone, paused (for computing fire times). The zone is always
 * passed: croner's default is the process's local time, which would make workers in different zones
 * disagree on every tick. Throws a ValidationError naming the pipeline when croner cannot parse it.
 */
export function cronFor(job: Schedule & { readonly pipeline?: string }): Cron {
  try {
    return new Cron(job.cron, { paused: true, timezone: zoneOf(job) })
  } catch (e) {
    const of = job.pipeline ? ` of pipeline ${job.pipeline}` : ''
    throw validationError([{ column: 'schedule', reason: `${JSON.stringify(job.cron)} (${zoneOf(job)})${of}: ${(e as Error).message}` }], 'schedule')
  }
}

/** The job's zone; UTC for a job built without one (plain JavaScript callers), never croner's local default. */
function zoneOf(s: Schedule): string {
  return (s.timezone as string | undefined) ?? DEFAULT_TIMEZONE
}
