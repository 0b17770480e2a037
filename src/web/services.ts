import type { SqlDialect } from '../db/index.js'
import { FeatureStore } from '../featurestore/index.js'
import { ModelRegistry } from '../registry/index.js'
import { RunStore } from '../runtime/index.js'
import { SYSTEMS, type SystemDescription } from '../systems/index.js'
import { ModelCache } from './model-cache.js'
import { RequestLog } from './request-log.js'

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

export function createServices(db: SqlDialect, options: { systems?: readonly SystemDescription[]; nextRun?: (pipeline: string) => Date | null } = {}): WebServices {
  const featureStore = new FeatureStore(db)
  const registry = new ModelRegistry(db)
  return {
    db,
    featureStore,
    registry,
    runs: new RunStore(db),
    systems: options.systems ?? Object.values(SYSTEMS),
    models: new ModelCache(featureStore, registry),
    requestLog: new RequestLog(featureStore),
    nextRun: options.nextRun,
  }
}
