import { hostname } from 'node:os'
import { NotFoundError, type SqlDialect } from '../db/index.js'

import type { RunStatus } from './run-status.js'
export { RUN_STATUSES, type RunStatus } from './run-status.js'
/** manual: `sml run`; schedule: a worker's tick; catch-up: a missed tick run by `sml worker --catch-up`. */
/** How a run was started: by hand (`sml run`, Run now), a worker's tick, a missed tick caught up, `sml start`'s first backfill and training, or `sml demo`. */
export const RUN_TRIGGERS = ['manual', 'schedule', 'catch-up', 'bootstrap', 'demo'] as const
export type RunTrigger = (typeof RUN_TRIGGERS)[number]

/** One attempt of one pipeline; retries are further rows sharing `firstAttemptId`. */
export interface RunRecord {
  readonly id: number
  readonly pipeline: string
  readonly status: RunStatus
  readonly trigger: RunTrigger
  readonly attempt: number
  readonly firstAttemptId: number
  readonly scheduledFor: Date | null
  readonly startedAt: Date
  readonly endedAt: Date | null
  readonly error: string | null
  readonly rowsWritten: number
  readonly model: { readonly name: string; readonly version: number } | null
  readonly pid: number
  readonly hostname: string
}

export interface RunLogLine {
  readonly at: Date
  readonly level: 'info' | 'warn' | 'error'
  readonly message: string
}

export interface ListRunsOptions {
  readonly pipeline?: string
  readonly status?: RunStatus
  readonly trigger?: RunTrigger
  /** Newest first; default 50. */
  readonly limit?: number
  /** Runs to skip from the newest (paging); default 0. */
  readonly offset?: number
}

export interface StartRunOptions {
  readonly pipeline: string
  readonly trigger: RunTrigger
  readonly attempt: number
  readonly firstAttemptId?: number
  readonly scheduledFor?: Date | null
}

export interface FinishRunOptions {
  readonly status: Exclude<RunStatus, 'running'>
  readonly error?: string | null
  readonly rowsWritten?: number
  readonly model?: { readonly name: string; readonly version: number } | null
}

/** The run history in `sml_runs` / `sml_run_logs`, shared by every runner and worker on the store. */
export class RunStore {
  constructor(
    readonly db: SqlDialect,
    private readonly clock: () => number = Date.now,
  ) {}

  async start(o: StartRunOptions): Promise<RunRecord> {
    const startedAt = this.clock()
    const scheduledFor = o.scheduledFor ? o.scheduledFor.getTime() : null
    const id = await this.db.transaction(async (tx) => {
      const { id } = await tx.kysely
        .insertInto('sml_runs')
        .values({
          pipeline: o.pipeline,
          status: 'running',
          trigger: o.trigger,
          attempt: o.attempt,
          first_attempt_id: o.firstAttemptId ?? null,
          scheduled_for: scheduledFor,
          started_at: startedAt,
          rows_written: 0,
          pid: process.pid,
          hostname: hostname(),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      const runId = Number(id)
      if (o.firstAttemptId === undefined) await tx.kysely.updateTable('sml_runs').set({ first_attempt_id: runId }).where('id', '=', runId).execute()
      // Link a claimed schedule tick to the run that executes it.
      if (scheduledFor !== null) {
        await tx.kysely.updateTable('sml_ticks').set({ run_id: runId }).where('pipeline', '=', o.pipeline).where('scheduled_for', '=', scheduledFor).where('run_id', 'is', null).execute()
      }
      return runId
    })
    return this.get(id)
  }

  /** Ends a running attempt; an attempt already ended (e.g. marked abandoned) is left alone. */
  async finish(id: number, o: FinishRunOptions): Promise<RunRecord> {
    await this.db.kysely
      .updateTable('sml_runs')
      .set({
        status: o.status,
        ended_at: this.clock(),
        error: o.error ?? null,
        rows_written: o.rowsWritten ?? 0,
        model_name: o.model?.name ?? null,
        model_version: o.model?.version ?? null,
      })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute()
    return this.get(id)
  }

  async appendLog(runId: number, line: RunLogLine): Promise<void> {
    await this.db.kysely.insertInto('sml_run_logs').values({ run_id: runId, at: line.at.getTime(), level: line.level, message: line.message }).execute()
  }

  async get(id: number): Promise<RunRecord> {
    const r = await this.db.kysely.selectFrom('sml_runs').selectAll().where('id', '=', id).executeTakeFirst()
    if (!r) throw new NotFoundError(`no run ${id}`)
    return toRun(r)
  }

  async list(options: ListRunsOptions = {}): Promise<RunRecord[]> {
    let q = this.db.kysely.selectFrom('sml_runs').selectAll()
    if (options.pipeline !== undefined) q = q.where('pipeline', '=', options.pipeline)
    if (options.status !== undefined) q = q.where('status', '=', options.status)
    if (options.trigger !== undefined) q = q.where('trigger', '=', options.trigger)
    const rows = await q
      .orderBy('id', 'desc')
      .limit(options.limit ?? 50)
      .offset(options.offset ?? 0)
      .execute()
    return rows.map(toRun)
  }

  /** Every attempt of the invocation a run belongs to, in order. */
  async attempts(id: number): Promise<RunRecord[]> {
    const run = await this.get(id)
    const rows = await this.db.kysely.selectFrom('sml_runs').selectAll().where('first_attempt_id', '=', run.firstAttemptId).orderBy('attempt').execute()
    return rows.map(toRun)
  }

  async logs(runId: number): Promise<RunLogLine[]> {
    const rows = await this.db.kysely.selectFrom('sml_run_logs').selectAll().where('run_id', '=', runId).orderBy('id').execute()
    return rows.map((r) => ({ at: new Date(Number(r.at)), level: r.level, message: r.message }))
  }

  /** The newest attempt that ran a schedule tick, if any. */
  async lastOfTick(pipeline: string, scheduledFor: Date): Promise<RunRecord | null> {
    const r = await this.db.kysely.selectFrom('sml_runs').selectAll().where('pipeline', '=', pipeline).where('scheduled_for', '=', scheduledFor.getTime()).orderBy('id', 'desc').limit(1).executeTakeFirst()
    return r ? toRun(r) : null
  }

  /**
   * Marks a tick's `running` attempts abandoned, whatever host ran them: the job queue decided their
   * worker is gone (its job expired and was handed to another worker).
   */
  async abandonTick(pipeline: string, scheduledFor: Date, reason: string): Promise<RunRecord[]> {
    const rows = await this.db.kysely
      .updateTable('sml_runs')
      .set({ status: 'abandoned', ended_at: this.clock(), error: reason })
      .where('pipeline', '=', pipeline)
      .where('scheduled_for', '=', scheduledFor.getTime())
      .where('status', '=', 'running')
      .returning('id')
      .execute()
    return Promise.all(rows.map((r) => this.get(Number(r.id))))
  }

  /**
   * Marks `running` attempts whose process is gone (same host, pid not alive) as abandoned.
   * Runs on other hosts cannot be checked from here and are left as they are.
   */
  async markAbandoned(isAlive: (pid: number) => boolean = processAlive): Promise<RunRecord[]> {
    const host = hostname()
    const rows = await this.db.kysely.selectFrom('sml_runs').select(['id', 'pid']).where('status', '=', 'running').where('hostname', '=', host).execute()
    const dead = rows.filter((r) => Number(r.pid) !== process.pid && !isAlive(Number(r.pid)))
    const marked: RunRecord[] = []
    for (const r of dead) {
      const res = await this.db.kysely
        .updateTable('sml_runs')
        .set({ status: 'abandoned', ended_at: this.clock(), error: `process ${r.pid} on ${host} ended without finishing the run` })
        .where('id', '=', r.id)
        .where('status', '=', 'running')
        .executeTakeFirst()
      if (Number(res.numUpdatedRows) > 0) marked.push(await this.get(Number(r.id)))
    }
    return marked
  }
}

/** True when a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function toRun(r: Record<string, any>): RunRecord {
  return {
    id: Number(r.id),
    pipeline: r.pipeline,
    status: r.status,
    trigger: r.trigger,
    attempt: Number(r.attempt),
    firstAttemptId: Number(r.first_attempt_id ?? r.id),
    scheduledFor: r.scheduled_for === null ? null : new Date(Number(r.scheduled_for)),
    startedAt: new Date(Number(r.started_at)),
    endedAt: r.ended_at === null ? null : new Date(Number(r.ended_at)),
    error: r.error,
    rowsWritten: Number(r.rows_written),
    model: r.model_name === null ? null : { name: r.model_name, version: Number(r.model_version) },
    pid: Number(r.pid),
    hostname: r.hostname,
  }
}
