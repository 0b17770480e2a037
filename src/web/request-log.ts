import { randomFillSync } from 'node:crypto'
import type { SqlDialect } from '../db/index.js'
import type { FeatureGroup, FeatureGroupOptions, FeatureStore, PruneOptions, Row } from '../featurestore/index.js'
import { inputSpecs, systemTask, type SystemDescription } from '../systems/index.js'
import { inProcessWriter, threadWriter, type RequestLogWriter } from './request-log-writer.js'

/** `<system>_requests`: every online prediction's inputs and answer, for drift monitoring. */
export function requestsFeatureGroup(fs: FeatureStore, system: SystemDescription): Promise<FeatureGroup> {
  return fs.getOrCreateFeatureGroup(requestsGroupOptions(system))
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
    version: 1,
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

const bytes = new Uint8Array(16)
let lastMs = 0
let counter = 0

/**
 * A UUIDv7 (RFC 9562): time-ordered, so logged requests append to the end of the key-clustered table
 * instead of landing on random pages — a 250-row commit takes ~1 ms instead of ~7 ms on a grown table.
 * A 12-bit counter keeps ids from one process increasing within a millisecond.
 */
export function uuidv7(now = Date.now()): string {
  randomFillSync(bytes)
  counter = now === lastMs ? (counter + 1) & 0xfff : bytes[6] & 0x7f
  lastMs = now
  for (let i = 5; i >= 0; i--) {
    bytes[i] = now % 256
    now = Math.floor(now / 256)
  }
  bytes[6] = 0x70 | (counter >> 8)
  bytes[7] = counter & 0xff
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = Buffer.from(bytes).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** What the log records of one answer: a class name and its probability, or (regression) a value and no probability. */
export interface RequestAnswer {
  readonly prediction: string | number
  readonly probability?: number | null
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
  /** Where batches go; default a writer thread for a blocking driver (SQLite), else the event loop. */
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
 * off the event loop (a writer thread on SQLite; asynchronous COPY on PostgreSQL), one batch in flight at a
 * time. The queue is bounded: past `maxQueuedRows` rows are dropped and counted rather than held. Retention
 * (age and row bounds, optional sampling) is applied by the writer a little at a time after its writes.
 * `close()` writes everything queued (SIGTERM / SIGINT); a kill -9 loses the rows not yet committed, at most
 * `maxQueuedRows` and normally under `flushMs` of traffic.
 */
export class RequestLog {
  private readonly pending = new Map<string, { system: SystemDescription; rows: Row[] }>()
  private readonly groups = new Map<string, FeatureGroupOptions>()
  private timer: NodeJS.Timeout | null = null
  private inFlight = 0
  private queuedRows = 0
  private writing: Promise<void> = Promise.resolve()
  private readonly counts = { written: 0, dropped: 0, sampledOut: 0, pruned: 0, failed: 0 }
  private lastPrune = new Map<string, number>()
  private lastDropReport = 0
  private writerStarted: RequestLogWriter | null = null
  private closed = false

  constructor(
    private readonly db: SqlDialect,
    private readonly options: RequestLogOptions = {},
  ) {}

  /** Started on the first write, so a server that logs nothing starts no thread. */
  private get writer(): RequestLogWriter {
    return (this.writerStarted ??= this.options.writer ?? (this.db.capabilities.blockingDriver ? threadWriter(this.db) : null) ?? inProcessWriter(this.db))
  }

  stats(): RequestLogStats {
    return { queued: this.queuedRows + this.inFlight, ...this.counts }
  }

  add(system: SystemDescription, rows: readonly Row[], answers: readonly RequestAnswer[]): void {
    if (this.closed) return
    const ts = new Date(this.now())
    const rate = this.options.sampleRate ?? 1
    const max = this.options.maxQueuedRows ?? 100_000
    let entry = this.pending.get(system.name)
    if (!entry) this.pending.set(system.name, (entry = { system, rows: [] }))
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
      const row: Row = { request_id: uuidv7(ts.getTime()), ts, ...rows[i], predicted: a.prediction }
      if (typeof a.prediction === 'string') row.probability = a.probability ?? null
      row.model_version = a.modelVersion
      entry.rows.push(row)
      this.queuedRows++
    }
    if (entry.rows.length >= (this.options.batchRows ?? 2_000)) void this.flush()
    else if (!this.timer && this.queuedRows > 0) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushMs ?? 200)
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
    const batchRows = this.options.batchRows ?? 2_000
    const batches: { system: SystemDescription; rows: Row[] }[] = []
    for (const { system, rows } of this.pending.values()) {
      for (let i = 0; i < rows.length; i += batchRows) batches.push({ system, rows: rows.slice(i, i + batchRows) })
    }
    this.pending.clear()
    const n = this.queuedRows
    this.queuedRows = 0
    this.inFlight += n
    this.writing = this.writing.then(async () => {
      for (const b of batches) {
        try {
          const r = await this.writer.write({ group: this.group(b.system), rows: b.rows, prune: this.pruneDue(b.system) })
          this.counts.written += r.written
          this.counts.pruned += r.pruned
        } catch (e) {
          this.counts.failed += b.rows.length
          ;(this.options.onError ?? ((err) => process.stderr.write(`request log: ${(err as Error).message}\n`)))(e)
        } finally {
          this.inFlight -= b.rows.length
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
