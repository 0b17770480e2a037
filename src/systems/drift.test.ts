import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore, type Row } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { ModelRegistry } from '../registry/index.js'
import { featureDrift, iris, runDemo, systemFeatureGroup } from './index.js'

const data = { source: { dataDir: DATA_DIR } }
const NOW = new Date('2026-05-03T12:00:00Z')

describe.each(testDialectNames())('feature drift on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  let registry: ModelRegistry
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
    registry = new ModelRegistry(db)
  })

  it('is null before a model exists', async () => {
    expect(await featureDrift(fs, registry, iris, { now: NOW })).toBeNull()
  })

  it('compares the training split with the rows added since: too few rows are reported as not enough', async () => {
    await runDemo(db, [iris], { days: 3, until: NOW, settings: data })
    const r = (await featureDrift(fs, registry, iris, { now: NOW }))!
    expect(r.model).toEqual({ name: 'iris_model', version: 1 })
    expect(r.referenceRows).toBe(120) // 80 % of 150
    expect(r.currentRows).toEqual({ features: 3, requests: 0 })
    expect(r.enough).toBe(false)
    expect(r.features.map((f) => f.column)).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width'])
    for (const f of r.features) {
      expect(f).toMatchObject({ referenceRows: 120, currentRows: 3, status: 'insufficient' })
      expect(f.psi).toBeGreaterThanOrEqual(0)
      expect(f.ks).toBeGreaterThan(0)
    }
  })

  it('adds online requests of the last 30 days and flags a shifted column by PSI > 0.2', async () => {
    const requests = await fs.getOrCreateFeatureGroup({
      name: 'iris_requests',
      primaryKey: ['request_id'],
      eventTime: 'ts',
      schema: [{ name: 'request_id', type: 'string' }, { name: 'ts', type: 'timestamp' }, ...['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((name) => ({ name, type: 'float' as const }))],
    })
    // Every third real flower (all three varieties alike), but with giant petals.
    const flowers = (await (await systemFeatureGroup(fs, iris)).read()).filter((_, i) => i % 3 === 0 && i < 150)
    const rows: Row[] = flowers.map((f, i) => ({ request_id: `r${i}`, ts: new Date(NOW.getTime() - i * 3_600_000), sepal_length: f.sepal_length, sepal_width: f.sepal_width, petal_length: 6.9, petal_width: f.petal_width }))
    rows.push({ request_id: 'old', ts: new Date(NOW.getTime() - 40 * 86_400_000), sepal_length: 7.9, sepal_width: 4.4, petal_length: 1, petal_width: 2.5 })
    await requests.insert(rows)
    const r = (await featureDrift(fs, registry, iris, { now: NOW }))!
    expect(r.currentRows).toEqual({ features: 3, requests: 50 }) // the 40-day-old request is outside the window
    expect(r.enough).toBe(true)
    const by = Object.fromEntries(r.features.map((f) => [f.column, f]))
    expect(by.petal_length.status).toBe('drift')
    expect(by.petal_length.psi).toBeGreaterThan(1)
    expect(by.petal_length.ks).toBeGreaterThan(0.5)
    expect(by.sepal_width.psi).toBeLessThan(by.petal_length.psi!)
    expect(by.sepal_length.status).not.toBe('insufficient')
  })
})
