import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { FeatureStore, validateRows, type Row } from '../../featurestore/index.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { Random } from '../../ml/index.js'
import { ModelRegistry } from '../../registry/index.js'
import { runPipeline } from '../../runtime/index.js'
import { bootstrapSystem } from '../bootstrap.js'
import { systemFeatureGroup } from '../feature-groups.js'
import { iris } from '../iris/index.js'
import { conditionalResampler } from '../synthetic.js'
import { titanic } from '../titanic/index.js'
import { dailyPipeline, realRows, syntheticAccuracy } from './daily.js'

const data = { source: { dataDir: DATA_DIR } }
const quiet = { echo: () => {} }

/** The age bands the plausibility checks compare within: children, teenagers, adults. */
const band = (age: number) => (age < 12 ? 0 : age < 18 ? 1 : 2)

describe.each(testDialectNames())('synthetic days on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  let registry: ModelRegistry
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
    registry = new ModelRegistry(db)
    for (const system of [iris, titanic]) await bootstrapSystem(db, system, { ...quiet, settings: data })
  })

  it.each([iris, titanic])('the serving $name model scores 2,000 synthetic rows within 5 points of its test accuracy', async (system) => {
    const r = await syntheticAccuracy(fs, registry, system, 2000, 1)
    expect(r).toMatchObject({ system: system.name, modelVersion: 1, rows: 2000 })
    expect(Math.abs(r.synthetic - r.test)).toBeLessThanOrEqual(0.05)
    // The same rows on another seed: the figure is the generator's, not one lucky draw's.
    expect(Math.abs((await syntheticAccuracy(fs, registry, system, 2000, 2)).synthetic - r.test)).toBeLessThanOrEqual(0.05)
  })

  it('draws titanic passengers a real passenger list could hold, valid against the group’s expectations', async () => {
    const fg = await systemFeatureGroup(fs, titanic)
    const real = await realRows(fg, titanic)
    const draw = conditionalResampler(titanic, real)
    const rng = new Random(3)
    const synthetic = Array.from({ length: 2000 }, () => draw(rng))

    const alone1stChild = (r: Row) => (r.age as number) < 12 && r.pclass === 1 && r.sibsp === 0 && r.parch === 0
    expect(real.filter(alone1stChild)).toEqual([])
    expect(synthetic.filter(alone1stChild)).toEqual([])
    // No more parents/children or siblings/spouses aboard than any real passenger of that age band had.
    for (const column of ['parch', 'sibsp']) {
      const most = [0, 1, 2].map((b) => Math.max(...real.filter((r) => band(r.age as number) === b).map((r) => r[column] as number)))
      expect(synthetic.filter((r) => (r[column] as number) > most[band(r.age as number)])).toEqual([])
    }
    expect(synthetic.filter((r) => r.survived === 1).length).toBeGreaterThan(900)

    const stamped = synthetic.map((r, i) => ({ ...r, passengerid: 10_000 + i, ts: new Date('2026-04-01T06:00:00Z') }))
    expect(validateRows(stamped, fg.schema, fg.primaryKey, fg.eventTime, fg.metadata.expectations).warnings).toEqual([])
  })

  it('draws iris flowers valid against the group’s expectations, with no warning', async () => {
    const fg = await systemFeatureGroup(fs, iris)
    const draw = conditionalResampler(iris, await realRows(fg, iris))
    const rng = new Random(4)
    const stamped = Array.from({ length: 2000 }, (_, i) => ({ ...draw(rng), id: 10_000 + i, ts: new Date('2026-04-01T06:00:00Z') }))
    // Real flowers break the lab's ranges (sepal_length 4.3, petal_width 0.1); synthetic ones keep the documented ranges.
    expect(validateRows(stamped, fg.schema, fg.primaryKey, fg.eventTime, fg.metadata.expectations).warnings).toEqual([])
  })

  it('resamples only the backfilled rows, never earlier synthetic days', async () => {
    const fg = await systemFeatureGroup(fs, titanic)
    for (let d = 1; d <= 3; d++) {
      const outcome = await runPipeline(dailyPipeline(titanic, data), { db, scheduledFor: new Date(Date.UTC(2026, 3, d, 6)), ...quiet, sleep: async () => {} })
      expect(outcome.ok).toBe(true)
    }
    expect(await fg.count()).toBe(892)
    const real = await realRows(fg, titanic)
    expect(real).toHaveLength(889)
    expect(real.map((r) => r.passengerid)).toEqual((await fg.read()).map((r) => r.passengerid).filter((k) => (k as number) <= 891))
  })
})

describe.each(testDialectNames())('a synthetic day before any backfill on %s', (dialect) => {
  let db: SqlDialect
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
  })

  it('fails, saying to run the feature pipeline, and writes nothing', async () => {
    const outcome = await runPipeline(dailyPipeline(iris, data), { db, scheduledFor: new Date(Date.UTC(2026, 3, 1, 6)), ...quiet, sleep: async () => {} })
    expect(outcome.ok).toBe(false)
    expect(outcome.runs.at(-1)!.error).toMatch(/column "variety": no real row of class "Setosa" to resample: run the iris feature pipeline first/)
    expect(await (await systemFeatureGroup(new FeatureStore(db), iris)).count()).toBe(0)
  })
})
