import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { FeatureStore } from '../../featurestore/index.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { runPipeline } from '../../runtime/index.js'
import { systemFeatureGroup } from '../feature-groups.js'
import { featurePipeline } from '../pipelines/feature.js'
import { updateWindows, windowsFeatureGroup } from '../time-series.js'
import { airQualitySystem, STATION } from './index.js'

const quiet = { echo: () => {}, sleep: async () => {} }
const settings = { source: { dataDir: DATA_DIR } }
const day = (iso: string) => new Date(`${iso}T00:00:00Z`)

describe.each(testDialectNames())('air quality backfill on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
  })

  it('writes the export’s readings keyed by station and day, holding back the last 60 days, and the window rows of every day after', async () => {
    const system = airQualitySystem()
    const outcome = await runPipeline(featurePipeline(system, settings), { db, ...quiet })
    expect(outcome.ok).toBe(true)
    const readings = await systemFeatureGroup(fs, system)
    const rows = await readings.read()
    // 2,814 days in the file; 2025-06-01 … 2025-07-30 (the last 60 calendar days, 60 readings) are held back.
    expect(rows).toHaveLength(2814 - 60)
    expect(rows.every((r) => r.station === STATION)).toBe(true)
    const last = rows.reduce((m, r) => ((r.date as Date) > m ? (r.date as Date) : m), new Date(0))
    expect(last).toEqual(day('2025-05-31'))
    expect(rows.find((r) => (r.date as Date).getTime() === day('2017-10-03').getTime())).toMatchObject({ pm25: null, pm10: 8, no2: 17 })

    const windows = await windowsFeatureGroup(fs, system)
    const w = await windows.read()
    // Every calendar day from the day after the first reading (2017-10-04) to the day after the last (2025-06-01).
    const days = (day('2025-06-01').getTime() - day('2017-10-04').getTime()) / 86_400_000 + 1
    expect(w).toHaveLength(days)
    expect(w.find((r) => (r.date as Date).getTime() === day('2025-06-01').getTime())).toMatchObject({ station: STATION, day_of_week: 6, month: 6 })

    // A rerun writes nothing new: the same readings, no new window day.
    const commits = (await readings.commits()).length + (await windows.commits()).length
    const again = await runPipeline(featurePipeline(system, settings), { db, ...quiet })
    expect(again.ok).toBe(true)
    expect(again.runs.at(-1)!.rowsWritten).toBe(0)
    expect((await readings.commits()).length + (await windows.commits()).length).toBe(commits)

    // A new day's reading adds exactly one window day (the next), computed from the days before it.
    await readings.insert([{ station: STATION, date: day('2025-06-01'), pm25: 40, pm10: 10, no2: 3 }])
    expect(await updateWindows(fs, system)).toBe(1)
    const [next] = await windows.lookup([{ station: STATION, date: day('2025-06-02') }])
    expect(next).toMatchObject({ pm25_lag1: 40, pm10_lag1: 10, no2_lag1: 3, day_of_week: 0 })
    expect(await updateWindows(fs, system)).toBe(0)
  })

  it('with a live feed configured, backfills the whole export', async () => {
    const system = airQualitySystem({ feed: { url: 'http://127.0.0.1:9/feed/' } })
    expect((await runPipeline(featurePipeline(system, settings), { db, ...quiet })).ok).toBe(true)
    expect(await (await systemFeatureGroup(fs, system)).count()).toBe(2814)
  })
})
