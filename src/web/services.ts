import type { SqlDialect } from '../db/index.js'
import { FeatureStore, type ColumnStatistics } from '../featurestore/index.js'
import { ModelRegistry } from '../registry/index.js'
import { RunStore, type Pipeline } from '../runtime/index.js'
import { pointAtSource, SYSTEMS, systemGroupDefinitions, systemPipelines, type SystemDescription } from '../systems/index.js'
import type { AccessConfig } from './admin-access.js'
import { ContentCache } from './content-cache.js'
import { ModelCache } from './model-cache.js'
import { MonitorCache } from './monitor-cache.js'
import { RequestLog, requestsGroupOptions, requestsSource, type RequestLogOptions } from './request-log.js'

/** Everything the web app reads and writes, injected so tests build it on a temp store. */
export interface WebServices {
  readonly db: SqlDialect
  readonly featureStore: FeatureStore
  readonly registry: ModelRegistry
  readonly runs: RunStore
  readonly systems: readonly SystemDescription[]
  readonly models: ModelCache
  /** Each system's monitor, recomputed when its predictions or its production version change. */
  readonly monitors: MonitorCache
  /**
   * Each feature group version's statistics (the feature group page), recomputed when the group gets a commit
   * or loses one: computing them sorts every column in the database (7 s for 300k rows × 10 columns on SQLite,
   * during which an SQLite store's server answers nothing), so a page view of unchanged data must not.
   */
  readonly statistics: ContentCache<ColumnStatistics[]>
  readonly requestLog: RequestLog
  /** Next scheduled time of a pipeline, when a worker runs in this process. */
  readonly nextRun?: (pipeline: string) => Date | null
  /** Every pipeline the pages list and Run now may start (default: the systems' pipelines). */
  readonly pipelines: readonly Pipeline[]
  /** Starts a run of a pipeline off this process (`sml run NAME`); absent = Run now is unavailable. */
  readonly launchRun?: RunLauncher
  /** Who may act; default: no token, loopback (actions open to this machine only). */
  readonly access: AccessConfig
  /** Requests per client per window on the predict API; null = unlimited (the default on loopback). */
  readonly predictRateLimit: { readonly limit: number; readonly windowMs: number } | null
  /** Origins whose pages may call the predict API from a browser (CORS); `*` for any; empty for none. */
  readonly corsOrigins: readonly string[]
}

/** Starts a manual run of the named pipeline in its own process; resolves once it has started. */
export type RunLauncher = (pipeline: string) => Promise<{ readonly pid: number }>

export interface ServicesOptions {
  readonly systems?: readonly SystemDescription[]
  readonly nextRun?: (pipeline: string) => Date | null
  readonly requestLog?: RequestLogOptions
  readonly pipelines?: readonly Pipeline[]
  readonly launchRun?: RunLauncher
  readonly access?: AccessConfig
  /** Default: 60 per minute when `access.loopback` is false, else none. */
  readonly predictRateLimit?: { readonly limit: number; readonly windowMs: number } | null
  /** Origins allowed to call the predict API from a browser (CORS); default none. */
  readonly corsOrigins?: readonly string[]
}

/** The services over one open store; `requestLog.close()` before closing the store writes what is queued. */
export function createServices(db: SqlDialect, options: ServicesOptions = {}): WebServices {
  const featureStore = new FeatureStore(db)
  const registry = new ModelRegistry(db)
  const access = options.access ?? { adminTokenSha256: null, loopback: true }
  return {
    db,
    featureStore,
    registry,
    runs: new RunStore(db),
    systems: options.systems ?? Object.values(SYSTEMS),
    models: new ModelCache(featureStore, registry),
    monitors: new MonitorCache(featureStore, registry),
    statistics: new ContentCache(),
    requestLog: new RequestLog(db, options.requestLog),
    nextRun: options.nextRun,
    pipelines: options.pipelines ?? (options.systems ?? Object.values(SYSTEMS)).flatMap((s) => systemPipelines(s)),
    launchRun: options.launchRun,
    access,
    predictRateLimit: options.predictRateLimit !== undefined ? options.predictRateLimit : access.loopback ? null : { limit: 60, windowMs: 60_000 },
    corsOrigins: options.corsOrigins ?? [],
  }
}

/**
 * Checks every group the systems store in (their own, windows, predictions, and the request log's
 * `<system>_requests`, whose columns are the inputs) against the stored versions, writing nothing: a definition
 * changed without a new version fails the server's start with one line, instead of its request log dropping every
 * batch and its monitor answering 400 later.
 * @throws SchemaChangedError naming the group, its version, each difference and the version to change.
 */
export async function checkStoredDefinitions(db: SqlDialect, systems: readonly SystemDescription[]): Promise<void> {
  const featureStore = new FeatureStore(db)
  for (const system of systems) {
    const definitions = [...systemGroupDefinitions(system), { options: requestsGroupOptions(system), derivedFrom: requestsSource(system) }]
    for (const d of definitions) {
      try {
        await featureStore.checkFeatureGroup(d.options)
      } catch (e) {
        throw d.derivedFrom ? pointAtSource(e, d.derivedFrom) : e
      }
    }
  }
}
