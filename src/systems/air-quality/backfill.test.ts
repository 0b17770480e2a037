import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { FeatureStore } from '../../featurestore/index.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { RunStore, runPipeline } from '../../runtime/index.js'
import { systemFeatureGroup } from '../feature-groups.js'
import { dailyPipeline } from '../pipelines/daily.js'
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
    // 2,814 days in the file, 2,774 with a pm25 (the label); 2025-06-01 … 2025-07-30 (the last 60 calendar days,
    // 59 readings with a pm25) are held back.
    expect(rows).toHaveLength(2774 - 59)
    expect(rows.every((r) => r.station === STATION)).toBe(true)
    const last = rows.reduce((m, r) => ((r.date as Date) > m ? (r.date as Date) : m), new Date(0))
    expect(last).toEqual(day('2025-05-31'))
    // The file's first day, `2017/10/3, , 8, 17`, has no pm25: not stored. The next is.
    expect(rows.find((r) => (r.date as Date).getTime() === day('2017-10-03').getTime())).toBeUndefined()
    expect(rows.find((r) => (r.date as Date).getTime() === day('2017-10-04').getTime())).toMatchObject({ pm25: 13, pm10: 6, no2: 12 })
    // The run's log says which days were left out and that their pm10/no2 go with them (lags over them are null).
    const log = (await new RunStore(db).logs(outcome.runs.at(-1)!.id)).map((l) => l.message)
    expect(log).toContainEqual(
      expect.stringMatching(/^40 days of air-quality-stockholm-hornsgatan\.csv have no pm25 value \(2017-10-03, .* … .*\): left out, as they cannot be labels; 40 of them have a pm10 or no2 value, which is not kept either, so the lags over those days are null/),
    )

    const windows = await windowsFeatureGroup(fs, system)
    const w = await windows.read()
    // Every calendar day from the day after the first reading (2017-10-05) to the day after the last (2025-06-01).
    const days = (day('2025-06-01').getTime() - day('2017-10-05').getTime()) / 86_400_000 + 1
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
    expect(await (await systemFeatureGroup(fs, system)).count()).toBe(2774)
  })

  describe('live', () => {
    let server: Server
    let url: string
    let reply = { status: 200, body: '' }
    beforeAll(async () => {
      server = createServer((_req, res) => res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed/@10009/`
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const feed = (s: string) => JSON.stringify({ status: 'ok', data: { time: { s }, iaqi: { pm25: { v: 31 }, pm10: { v: 9 }, no2: { v: 4 } } } })

    it('the daily pipeline writes a new day from the feed with its window day; a repeat, a refused token or a malformed body writes nothing and says why', async () => {
      const system = airQualitySystem({ feed: { url, token: 'k' } })
      expect((await runPipeline(featurePipeline(system, settings), { db, ...quiet })).ok).toBe(true)
      const readings = await systemFeatureGroup(fs, system)
      const windows = await windowsFeatureGroup(fs, system)
      const daily = (d: number) => runPipeline(dailyPipeline(system, settings), { db, scheduledFor: new Date(Date.UTC(2026, 3, d, 6, 10)), ...quiet, sleep: async () => {} })
      reply = { status: 200, body: feed('2025-07-31 14:00:00') }
      const first = await daily(1)
      expect(first.ok).toBe(true)
      expect(first.runs.at(-1)!.rowsWritten).toBe(2)
      expect(await readings.count()).toBe(2775)
      expect((await windows.lookup([{ station: STATION, date: day('2025-08-01') }]))[0]).toMatchObject({ pm25_lag1: 31, pm10_lag1: 9, no2_lag1: 4 })
      const counts = async () => [await readings.count(), await windows.count(), (await readings.commits()).length, (await fs.sourcePosition(system.name))?.position]
      const before = await counts()
      expect(before[3]).toBe('2025-07-31')

      reply = { status: 200, body: feed('2025-07-31 20:00:00') }
      const repeat = await daily(2)
      expect(repeat.ok).toBe(true)
      expect(repeat.runs.at(-1)!.rowsWritten).toBe(0)
      expect((await new RunStore(db).logs(repeat.runs.at(-1)!.id)).map((l) => l.message).join('\n')).toMatch(/newest reading is of 2025-07-31, and 2025-07-31 is already stored: a repeated day, nothing written/)
      for (const [body, why] of [
        [JSON.stringify({ status: 'error', data: 'Invalid key' }), /Invalid key \(the token was refused: check SML_AQ_TOKEN\)/],
        [JSON.stringify({ status: 'ok', data: { time: { s: '2025-08-01 10:00:00' }, iaqi: { pm25: { v: '-' } } } }), /data\.iaqi\.pm25\.v "-" is not a number/],
      ] as const) {
        reply = { status: 200, body }
        const failed = await daily(3)
        expect(failed.ok).toBe(false)
        expect(failed.runs.at(-1)!.error).toMatch(why)
        expect(await counts()).toEqual(before)
      }
    })
  })
})
