import type { SqlDialect } from '../db/index.js'
import { classify, type ErrorKind } from '../errors/index.js'
import { FeatureStore } from '../featurestore/index.js'
import { ModelRegistry } from '../registry/index.js'
import { retryDelay, type Pipeline, type PipelineContext, type RunLogger } from './pipeline.js'
import { createProgress } from './progress.js'
import { RunStore, type RunLogLine, type RunRecord, type RunStatus, type RunTrigger } from './run-store.js'
import { plural } from '../support/plural.js'

export interface RunPipelineOptions {
  readonly db: SqlDialect
  readonly trigger?: RunTrigger
  /** The schedule tick this run executes (links the tick to the run). */
  readonly scheduledFor?: Date | null
  /** Where log lines are echoed as they happen; default stderr. */
  readonly echo?: (line: string) => void
  /** Waits between attempts; injectable so tests need not wait out real backoff. */
  readonly sleep?: (ms: number) => Promise<void>
  /** Mark runs of dead processes abandoned first (default true). */
  readonly reapAbandoned?: boolean
  /**
   * Ends the run early when aborted (`sml run` aborts it on SIGINT/SIGTERM, or when the worker that started
   * it is gone): the running attempt is recorded `abandoned` at once, with the abort reason's message as
   * its error (`interrupted by SIGTERM`), its `ctx.signal` is aborted, and no further attempt starts.
   */
  readonly stop?: AbortSignal
}

export interface PipelineOutcome {
  /** The status of the last attempt. */
  readonly status: RunStatus
  readonly ok: boolean
  /** Every attempt, in order. */
  readonly runs: readonly RunRecord[]
}

/** Process exit code for an outcome: 0 succeeded, 124 timed out (as `timeout(1)`), 1 otherwise. */
export function exitCode(outcome: PipelineOutcome): number {
  return outcome.ok ? 0 : outcome.status === 'timed-out' ? 124 : 1
}

const defaultEcho = (line: string) => void process.stderr.write(`${line}\n`)
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * Runs a pipeline: one recorded attempt, then retries with exponential backoff after a failure or
 * timeout, each its own row in `sml_runs` with its own log. Errors that would repeat — a refused input or
 * definition (`ValidationError`, `SchemaChangedError`), something missing (`NotFoundError`: a data file, a
 * model), a state that forbids it (`ConflictError`), corrupt stored data (`CorruptError`) — are not retried
 * (`isRetryable`).
 */
export async function runPipeline(pipeline: Pipeline, options: RunPipelineOptions): Promise<PipelineOutcome> {
  const { db } = options
  const echo = options.echo ?? defaultEcho
  const sleep = options.sleep ?? defaultSleep
  const store = new RunStore(db)
  if (options.reapAbandoned !== false) {
    for (const r of await store.markAbandoned()) echo(`run ${r.id} (${r.pipeline}) marked abandoned: ${r.error}`)
  }
  const featureStore = new FeatureStore(db)
  const registry = new ModelRegistry(db)
  const runs: RunRecord[] = []
  // A tick whose earlier attempt was abandoned (its worker died and the job queue handed the tick to
  // this one) continues that invocation: same first attempt, numbering on, a full retry budget.
  const previous = options.scheduledFor ? await store.lastOfTick(pipeline.name, options.scheduledFor) : null
  const resumed = previous?.status === 'abandoned' ? previous : null
  const first = resumed ? resumed.attempt + 1 : 1
  const attempts = first + pipeline.retries
  for (let attempt = first; attempt <= attempts; attempt++) {
    const run = await store.start({
      pipeline: pipeline.name,
      trigger: options.trigger ?? 'manual',
      attempt,
      firstAttemptId: runs[0]?.firstAttemptId ?? resumed?.firstAttemptId,
      scheduledFor: options.scheduledFor ?? null,
    })
    const logger = new RecordingLogger(store, run.id, (l) => echo(`[${pipeline.name} #${run.id}] ${l.level === 'info' ? '' : `${l.level}: `}${l.message}`))
    logger.info(`attempt ${attempt}/${attempts} started (pid ${process.pid})${resumed && attempt === first ? `, resuming after abandoned run ${resumed.id}` : ''}`)
    const result = await attemptOnce(pipeline, { run, logger, db, featureStore, registry, scheduledFor: options.scheduledFor ?? null, stop: options.stop })
    const willRetry = result.status !== 'succeeded' && attempt < attempts && result.retryable
    const delay = willRetry ? retryDelay(pipeline, attempt) : 0
    if (result.status === 'succeeded') logger.info(`succeeded${result.rowsWritten ? `, ${plural(result.rowsWritten, 'row')} written` : ''}${result.model ? `, model ${result.model.name} v${result.model.version}` : ''}`)
    else
      logger.error(
        `${result.status}: ${result.error}${willRetry ? `; retrying in ${delay} ms` : attempt < attempts && result.status !== 'abandoned' ? '; not retried: it would fail the same way again' : ''}`,
      )
    await logger.close()
    runs.push(await store.finish(run.id, result))
    if (!willRetry) break
    await Promise.race([sleep(delay), aborted(options.stop)])
    if (options.stop?.aborted) break
  }
  const last = runs[runs.length - 1]
  return { status: last.status, ok: last.status === 'succeeded', runs }
}

interface AttemptInput {
  readonly run: RunRecord
  readonly logger: RecordingLogger
  readonly db: SqlDialect
  readonly featureStore: FeatureStore
  readonly registry: ModelRegistry
  readonly scheduledFor: Date | null
  readonly stop: AbortSignal | undefined
}

/** Resolves when `signal` aborts; never without one. */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve()
    else signal?.addEventListener('abort', () => resolve(), { once: true })
  })
}

/** The message of an abort reason (an Error, or whatever AbortController.abort was given). */
function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason
  return r instanceof Error ? r.message : String(r)
}

async function attemptOnce(pipeline: Pipeline, a: AttemptInput) {
  const controller = new AbortController()
  let rowsWritten = 0
  let model = null as { name: string; version: number } | null
  const ctx: PipelineContext = {
    pipeline: pipeline.name,
    runId: a.run.id,
    attempt: a.run.attempt,
    scheduledFor: a.scheduledFor,
    db: a.db,
    featureStore: a.featureStore,
    registry: a.registry,
    log: a.logger,
    signal: controller.signal,
    progress(label, total) {
      const p = createProgress(label, total)
      return {
        update: (done, phase) => p.update(done, phase),
        stop: (summary) => {
          p.stop()
          if (summary) a.logger.info(summary)
        },
      }
    },
    reportRows(n) {
      if (!Number.isFinite(n) || n < 0) throw new RangeError(`rows written must be a non-negative number, got ${n}`)
      rowsWritten += n
    },
    reportModel(m) {
      model = { name: m.name, version: m.version }
    },
  }
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), pipeline.timeoutMs)
  })
  const stopped = aborted(a.stop).then(() => 'stopped' as const)
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => pipeline.run(ctx)).then(() => 'done' as const), timedOut, stopped])
    if (outcome === 'stopped') {
      // Recorded now, while the pipeline may still be winding down: the process is about to end, and a run
      // left `running` would stay so until the next runner or worker marks it abandoned.
      const reason = reasonOf(a.stop!)
      controller.abort(new Error(reason))
      return { status: 'abandoned' as const, error: reason, rowsWritten, model, retryable: false }
    }
    if (outcome === 'timed-out') {
      controller.abort(new Error(`timed out after ${pipeline.timeoutMs} ms`))
      return { status: 'timed-out' as const, error: `timed out after ${pipeline.timeoutMs} ms`, rowsWritten, model, retryable: true }
    }
    return { status: 'succeeded' as const, error: null, rowsWritten, model, retryable: false }
  } catch (e) {
    // Our errors (refused input, missing model, corrupt artifact) are explained by their message; a stack only for the unexpected.
    const c = classify(e)
    if (!c.expected && c.stack) a.logger.error(c.stack)
    const retryable = isRetryable(c.kind)
    return { status: c.runStatus, error: c.message, rowsWritten, model, retryable }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Whether a failure of this kind (`classify(e).kind`) may pass on another attempt: `failed` (a source's
 * network error, 5xx or an answer that is not its JSON: `SourceFetchError`) and errors not ours (null: a
 * driver's connection or lock error). Every client-side kind — invalid, not-found, conflict — and corrupt
 * stored data fail the same way again, so the run says so at once rather than after the backoffs.
 */
export function isRetryable(kind: ErrorKind | null): boolean {
  return kind === 'failed' || kind === null
}

/** Echoes each line at once and records it in order; lines after close() (a timed-out run still going) are only echoed. */
class RecordingLogger implements RunLogger {
  private chain: Promise<void> = Promise.resolve()
  private closed = false
  private failed = false

  constructor(
    private readonly store: RunStore,
    private readonly runId: number,
    private readonly echo: (line: RunLogLine) => void,
  ) {}

  info(message: string): void {
    this.write('info', message)
  }
  warn(message: string): void {
    this.write('warn', message)
  }
  error(message: string): void {
    this.write('error', message)
  }

  async close(): Promise<void> {
    this.closed = true
    await this.chain
  }

  private write(level: RunLogLine['level'], message: string): void {
    const line: RunLogLine = { at: new Date(), level, message: String(message) }
    this.echo(line)
    if (this.closed) return
    this.chain = this.chain.then(() =>
      this.store.appendLog(this.runId, line).catch((e) => {
        // Losing a log line must not fail the run; say so once.
        if (!this.failed) process.stderr.write(`could not record log of run ${this.runId}: ${(e as Error).message}\n`)
        this.failed = true
      }),
    )
  }
}
