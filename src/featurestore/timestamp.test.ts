import { describe, expect, it } from 'vitest'
import { ValidationError } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { TEST_TIME_ZONES, withTimeZone } from '../db/test-support/time-zone.js'
import { csvToRows, inferCsvSchema, parseCsv } from './csv.js'
import { FeatureStore } from './feature-store.js'
import { parseTimestamp } from './timestamp.js'

const MARCH_1 = Date.UTC(2026, 2, 1)

describe('timestamp text', () => {
  it('reads text without an offset as UTC and honours an offset, on every machine', async () => {
    const cases: [string, number][] = [
      ['2026-03-01', MARCH_1],
      ['2026-03-01 00:00', MARCH_1],
      ['2026-03-01T00:00', MARCH_1],
      ['2026-03-01T00:00:00', MARCH_1],
      ['2026-03-01T00:00:00.000Z', MARCH_1],
      ['  2026-03-01t00:00:00z ', MARCH_1],
      ['2026-03-01 06:15:30.25', MARCH_1 + (6 * 3600 + 15 * 60 + 30) * 1000 + 250],
      ['2026-03-01T00:00:00.123456789Z', MARCH_1 + 123],
      ['2026-03-01T01:00:00+01:00', MARCH_1],
      ['2026-02-28T19:00:00-05:00', MARCH_1],
      ['2026-03-01T05:30+0530', MARCH_1],
      ['2026-03-01 02:00:00+02', MARCH_1],
      ['2024-02-29', Date.UTC(2024, 1, 29)],
      // Not 1999: Date.UTC would map years 0–99 to the 1900s.
      ['0099-01-01', -59_042_995_200_000],
    ]
    for (const zone of TEST_TIME_ZONES) {
      await withTimeZone(zone, () => {
        for (const [text, ms] of cases) expect(parseTimestamp(text), `${text} under TZ=${zone}`).toBe(ms)
      })
    }
  })

  it('refuses anything else instead of guessing', () => {
    for (const text of ['', '1', '1700000000000', 'March 1 2026', '2026-3-1', '2026-02-30', '2025-02-29', '2026-13-01', '2026-03-01T24:00', '2026-03-01T12:60', '2026-03-01T12:00:61', '2026-03-01Z', '2026-03-01T00:00+25:00', '2026-03-01T00:00:00 +01:00', '2026/03/01']) {
      expect(parseTimestamp(text), JSON.stringify(text)).toBeNull()
    }
  })

  it('refuses a CSV cell that is not a timestamp, naming row, column and line', () => {
    const table = parseCsv('id,ts\n1,2026-03-01\n2,2026-02-30\n')
    expect(() => csvToRows(table, [{ name: 'id', type: 'int' }, { name: 'ts', type: 'timestamp' }])).toThrow(/row 2, column "ts": "2026-02-30" is not a valid timestamp \(expected YYYY-MM-DD.*\) \(line 3\)/)
  })
})

describe.each(testDialectNames())('timestamps stored on %s', (dialect) => {
  let fs: FeatureStore
  useTestDatabase(dialect, (_tdb, db) => {
    fs = new FeatureStore(db)
  })

  it('stores a CSV’s event times as UTC instants whatever the machine’s zone', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'events', primaryKey: ['id'], eventTime: 'ts', schema: [{ name: 'id', type: 'int' }, { name: 'ts', type: 'timestamp' }] })
    for (const zone of TEST_TIME_ZONES) {
      await withTimeZone(zone, async () => {
        const table = parseCsv('id,ts\n1,2026-03-01\n2,2026-03-01 00:00\n3,2026-03-01T01:00:00+01:00\n')
        expect(inferCsvSchema(table)).toEqual([{ name: 'id', type: 'int' }, { name: 'ts', type: 'timestamp' }])
        await fg.insert(csvToRows(table, fg.schema))
        const rows = await fg.read()
        expect(rows.map((r) => (r.ts as Date).toISOString()), zone).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'])
        expect(await fg.read({ since: new Date(MARCH_1) })).toHaveLength(3)
        expect(await fg.read({ since: new Date(MARCH_1 + 1) })).toHaveLength(0)
      })
    }
  })

  it('looks rows up by a timestamp key given as text, epoch ms or Date, by the same rule', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'readings', primaryKey: ['station', 'day'], eventTime: 'day', schema: [{ name: 'station', type: 'string' }, { name: 'day', type: 'timestamp' }, { name: 'pm25', type: 'float' }] })
    await fg.insert([{ station: 'hornsgatan', day: new Date(MARCH_1), pm25: 12.5 }])
    await withTimeZone('America/New_York', async () => {
      const found = await fg.lookup([{ station: 'hornsgatan', day: '2026-03-01' }, { station: 'hornsgatan', day: '2026-03-01 00:00' }, { station: 'hornsgatan', day: MARCH_1 }, { station: 'hornsgatan', day: '2026-03-02' }])
      expect(found.map((r) => r?.pm25)).toEqual([12.5, 12.5, 12.5, undefined])
      await expect(fg.lookup([{ station: 'hornsgatan', day: 'yesterday' }])).rejects.toThrow(/row 1, column "day": expected a timestamp/)
    })
  })

  it('reads timestamp text in inserted rows by the same rule; epoch ms and Dates still work; junk is refused by row and column', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'texts', primaryKey: ['id'], eventTime: 'ts', schema: [{ name: 'id', type: 'int' }, { name: 'ts', type: 'timestamp' }] })
    await withTimeZone('America/New_York', async () => {
      await fg.insert([
        { id: 1, ts: '2026-03-01 00:00' },
        { id: 2, ts: '2026-02-28T19:00:00-05:00' },
        { id: 3, ts: MARCH_1 },
        { id: 4, ts: new Date(MARCH_1) },
      ])
      expect((await fg.read()).map((r) => (r.ts as Date).getTime())).toEqual([MARCH_1, MARCH_1, MARCH_1, MARCH_1])
      const err = await fg.insert([{ id: 5, ts: '2026-03-02' }, { id: 6, ts: 'March 1' }]).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).issues).toEqual([{ path: 'row 2.ts', row: 2, column: 'ts', reason: expect.stringMatching(/expected a timestamp .*no offset = UTC.*got "March 1"/) }])
      expect(await fg.count()).toBe(4)
    })
  })
})
