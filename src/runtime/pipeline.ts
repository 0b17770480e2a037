import { validationError, type SqlDialect, type ValidationIssue } from '../db/index.js'
import type { FeatureStore } from '../featurestore/index.js'
import type { ModelRegistry } from '../registry/index.js'
import type { Progress } from './progress.js'
import { toSchedule, type Schedule, type ScheduleOptions } from './schedule.js'

const PIPELINE_NAME = /^[a-z][a-z0-9_-]{0,62}$/
const BRAND = Symbol.for('serverless-ml.pipeline')

export interface RunLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** What a pipeline's run function receives: the stores, a logger recorded with the run, and ways to report results. */
export interface PipelineContext {
  readonly pipeline: string
  readonly runId: number
  /** 1 for the first try, 2 for the first retry, … */
  readonly attempt: number
  /** The schedule tick being run, when started by a worker. */
  readonly scheduledFor: Date | null
  readonly db: SqlDialect
  readonly featureStore: FeatureStore
  readonly registry: ModelRegistry
  /** Lines are echoed to stderr and recorded in the run's log. */
  readonly log: RunLogger
  /** Aborted when the attempt times out; long steps should pass it on or check it. */
  readonly signal: AbortSignal
  /** A progress bar on a terminal, plain lines otherwise; the summary given to stop() is logged. */
  progress(label: string, total: number): Progress
  /** Adds to the run's rows-written count. */
  reportRows(n: number): void
  /** Records the model version this run produced. */
  reportModel(model: { readonly name: string; readonly version: number }): void
}

export interface PipelineOptions {
  /** Lowercase letters, digits, `_` and `-`, starting with a letter. */
  readonly name: string
  readonly description?: string
  /**
   * When `sml worker` runs it; none = manual only. A cron expression (5 or 6 fields, croner syntax)
   * is read in UTC; `{ cron, timezone }` reads it in an IANA time zone (`'Europe/Stockholm'`), so
   * `0 6 * * *` there follows the local 06:00 across daylight saving changes.
   */
  readonly schedule?: ScheduleOptions
  /** Extra attempts after a failure or timeout (default 0). */
  readonly retries?: number
  /** Delay before the first retry, doubling for each further one (default 1000 ms, capped at 5 minutes). */
  readonly backoffMs?: number
  /** Per attempt (default 1 hour). */
  readonly timeoutMs?: number
  run(ctx: PipelineContext): Promise<void> | void
}

export interface Pipeline {
  readonly name: string
  readonly description: string
  /** The cron and the time zone it is read in (`UTC` unless the definition named one); null = manual only. */
  readonly schedule: Schedule | null
  readonly retries: number
  readonly backoffMs: number
  readonly timeoutMs: number
  run(ctx: PipelineContext): Promise<void> | void
}

/** Declares a stateless pipeline; checked here so mistakes surface at import, not at 3 am. */
export function definePipeline(options: PipelineOptions): Pipeline {
  const issues: ValidationIssue[] = []
  if (typeof options.name !== 'string' || !PIPELINE_NAME.test(options.name)) {
    issues.push({ path: 'name', reason: `${JSON.stringify(options.name)} must be lowercase letters, digits, _ or -, starting with a letter` })
  }
  const count = (field: 'retries' | 'backoffMs' | 'timeoutMs', value: number | undefined, dflt: number, min: number) => {
    const v = value ?? dflt
    if (!Number.isInteger(v) || v < min) issues.push({ column: field, reason: `must be an integer ≥ ${min}, got ${value}` })
    return v
  }
  const retries = count('retries', options.retries, 0, 0)
  const backoffMs = count('backoffMs', options.backoffMs, 1000, 0)
  const timeoutMs = count('timeoutMs', options.timeoutMs, 3_600_000, 1)
  const schedule = options.schedule === undefined ? null : toSchedule(options.schedule, issues)
  if (typeof options.run !== 'function') issues.push({ column: 'run', reason: 'must be a function' })
  if (issues.length) throw validationError(issues, `pipeline ${String(options.name)}`)
  const p: Pipeline = {
    name: options.name,
    description: options.description ?? '',
    schedule: schedule === null ? null : Object.freeze(schedule),
    retries,
    backoffMs,
    timeoutMs,
    run: options.run,
  }
  Object.defineProperty(p, BRAND, { value: true })
  return Object.freeze(p)
}

export function isPipeline(v: unknown): v is Pipeline {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[BRAND] === true
}

/** Delay before attempt `attempt + 1`: backoffMs, 2×, 4×, … capped at 5 minutes. */
export function retryDelay(pipeline: Pipeline, attempt: number): number {
  return Math.min(pipeline.backoffMs * 2 ** (attempt - 1), 300_000)
}
