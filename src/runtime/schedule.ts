import { Cron } from 'croner'
import type { ValidationIssue } from '../db/index.js'

/**
 * When a pipeline runs: a cron expression read in one named time zone. Every fire time is an
 * instant (a UTC `Date`), so workers on machines in different time zones agree on each tick.
 */
export interface Schedule {
  /** 5 or 6 fields (seconds first when 6), croner syntax. */
  readonly cron: string
  /** IANA time zone the cron's fields are read in (`UTC`, `Europe/Stockholm`); `UTC` unless the definition names one. */
  readonly timezone: string
}

/** How a definition writes a schedule: a cron string (read in UTC), or a cron with its time zone. */
export type ScheduleOptions = string | { readonly cron: string; readonly timezone?: string }

/** The zone a schedule without one is read in: never the machine's own, which differs between workers. */
export const DEFAULT_TIMEZONE = 'UTC'

/**
 * The canonical name of an IANA time zone (`utc` → `UTC`), or null when this runtime's Intl does not
 * know it. Intl is what croner converts with, so a zone accepted here is one the scheduler can use.
 */
export function canonicalTimeZone(name: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    return null
  }
}

/**
 * Checks a schedule as written and returns it with its time zone made explicit, pushing to `issues`
 * (field `schedule` / `schedule.cron` / `schedule.timezone`) and returning null when it is malformed.
 * The cron is parsed by croner, the parser the scheduler runs it with, so a value it refuses
 * (`61 6 * * *`: croner's `Invalid value for minute: 61`) is refused here with croner's reason, when
 * the pipeline or system is defined, rather than when a worker starts after a backfill and a training.
 */
export function toSchedule(options: ScheduleOptions, issues: ValidationIssue[], field = 'schedule'): Schedule | null {
  const before = issues.length
  const spec = typeof options === 'string' ? { cron: options } : options
  if (typeof spec !== 'object' || spec === null) {
    issues.push({ column: field, reason: `${JSON.stringify(options)} is neither a cron expression nor { cron, timezone }` })
    return null
  }
  const cron = typeof spec.cron === 'string' ? spec.cron.trim() : null
  if (cron === null || cron.split(/\s+/).length < 5) {
    issues.push({ column: typeof options === 'string' ? field : `${field}.cron`, reason: `${JSON.stringify(spec.cron)} is not a cron expression` })
  }
  let timezone: string | null = DEFAULT_TIMEZONE
  if (spec.timezone !== undefined) {
    timezone = typeof spec.timezone === 'string' ? canonicalTimeZone(spec.timezone) : null
    if (timezone === null) {
      issues.push({ column: `${field}.timezone`, reason: `${JSON.stringify(spec.timezone)} is not an IANA time zone (e.g. "UTC", "Europe/Stockholm", "America/New_York")` })
    }
  }
  if (issues.length === before) {
    const reason = cronProblem({ cron: cron!, timezone: timezone! })
    if (reason !== null) issues.push({ column: typeof options === 'string' ? field : `${field}.cron`, reason: `${JSON.stringify(cron)}: ${reason}` })
  }
  return issues.length === before ? { cron: cron!, timezone: timezone! } : null
}

/** Croner's reason it cannot read the schedule (`CronPattern: Invalid value for minute: 61`), or null when it can. */
export function cronProblem(schedule: Schedule): string | null {
  try {
    // Paused and without a callback: parsed only, no timer is set.
    new Cron(schedule.cron, { paused: true, timezone: schedule.timezone })
    return null
  } catch (e) {
    return (e as Error).message
  }
}

/** `0 6 * * * UTC`: the cron with the zone it is read in, for logs and listings. */
export function formatSchedule(s: Schedule): string {
  return `${s.cron} ${s.timezone}`
}

/**
 * The latest `count` fire times of a schedule before `before`, oldest first, as the worker would have
 * planned them (its cron in its zone).
 */
export async function previousFireTimes(schedule: Schedule, count: number, before: Date): Promise<Date[]> {
  const { cronFor } = await import('./schedulers/croner-scheduler.js')
  return cronFor(schedule).previousRuns(count, before).reverse()
}

/** The schedule's first fire time after `after`, or null when it never fires again. */
export async function nextFireTime(schedule: Schedule, after: Date): Promise<Date | null> {
  const { cronFor } = await import('./schedulers/croner-scheduler.js')
  return cronFor(schedule).nextRun(after)
}
