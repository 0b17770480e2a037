import type { SqlDialect } from '../../src/db/index.js'
import { FeatureStore } from '../../src/featurestore/index.js'
import { ModelRegistry } from '../../src/registry/index.js'

/** Every feature group with its row and commit counts, and every model version: what "nothing written" compares. */
export async function storeSnapshot(db: SqlDialect): Promise<Record<string, { rows: number; commits: number }>> {
  const fs = new FeatureStore(db)
  const out: Record<string, { rows: number; commits: number }> = {}
  for (const g of await fs.listFeatureGroups()) out[`${g.name} v${g.version}`] = { rows: await g.count(), commits: (await g.commits()).length }
  return out
}

/** Every model's versions, as "name vN". */
export async function modelVersions(db: SqlDialect): Promise<string[]> {
  const registry = new ModelRegistry(db)
  const out: string[] = []
  for (const m of await registry.list()) for (const v of await registry.listVersions(m.name)) out.push(`${m.name} v${v.version}`)
  return out.sort()
}
