import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { createTestDatabase, testDialectNames, useTestDatabase, type TestDatabase } from '../db/test-support/dialects.js'
import { withTimeZone } from '../db/test-support/time-zone.js'
import { FeatureStore } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { ModelRegistry } from '../registry/index.js'
import { runPipeline, RunStore } from '../runtime/index.js'
import { bootstrapSystem, iris, monitorData, predictionsFeatureGroup, runDemo, systemFeatureGroup, systemPipelines, titanic } from './index.js'
import type { SystemDescription } from './system.js'

const data = { source: { dataDir: DATA_DIR } }
/** Quiet, and the sources read from the shared data directory (what --data-dir gives the CLI). */
const quiet = { echo: () => {}, settings: data }

async function run(db: SqlDialect, system: SystemDescription, which: 0 | 1 | 2 | 3, scheduledFor?: Date) {
  const outcome = await runPipeline(systemPipelines(system, data)[which], { db, scheduledFor, ...quiet, sleep: async () => {} })
  return outcome
}

describe.each(testDialectNames())('systems on %s', (dialect) => {
  let tdb: TestDatabase
  let db: SqlDialect
  let fs: FeatureStore
  let registry: ModelRegistry
  useTestDatabase(dialect, async (opened, database) => {
    tdb = opened
    db = database
    fs = new FeatureStore(db)
    registry = new ModelRegistry(db)
  })

  it('iris: backfill, train, one synthetic day, batch inference — and a second backfill writes nothing', async () => {
    expect((await run(db, iris, 0, new Date('2026-01-01T00:00:00Z'))).ok).toBe(true)
    const fg = await systemFeatureGroup(fs, iris)
    expect(await fg.count()).toBe(150)
    const warnings = (await fg.commits())[0].warnings
    expect(warnings.some((w) => w.startsWith('sepal_length'))).toBe(true)

    const training = await run(db, iris, 1)
    expect(training.ok).toBe(true)
    const model = await registry.get('iris_model')
    expect(model.metrics.accuracy).toBeGreaterThanOrEqual(0.93)
    expect(model.lineage).toMatchObject({ featureView: { name: 'iris', version: 1 }, trainingDatasetVersion: 1, commitId: (await fg.latestCommit())!.id })
    expect(model.artifacts.map((a) => a.file).sort()).toEqual(
      ['classification_report.json', 'classification_report.txt', 'confusion_matrix.png', 'confusion_matrix.svg', 'input_example.json', 'model.json'].sort(),
    )
    const svg = await registry.readArtifactText('iris_model', model.version, 'confusion_matrix.svg')
    expect(svg.indexOf('Setosa')).toBeLessThan(svg.indexOf('Versicolor'))
    const report = JSON.parse(await registry.readArtifactText('iris_model', model.version, 'classification_report.json'))
    expect(report.confusionMatrix.labels).toEqual(['Setosa', 'Versicolor', 'Virginica'])

    const day = new Date('2026-03-01T06:00:00Z')
    expect((await run(db, iris, 2, day)).ok).toBe(true)
    const added = await fg.read({ since: day })
    expect(added).toHaveLength(1)
    expect(added[0].id).toBe(151)
    expect(['Setosa', 'Versicolor', 'Virginica']).toContain(added[0].variety)

    expect((await run(db, iris, 3, day)).ok).toBe(true)
    const preds = await (await predictionsFeatureGroup(fs, iris)).read()
    expect(preds).toHaveLength(1)
    expect(preds[0]).toMatchObject({ id: 151, actual: added[0].variety, model_version: model.version })

    const again = await run(db, iris, 0, new Date('2026-01-02T00:00:00Z'))
    expect(again.ok).toBe(true)
    expect(await fg.count()).toBe(151)
    expect((await fg.commits()).length).toBe(2)
    // Nothing new since the last batch run: it predicts nothing.
    expect((await run(db, iris, 3)).ok).toBe(true)
    expect(await (await predictionsFeatureGroup(fs, iris)).count()).toBe(1)
  })

  it('titanic: 889 cleaned rows with valid codes, a forest above 0.78, valid synthetic passengers of both outcomes', async () => {
    expect((await run(db, titanic, 0, new Date('2026-01-01T00:00:00Z'))).ok).toBe(true)
    const fg = await systemFeatureGroup(fs, titanic)
    const rows = await fg.read()
    expect(rows).toHaveLength(889)
    expect(new Set(rows.map((r) => r.sex))).toEqual(new Set([0, 1]))
    expect(new Set(rows.map((r) => r.embarked))).toEqual(new Set([0, 1, 2]))
    // 177 missing ages filled with the mean of the 714 known ones.
    expect(rows.filter((r) => Math.abs((r.age as number) - 29.69911764705882) < 1e-9)).toHaveLength(177)
    expect(Object.keys(rows[0]).sort()).toEqual(['age', 'embarked', 'parch', 'passengerid', 'pclass', 'sex', 'sibsp', 'survived', 'ts'])

    expect((await run(db, titanic, 1)).ok).toBe(true)
    const model = await registry.get('titanic_model')
    expect(model.metrics.accuracy).toBeGreaterThanOrEqual(0.78)
    const report = JSON.parse(await registry.readArtifactText('titanic_model', model.version, 'classification_report.json'))
    expect(report.confusionMatrix.labels).toEqual(['Died', 'Survived'])

    const outcomes = new Set<unknown>()
    for (let d = 1; d <= 12; d++) {
      expect((await run(db, titanic, 2, new Date(Date.UTC(2026, 3, d, 6)))).ok).toBe(true)
    }
    const synthetic = await fg.read({ since: new Date(Date.UTC(2026, 3, 1)) })
    expect(synthetic).toHaveLength(12)
    for (const p of synthetic) {
      outcomes.add(p.survived)
      expect([1, 2, 3]).toContain(p.pclass)
      expect([0, 1]).toContain(p.sex)
      expect([0, 1, 2]).toContain(p.embarked)
      expect(Number.isInteger(p.age)).toBe(true)
      // Resampled from real passengers, infants included (an age of 0.42 rounds to 0).
      expect(p.age as number).toBeGreaterThanOrEqual(0)
      expect(p.passengerid as number).toBeGreaterThan(891)
    }
    expect(outcomes).toEqual(new Set([0, 1]))
    expect((await run(db, titanic, 3)).ok).toBe(true)
    expect(await (await predictionsFeatureGroup(fs, titanic)).count()).toBe(12)
  })

  it('bootstrapping an already running store does nothing', async () => {
    const before = [(await registry.list()).length, (await new RunStore(db).list({ limit: 1000 })).length]
    expect(await bootstrapSystem(db, iris, quiet)).toEqual({ system: 'iris', backfilled: false, trained: false })
    expect(await bootstrapSystem(db, titanic, quiet)).toEqual({ system: 'titanic', backfilled: false, trained: false })
    expect([(await registry.list()).length, (await new RunStore(db).list({ limit: 1000 })).length]).toEqual(before)
  })

  it('a demo ending now records no run for a tick still to come; its runs say they are the demo’s', async () => {
    await runDemo(db, [iris], { days: 2, ...quiet })
    const runs = await new RunStore(db).list({ limit: 1000 })
    const demo = runs.filter((r) => r.trigger === 'demo')
    expect(demo.length).toBeGreaterThanOrEqual(2)
    expect(demo.filter((r) => r.scheduledFor !== null && r.scheduledFor.getTime() > Date.now())).toEqual([])
  })
})

describe.each(testDialectNames())('30-day demo on %s', (dialect) => {
  it('gives both monitors 30 days of history', async () => {
    const tdb = createTestDatabase(dialect)
    const db = await tdb.open()
    try {
      const until = new Date('2026-06-30T12:00:00Z')
      const { runs } = await runDemo(db, [iris, titanic], { days: 30, until, ...quiet })
      expect(runs).toBe(120)
      // how each run started: the first backfill and training by the bootstrap, the days by the demo
      const triggers = new Map((await new RunStore(db).list({ limit: 1000 })).map((r) => [r.pipeline, r.trigger]))
      expect([triggers.get('iris-feature'), triggers.get('titanic-training'), triggers.get('iris-daily'), triggers.get('titanic-batch-inference')]).toEqual(['bootstrap', 'bootstrap', 'demo', 'demo'])
      const fs = new FeatureStore(db)
      const registry = new ModelRegistry(db)
      for (const system of [iris, titanic]) {
        const m = await monitorData(fs, registry, system)
        expect(m.totals.predictions).toBe(30)
        expect(m.accuracyOverTime).toHaveLength(30)
        expect(m.accuracyOverTime[29].day).toBe('2026-06-30')
        expect(m.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(30)
        // Each system's own schedules, in UTC: iris 06:00 + 06:15, titanic 06:05 + 06:20.
        expect(m.latest?.time).toEqual(new Date(system === iris ? '2026-06-30T06:15:00Z' : '2026-06-30T06:20:00Z'))
        expect(m.recent).toHaveLength(20)
        expect(m.servingModel?.version).toBe(1)
        expect(m.totals.accuracy).toBeGreaterThan(0.5)
      }

      // Again for the same days: nothing new; one day further: only that day runs.
      const counts = async () => [
        (await new RunStore(db).list({ limit: 10_000 })).length,
        ...(await Promise.all([iris, titanic].flatMap((system) => [systemFeatureGroup(fs, system), predictionsFeatureGroup(fs, system)]))).map((g) => g.count()),
      ]
      const before = await Promise.all(await counts())
      expect(await runDemo(db, [iris, titanic], { days: 30, until, ...quiet })).toEqual({ runs: 0, skipped: 60 })
      expect(await Promise.all(await counts())).toEqual(before)
      expect(await runDemo(db, [iris, titanic], { days: 31, until: new Date('2026-07-01T12:00:00Z'), ...quiet })).toEqual({ runs: 4, skipped: 60 })
      expect((await monitorData(fs, registry, iris)).totals.predictions).toBe(31)
    } finally {
      await db.close()
      await tdb.drop()
    }
  })
})

describe.each(testDialectNames())('demo with a zoned schedule on %s', (dialect) => {
  it('runs the ticks a worker would: the schedule’s cron in its zone, across daylight saving, wherever the machine is', async () => {
    const tdb = createTestDatabase(dialect)
    const db = await tdb.open()
    try {
      const newYork = { ...iris, schedules: { daily: { cron: '0 6 * * *', timezone: 'America/New_York' }, batchInference: { cron: '15 6 * * *', timezone: 'America/New_York' } } }
      await withTimeZone('Asia/Kolkata', () => runDemo(db, [newYork], { days: 2, until: new Date('2026-03-08T12:00:00Z'), ...quiet }))
      const at = async (pipeline: string) => (await new RunStore(db).list({ pipeline })).map((r) => r.scheduledFor?.toISOString()).sort()
      // US daylight saving starts 2026-03-08: 06:00 in New York is 11:00Z, then 10:00Z.
      expect(await at('iris-daily')).toEqual(['2026-03-07T11:00:00.000Z', '2026-03-08T10:00:00.000Z'])
      expect(await at('iris-batch-inference')).toEqual(['2026-03-07T11:15:00.000Z', '2026-03-08T10:15:00.000Z'])
    } finally {
      await db.close()
      await tdb.drop()
    }
  })
})

describe('malformed sources', () => {
  const cases: [string, string, RegExp][] = [
    ['a missing column', 'sepal_length,sepal_width,petal_length,variety\n5.1,3.5,1.4,Setosa\n', /missing column "petal_width" needed by the iris feature pipeline/],
    ['a bad number', 'sepal_length,sepal_width,petal_length,petal_width,variety\n5.1,3.5,1.4,0.2,Setosa\n4.9,abc,1.4,0.2,Setosa\n', /row 2, column "sepal_width": "abc" is not a valid float \(line 3\)/],
    ['an unknown variety', 'sepal_length,sepal_width,petal_length,petal_width,variety\n5.1,3.5,1.4,0.2,Rose\n', /id 1, column "variety": "Rose" breaks the expectation/],
  ]
  it.each(cases)('refuses %s with a clear error and writes nothing', async (_name, csv, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'sml-src-'))
    writeFileSync(join(dir, 'iris.csv'), csv)
    const tdb = createTestDatabase('sqlite')
    const db = await tdb.open()
    try {
      const outcome = await runPipeline(systemPipelines(iris, { source: { dataDir: dir } })[0], { db, ...quiet, sleep: async () => {} })
      expect(outcome.ok).toBe(false)
      expect(outcome.runs.at(-1)!.error).toMatch(message)
      expect(await (await systemFeatureGroup(new FeatureStore(db), iris)).count()).toBe(0)
    } finally {
      await db.close()
      await tdb.drop()
    }
  })
})
