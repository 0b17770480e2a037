import type { SqlDialect } from '../db/index.js'
import type { FeatureGroup, FeatureGroupOptions, FeatureStore, PruneOptions, Row } from '../featurestore/index.js'
import { BufferPool, RequestRowsBuffer, type RequestRows } from './request-log-batch.js'
import { derivedFeatureGroup, inputSpecs, systemTask, type SystemDescription } from '../systems/index.js'
import { inProcessWriter, threadWriter, type RequestLogWriter } from './request-log-writer.js'

export { uuidv7 } from './request-log-batch.js'

/** `<system>_requests`: every online prediction's inputs and answer, for drift monitoring. */
export function requestsFeatureGroup(fs: FeatureStore, system: SystemDescription): Promise<FeatureGroup> {
  return derivedFeatureGroup(fs, requestsGroupOptions(system), requestsSource(system))
}

/**
 * The group whose columns `<system>_requests` logs as inputs, and whose version it follows: the window group of a
 * time series, else the system's group. A changed input set without a new version of it is refused at start.
 */
export function requestsSource(system: SystemDescription): { readonly name: string; readonly version: number } {
  return system.timeSeries ? system.timeSeries.windows : system.featureGroup
}

/**
 * The definition of `<system>_requests`: `predicted` is the class name and `probability` its probability for
 * a classification system; for a regression system `predicted` is the value (float) and there is no probability.
 */
export function requestsGroupOptions(system: SystemDescription): FeatureGroupOptions {
  const inputs = inputSpecs(system)
  const answer =
    systemTask(system) === 'regression'
      ? [{ name: 'predicted', type: 'float' as const, nullable: false }]
      : [
          { name: 'predicted', type: 'string' as const, nullable: false },
          { name: 'probability', type: 'float' as const, nullable: false },
        ]
  return {
    name: `${system.name}_requests`,
    version: requestsSource(system).version,
    description: `Online prediction requests to ${system.model.name} (inputs as stored codes)`,
    primaryKey: ['request_id'],
    eventTime: 'ts',
    schema: [
      { name: 'request_id', type: 'string' },
      { name: 'ts', type: 'timestamp' },
      ...inputs,
      ...answer,
      { name: 'model_version', type: 'int', nullable: false },
    ],
  }
}

/**
 * What the log records of one answer: a class name and its probability, or (regression) a value and no
 * probability. A serving `Prediction` is one as it is: without `probability`, the probability of the
 * predicted class is read from `probabilities`.
 */
export interface RequestAnswer {
  readonly prediction: string | number
  readonly probability?: number | null
  readonly probabilities?: Readonly<Record<string, number>>
  readonly modelVersion: number
}

/** Request-log settings: batching, the queue bound, and retention. */
export interface RequestLogOptions {
  /** Longest a logged request waits in memory before its batch is written (ms); default 200. */
  readonly flushMs?: number
  /** Rows per commit; default 2,000. A kill -9 loses at most the rows not yet committed. */
  readonly batchRows?: number
  /**
   * Most rows waiting to be written, all systems together; default 100,000. Past it the API keeps answering
   * and new rows are dropped and counted (`stats().dropped`, `/health`) instead of growing memory.
   */
  readonly maxQueuedRows?: number
  /** Retention window in days; default 30. */
  readonly maxAgeDays?: number
  /** Most rows kept per system; default 1,000,000. */
  readonly maxRows?: number
  /** Fraction of requests logged, 0–1; default 1 (every request). */
  readonly sampleRate?: number
  /** Least time between two retention passes (ms); default 10,000. */
  readonly pruneEveryMs?: number
  /** Where batches go; default a writer thread with its own connection (the event loop where threads cannot start). */
  readonly writer?: RequestLogWriter
  readonly onError?: (e: unknown) => void
  /** Clock (tests). */
  readonly now?: () => number
}

/** Counters of the request log since the server started. */
export interface RequestLogStats {
  /** Rows waiting in memory or in the batch being written. */
  readonly queued: number
  readonly written: number
  /** Rows refused because the writer had fallen behind by more than `maxQueuedRows`. */
  readonly dropped: number
  /** Rows not logged by sampling. */
  readonly sampledOut: number
  /** Rows removed by retention. */
  readonly pruned: number
  /** Rows whose batch the store refused (the error goes to the log). */
  readonly failed: number
}

/**
 * The request log: buffers every online prediction and writes it to `<system>_requests` in bounded batches,
 * off the event loop (a writer thread with its own connection: SQLite inserts, COPY on PostgreSQL), one batch
 * in flight at a time. The queue is bounded: past `maxQueuedRows` rows are dropped and counted rather than held. Retention
 * (age and row bounds, optional sampling) is applied by the writer a little at a time after its writes.
 * `close()` writes everything queued (SIGTERM / SIGINT); a kill -9 loses the rows not yet committed, at most
 * `maxQueuedRows` and normally under `flushMs` of traffic.
 */
export class RequestLog {
  /** Each system's rows since its last batch was sealed, in preallocated columns. */
  private readonly buffers = new Map<string, { system: SystemDescription; buffer: RequestRowsBuffer }>()
  /** Full batches waiting for the next `flush()`. */
  private sealed: { system: SystemDescription; rows: RequestRows }[] = []
  private readonly groups = new Map<string, FeatureGroupOptions>()
  private readonly pool = new BufferPool()
  private timer: NodeJS.Timeout | null = null
  private inFlight = 0
  private queuedRows = 0
  private writing: Promise<void> = Promise.resolve()
  private readonly counts = { written: 0, dropped: 0, sampledOut: 0, pruned: 0, failed: 0 }
  private lastPrune = new Map<string, number>()
  private lastDropReport = 0
  private writerStarted: RequestLogWriter | null = null
  private closed = false
  private readonly flushTimeout = () => void this.flush()

  constructor(
    private readonly db: SqlDialect,
    private readonly options: RequestLogOptions = {},
  ) {}

  /** Started on the first write, so a server that logs nothing starts no thread. */
  private get writer(): RequestLogWriter {
    return (this.writerStarted ??= this.options.writer ?? threadWriter(this.db) ?? inProcessWriter(this.db))
  }

  stats(): RequestLogStats {
    return { queued: this.queuedRows + this.inFlight, ...this.counts }
  }

  /**
   * Logs the answered rows of one request. The event loop only copies each row's values into its system's
   * columns (`RequestRowsBuffer`); ids, row objects and the feature store's validation are made by the writer,
   * off the loop. `rows[i]` are the validated model inputs (stored codes) and `answers[i]` their answers.
   */
  add(system: SystemDescription, rows: readonly Row[], answers: readonly RequestAnswer[]): void {
    if (this.closed) return
    const ts = this.now()
    const rate = this.options.sampleRate ?? 1
    const max = this.options.maxQueuedRows ?? 100_000
    let entry = this.buffers.get(system.name)
    if (!entry) {
      entry = { system, buffer: new RequestRowsBuffer(this.group(system).schema!.filter((f) => f.name !== 'request_id' && f.name !== 'ts'), this.options.batchRows ?? 2_000, this.pool) }
      this.buffers.set(system.name, entry)
    }
    const buffer = entry.buffer
    for (let i = 0; i < rows.length; i++) {
      if (rate < 1 && Math.random() >= rate) {
        this.counts.sampledOut++
        continue
      }
      if (this.queuedRows + this.inFlight >= max) {
        this.counts.dropped++
        this.reportDrops()
        continue
      }
      const a = answers[i]
      const probability = a.probability !== undefined ? a.probability : typeof a.prediction === 'string' ? (a.probabilities?.[a.prediction] ?? null) : null
      if (buffer.full) this.sealed.push({ system, rows: buffer.seal() })
      buffer.append(ts, rows[i], a.prediction, probability, a.modelVersion)
      this.queuedRows++
    }
    if (this.sealed.length > 0 || buffer.full) void this.flush()
    else if (!this.timer && this.queuedRows > 0) {
      this.timer = setTimeout(this.flushTimeout, this.options.flushMs ?? 200)
      this.timer.unref()
    }
  }

  /** Starts the writer now (a server calls it before taking traffic) and resolves when it is ready. */
  start(): Promise<void> {
    if (this.options.sampleRate === 0) return Promise.resolve()
    return this.writer.ready
  }

  /** Writes everything queued so far; resolves when it is committed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    for (const { system, buffer } of this.buffers.values()) if (buffer.length > 0) this.sealed.push({ system, rows: buffer.seal() })
    const batches = this.sealed
    this.sealed = []
    const n = this.queuedRows
    this.queuedRows = 0
    this.inFlight += n
    this.writing = this.writing.then(async () => {
      for (const b of batches) {
        const size = b.rows.length
        try {
          const r = await this.writer.write({ group: this.group(b.system), rows: b.rows, prune: this.pruneDue(b.system) })
          this.counts.written += r.written
          this.counts.pruned += r.pruned
          if (r.buffers) this.pool.give(r.buffers)
        } catch (e) {
          this.counts.failed += size
          ;(this.options.onError ?? ((err) => process.stderr.write(`request log: ${(err as Error).message}\n`)))(e)
        } finally {
          this.inFlight -= size
        }
      }
    })
    return this.writing
  }

  /** Writes what is queued and stops the writer; later requests are not logged. */
  async close(): Promise<void> {
    if (this.closed) return this.writing
    await this.flush()
    this.closed = true
    await this.writerStarted?.close()
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now()
  }

  private group(system: SystemDescription): FeatureGroupOptions {
    let g = this.groups.get(system.name)
    if (!g) this.groups.set(system.name, (g = requestsGroupOptions(system)))
    return g
  }

  /** Retention runs with a write at most every `pruneEveryMs` per system. */
  private pruneDue(system: SystemDescription): PruneOptions | undefined {
    const now = this.now()
    if (now - (this.lastPrune.get(system.name) ?? 0) < (this.options.pruneEveryMs ?? 10_000)) return undefined
    this.lastPrune.set(system.name, now)
    return { before: new Date(now - (this.options.maxAgeDays ?? 30) * 86_400_000), keepRows: this.options.maxRows ?? 1_000_000, maxCommits: 50 }
  }

  private reportDrops(): void {
    const now = Date.now()
    if (now - this.lastDropReport < 10_000) return
    this.lastDropReport = now
    process.stderr.write(`request log: the writer is behind by ${this.options.maxQueuedRows ?? 100_000} rows; dropping new rows (${this.counts.dropped} dropped so far)\n`)
  }
}
