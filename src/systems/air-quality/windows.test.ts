import { describe, expect, it } from 'vitest'
import { csvToRows, readCsvFile } from '../../featurestore/index.js'
import { AIR_QUALITY_CSV } from '../../featurestore/test-support/data.js'
import { newWindowDays } from '../time-series.js'
import { windowFeatures, type DailyReading } from './windows.js'

const day = (iso: string) => new Date(`${iso}T00:00:00Z`)
const reading = (iso: string, pm25: number | null, pm10: number | null = null, no2: number | null = null): DailyReading => ({ date: day(iso), pm25, pm10, no2 })

describe('air quality window features', () => {
  const week = [
    reading('2025-03-01', 10, 20, 30),
    reading('2025-03-02', 11, 21, 31),
    reading('2025-03-03', 12, 22, 32),
    reading('2025-03-04', 13, 23, 33),
    reading('2025-03-05', 14, 24, 34),
    reading('2025-03-06', 15, 25, 35),
    reading('2025-03-07', 16, 26, 36),
  ]

  it('takes lags, the 7-day mean and the previous day’s pm10 and no2 from days strictly before, and the calendar of the day itself', () => {
    // 2025-03-08 is a Saturday: pandas dayofweek 5.
    expect(windowFeatures([...week].reverse(), [day('2025-03-08')])).toEqual([
      { date: day('2025-03-08'), pm25_lag1: 16, pm25_lag2: 15, pm25_lag3: 14, pm25_mean7: 13, pm10_lag1: 26, no2_lag1: 36, day_of_week: 5, month: 3 },
    ])
  })

  it('never reads the day itself or a later one: changing them changes nothing', () => {
    const later = [...week, reading('2025-03-08', 99, 99, 99), reading('2025-03-09', 98, 98, 98)]
    expect(windowFeatures(later, [day('2025-03-08')])).toEqual(windowFeatures(week, [day('2025-03-08')]))
  })

  it('leaves a lag that falls in a gap null, and gives the mean over the days present only from 4 of them', () => {
    // 03-06 absent, 03-05 present with an empty pm25: lag1 16, lag2 null (absent), lag3 null (empty cell).
    const gappy = week.filter((r) => r.date.getTime() !== day('2025-03-06').getTime()).map((r) => (r.date.getTime() === day('2025-03-05').getTime() ? { ...r, pm25: null } : r))
    const [row] = windowFeatures(gappy, [day('2025-03-08')])
    expect(row).toMatchObject({ pm25_lag1: 16, pm25_lag2: null, pm25_lag3: null, pm10_lag1: 26 })
    expect(row.pm25_mean7).toBeCloseTo((10 + 11 + 12 + 13 + 16) / 5, 12)
    // Three pm25 values in the window: no mean.
    const [sparse] = windowFeatures([reading('2025-03-01', 10), reading('2025-03-05', 12), reading('2025-03-07', 14)], [day('2025-03-08')])
    expect(sparse).toMatchObject({ pm25_lag1: 14, pm25_lag2: null, pm25_lag3: 12, pm25_mean7: null, pm10_lag1: null, no2_lag1: null })
    // Four: a mean. A reading eight days back is outside the window.
    const [four] = windowFeatures([reading('2025-02-28', 1000), reading('2025-03-01', 10), reading('2025-03-02', 10), reading('2025-03-05', 12), reading('2025-03-07', 14)], [day('2025-03-08')])
    expect(four.pm25_mean7).toBe(11.5)
  })

  it('reads days in UTC whatever time of day an instant holds (Sunday 6, December 12)', () => {
    const [row] = windowFeatures(week, [new Date('2025-12-28T23:30:00Z')])
    expect(row).toMatchObject({ date: day('2025-12-28'), day_of_week: 6, month: 12 })
  })

  it('lists new days from the day after the first reading to the day after the last, and none twice', () => {
    expect(newWindowDays([], null)).toEqual([])
    const days = newWindowDays(week.map((r) => r.date), null)
    expect(days.map((d) => d.toISOString().slice(0, 10))).toEqual(['2025-03-02', '2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07', '2025-03-08'])
    expect(newWindowDays(week.map((r) => r.date), day('2025-03-08'))).toEqual([])
    expect(newWindowDays([...week, reading('2025-03-10', 5)].map((r) => r.date), day('2025-03-08')).map((d) => d.toISOString().slice(0, 10))).toEqual(['2025-03-09', '2025-03-10', '2025-03-11'])
  })

  it('on the real export, matches the values read off the file, an empty cell included', () => {
    const t = readCsvFile(AIR_QUALITY_CSV)
    const rows = csvToRows(t, [
      { name: 'date', type: 'timestamp' },
      { name: 'pm25', type: 'float' },
      { name: 'pm10', type: 'float' },
      { name: 'no2', type: 'float' },
    ]) as unknown as DailyReading[]
    // From the file: pm25 of 2025/6/28 … 2025/6/30 15, 17, 8; 2025/7/1 14, 19, 8 · 2025/7/2 27, 15, 5 · 2025/7/3 22, 8, 4 ·
    // 2025/7/4 9, 6, (empty no2).
    const [july5] = windowFeatures(rows, [day('2025-07-05')])
    expect(july5).toMatchObject({ pm25_lag1: 9, pm25_lag2: 22, pm25_lag3: 27, pm10_lag1: 6, no2_lag1: null, day_of_week: 5, month: 7 })
    expect(july5.pm25_mean7).toBeCloseTo((15 + 17 + 8 + 14 + 27 + 22 + 9) / 7, 12)
    const days = newWindowDays(rows.map((r) => r.date), null)
    expect(days[0]).toEqual(day('2017-10-04'))
    expect(days.at(-1)).toEqual(day('2025-07-31'))
  })
})
