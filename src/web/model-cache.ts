import type { FeatureStore } from '../featurestore/index.js'
import type { ModelRegistry } from '../registry/index.js'
import { loadServingModel, servingVersion, type ServingModel, type SystemDescription } from '../systems/index.js'

/**
 * Serving models by system, kept in memory: a request reads the cache only. Every `ttlMs` one request
 * triggers a background check of the registry's serving version and swaps the model if it moved.
 */
export class ModelCache {
  private readonly entries = new Map<string, { model: ServingModel; checkedAt: number; checking: boolean }>()
  private readonly loading = new Map<string, Promise<ServingModel>>()

  constructor(
    private readonly fs: FeatureStore,
    private readonly registry: ModelRegistry,
    private readonly ttlMs = 5_000,
  ) {}

  async get(system: SystemDescription): Promise<ServingModel> {
    const e = this.entries.get(system.name)
    if (e) {
      if (!e.checking && Date.now() - e.checkedAt > this.ttlMs) this.refresh(system, e)
      return e.model
    }
    let p = this.loading.get(system.name)
    if (!p) {
      p = loadServingModel(this.fs, this.registry, system).finally(() => this.loading.delete(system.name))
      this.loading.set(system.name, p)
    }
    const model = await p
    this.entries.set(system.name, { model, checkedAt: Date.now(), checking: false })
    return model
  }

  private refresh(system: SystemDescription, e: { model: ServingModel; checkedAt: number; checking: boolean }): void {
    e.checking = true
    servingVersion(this.registry, system)
      .then(async (v) => {
        if (v.version !== e.model.version.version) e.model = await loadServingModel(this.fs, this.registry, system, v)
      })
      .catch(() => {}) // keep serving the loaded model; the next check tries again
      .finally(() => {
        e.checking = false
        e.checkedAt = Date.now()
      })
  }
}
