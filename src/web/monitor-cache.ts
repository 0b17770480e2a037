import type { FeatureStore } from '../featurestore/index.js'
import type { ModelRegistry } from '../registry/index.js'
import { monitorData, monitorVersion, type MonitorData, type SystemDescription } from '../systems/index.js'
import { ContentCache } from './content-cache.js'

/**
 * Each system's monitor, computed once per version of what it is computed from (`monitorVersion`: the commits
 * of the groups it reads and the version in production) rather than on every request. A request checks the
 * version (two small indexed queries) and answers from the cache while it holds; it holds until a pipeline
 * commits predictions or outcomes, retention prunes, or a promotion moves the production alias — in this
 * process or another one, since the check reads the store.
 *
 * Why: computing the monitor reads the whole predictions history and the production version's registry rows,
 * about ten queries and ~120 KB of short-lived objects per request. Measured under `bench/load` (the monitor
 * polled beside the predict API), enough of that was alive when the young generation was collected that ~1 KB
 * per monitor request was promoted: ~0.2 MB/s of old-space garbage, which grew the server's RSS by ~17 MB a
 * minute until V8's first full collection.
 */
export class MonitorCache {
  private readonly cache = new ContentCache<MonitorData>()

  constructor(
    private readonly fs: FeatureStore,
    private readonly registry: ModelRegistry,
  ) {}

  get(system: SystemDescription): Promise<MonitorData> {
    return this.cache.get(
      system.name,
      () => monitorVersion(this.fs, this.registry, system),
      () => monitorData(this.fs, this.registry, system),
    )
  }
}
