import type { SqlDialect } from '../../db/index.js'
import type { Schedule } from '../schedule.js'

/**
 * A pipeline on a cron schedule, read in the schedule's time zone (never the machine's): a tick is
 * the UTC instant of a fire time, the same in every worker wherever it runs.
 */
export interface ScheduledJob extends Schedule {
  readonly pipeline: string
  /**
   * The longest a tick's run can take (every attempt's timeout plus backoffs). A job queue treats a
   * tick held longer than this (plus a grace) as held by a dead worker and hands it to another.
   */
  readonly maxDurationMs?: number
}

export type TickTrigger = 'schedule' | 'catch-up'

/** Runs one tick; resolves when the run it started has finished. */
export type TickHandler = (job: ScheduledJob, scheduledFor: Date, trigger: TickTrigger) => Promise<void>

/** Ticks that passed while no worker ran. */
export interface MissedTicks extends Schedule {
  readonly pipeline: string
  /** The newest tick any worker recorded. */
  readonly lastTick: Date
  /** The cron's latest fire time before now: the one `--catch-up` runs. */
  readonly latestMissed: Date
  /** How many fire times were missed (counted up to 10 000). */
  readonly missed: number
}

export interface SchedulerStats {
  /** Ticks this worker won and ran. */
  readonly claimed: number
  /** Ticks another worker had already claimed. */
  readonly lost: number
}

/**
 * Fires each job's ticks so that every (pipeline, scheduled time) runs exactly once among all
 * workers sharing the store. Implementations live beside this file as `<backend>-scheduler.ts`.
 */
export interface Scheduler {
  readonly name: string
  readonly stats: SchedulerStats
  /** Throws a ValidationError for a cron expression it cannot parse. */
  start(jobs: readonly ScheduledJob[], onTick: TickHandler): Promise<void>
  /** Compares each job's last recorded tick with its cron's previous fire time. */
  missedTicks(jobs: readonly ScheduledJob[], now?: Date): Promise<MissedTicks[]>
  /** Runs a job's latest missed tick unless another worker claims it first; true when this one ran it. */
  catchUp(missed: MissedTicks, onTick: TickHandler): Promise<boolean>
  /** The next fire time of a schedule (cron in its time zone) after `after` (default now). */
  nextRun(schedule: Schedule, after?: Date): Date | null
  /** Stops firing and waits for the ticks in progress. */
  stop(): Promise<void>
}

export interface SchedulerConfig {
  readonly db: SqlDialect
  /** Recorded with each claimed tick; default `<hostname>:<pid>`. */
  readonly workerId?: string
  /** Where tick failures are reported (a tick's run failing is recorded in its run, not here). */
  readonly onError?: (error: unknown) => void
  /** The job queue's timings (pg-boss; the croner backend has none), from the configuration's edge. */
  readonly jobQueue?: JobQueueTuning
}

/** Timings of the pg-boss job queue, in seconds; unset = the defaults below. */
export interface JobQueueTuning {
  /** How often an idle worker polls its queues (pg-boss minimum 0.5 s); default 1 (`SML_BOSS_POLL_SECONDS`). */
  readonly pollSeconds?: number
  /** How often pg-boss looks for expired jobs across all workers; default 30 (`SML_BOSS_MAINTENANCE_SECONDS`). */
  readonly maintenanceSeconds?: number
  /** Added to a tick's longest legitimate duration before its job counts as held by a dead worker; default 60 (`SML_BOSS_EXPIRE_GRACE_SECONDS`). */
  readonly expireGraceSeconds?: number
}
