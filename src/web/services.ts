import type { SqlDialect } from '../db/index.js'
import { FeatureStore } from '../featurestore/index.js'
import { ModelRegistry } from '../registry/index.js'
import { RunStore } from '../runtime/index.js'
import { SYSTEMS, type SystemDescription } from '../systems/index.js'
import { ModelCache } from './model-cache.js'
import { RequestLog, type RequestLogOptions } from './request-log.js'

/** Everything the web app reads and writes, injected so tests build it on a temp store. */
export interface WebServices {
  readonly db: SqlDialect
  readonly featureStore: FeatureStore
  readonly registry: ModelRegistry
  readonly runs: RunStore
  readonly systems: readonly SystemDescription[]
  readonly models: ModelCache
  readonly requestLog: RequestLog
  /** Next scheduled time of a pipeline, when a worker runs in this process. */
  readonly nextRun?: (pipeline: string) => Date | null
}

export interface ServicesOptions {
  readonly systems?: readonly SystemDescription[]
  readonly nextRun?: (pipeline: string) => Date | null
  readonly requestLog?: RequestLogOptions
}

/** The services over one open store; `requestLog.close()` before closing the store writes what is queued. */
export function createServices(db: SqlDialect, options: ServicesOptions = {}): WebServices {
  const featureStore = new FeatureStore(db)
  const registry = new ModelRegistry(db)
  return {
    db,
    featureStore,
    registry,
    runs: new RunStore(db),
    systems: options.systems ?? Object.values(SYSTEMS),
    models: new ModelCache(featureStore, registry),
    requestLog: new RequestLog(db, options.requestLog),
    nextRun: options.nextRun,
  }
}
