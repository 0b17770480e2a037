import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import { moduleWorkerSpec, type ModuleWorkerSpec } from './module-worker.js'

/** A started pooled worker: its thread, the port its results come back on (when asked for), and when it has loaded. */
export interface PooledWorker {
  readonly worker: Worker
  /** A dedicated port read synchronously by the caller (receiveMessageOnPort); null unless the pool was made with one. */
  readonly results: MessagePort | null
  /** Resolves at the worker's first message (it has loaded). */
  readonly ready: Promise<void>
}

/**
 * Worker threads of one module, started on first use and kept (unref'd, so they never hold the process open)
 * for later fits; a broken worker leaves the pool. Used by the forest and boosting trainers.
 */
export class WorkerPool {
  private readonly pool: PooledWorker[] = []
  private spec: ModuleWorkerSpec | null | undefined

  /** `base` is the caller's `import.meta.url` and `name` the worker module beside it (see moduleWorkerSpec). */
  constructor(
    private readonly base: string,
    private readonly name: string,
    private readonly options: { readonly resultsPort?: boolean } = {},
  ) {}

  /** Whether worker threads can be started here at all. */
  available(): boolean {
    return this.workerSpec() !== null
  }

  /** At least `count` pooled workers (the first `count` returned); [] when workers cannot be loaded. */
  get(count: number): PooledWorker[] {
    const s = this.workerSpec()
    if (s === null) return []
    while (this.pool.length < count) {
      const channel = this.options.resultsPort ? new MessageChannel() : null
      const init = channel ? { workerData: { port: channel.port2 }, transferList: [channel.port2] } : {}
      const worker = 'url' in s ? new Worker(s.url, init) : new Worker(s.code, { eval: true, ...init })
      const entry: PooledWorker = {
        worker,
        results: channel?.port1 ?? null,
        ready: new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve())
          worker.once('error', reject)
        }),
      }
      entry.ready.catch(() => undefined)
      worker.on('error', () => {
        // a broken worker leaves the pool; the work it never claimed is done by the other threads
        const i = this.pool.indexOf(entry)
        if (i >= 0) this.pool.splice(i, 1)
      })
      worker.unref()
      channel?.port1.unref()
      this.pool.push(entry)
    }
    return this.pool.slice(0, count)
  }

  /** Starts `count` workers and waits until they have loaded (e.g. at server start); returns how many. */
  async warmUp(count: number): Promise<number> {
    const ws = this.get(count)
    // keep the process alive while they load; pooled workers are otherwise unref'd
    for (const w of ws) w.worker.ref()
    try {
      await Promise.all(ws.map((w) => w.ready))
    } finally {
      for (const w of ws) w.worker.unref()
    }
    return ws.length
  }

  /**
   * Replaces the pooled workers with as many fresh ones (not awaited: the old ones are idle between
   * fits, and the new ones load while the caller goes on). A worker whose own heap allocates little
   * never collects the shared buffers it was posted, so this is how their memory comes back.
   */
  recycle(): void {
    const old = this.pool.splice(0, this.pool.length)
    for (const w of old) w.worker.terminate().catch(() => undefined)
    if (old.length > 0) this.get(old.length)
  }

  /** Stops the pooled workers (tests, graceful shutdown). */
  async terminate(): Promise<void> {
    const ws = this.pool.splice(0, this.pool.length)
    await Promise.all(ws.map((w) => w.worker.terminate()))
  }

  private workerSpec(): ModuleWorkerSpec | null {
    if (this.spec === undefined) this.spec = moduleWorkerSpec(this.base, this.name)
    return this.spec
  }
}
