/**
 * Values computed from the store, kept while the stored content they come from is unchanged: each `get` reads
 * a version token of that content (a cheap indexed query such as `FeatureStore.contentVersion`) and answers
 * from the cache while the token holds, in this process or another one writing the same store, since the
 * check reads the store. Concurrent requests for one key share one computation; a failure is not kept (the
 * next request computes again). One entry per key: the keys are the store's own objects (a system, a group
 * version), so the map is as large as the store's catalogue.
 */
export class ContentCache<T> {
  private readonly entries = new Map<string, { version: string; data: Promise<T> }>()

  async get(key: string, version: () => Promise<string>, compute: () => Promise<T>): Promise<T> {
    const v = await version()
    const cached = this.entries.get(key)
    if (cached && cached.version === v) return cached.data
    const data = compute()
    const entry = { version: v, data }
    this.entries.set(key, entry)
    data.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key)
    })
    return data
  }
}
