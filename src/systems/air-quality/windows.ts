import type { FeatureSpec, Row } from '../../featurestore/index.js'

/** Milliseconds in a UTC day: days are UTC midnights, so day arithmetic never meets a daylight-saving change. */
export const DAY_MS = 86_400_000

/** Days the rolling mean looks back (D-7 … D-1). */
export const MEAN_DAYS = 7
/**
 * Fewest days with a pm25 value for the 7-day mean to be given (pandas' `rolling(7, min_periods=4)`): a mean of
 * one or two days over a gap would pass for a weekly level it is not.
 */
export const MEAN_MIN_DAYS = 4

/** The window features of one day, as stored in `air_quality_windows` (besides station and date). */
export const WINDOW_FEATURES: readonly FeatureSpec[] = [
  { name: 'pm25_lag1', type: 'float', description: 'pm25 of the day before (null when that day was not measured)' },
  { name: 'pm25_lag2', type: 'float', description: 'pm25 two days before' },
  { name: 'pm25_lag3', type: 'float', description: 'pm25 three days before' },
  { name: 'pm25_mean7', type: 'float', description: `mean pm25 of the 7 days before, over the days measured (null below ${MEAN_MIN_DAYS})` },
  { name: 'pm10_lag1', type: 'float', description: 'pm10 of the day before' },
  { name: 'no2_lag1', type: 'float', description: 'no2 of the day before' },
  { name: 'day_of_week', type: 'int', nullable: false, description: 'UTC day of week of the day, Monday 0 … Sunday 6 (pandas dayofweek)' },
  { name: 'month', type: 'int', nullable: false, description: 'month of the day, 1–12' },
]

/** One day's reading of a series: pollutant values, each null when not measured that day. */
export interface DailyReading {
  /** UTC midnight of the day. */
  readonly date: Date
  readonly pm25: number | null
  readonly pm10: number | null
  readonly no2: number | null
}

/** The UTC day number (days since 1970-01-01) of an instant. */
export const dayNumber = (d: Date): number => Math.floor(d.getTime() / DAY_MS)

/**
 * Window features of each day `d` from the readings of days strictly before it, so a day's row never holds a
 * value measured on that day or later (its own pm25 is the label a 1-day-ahead forecast predicts):
 *
 * - `pm25_lagK` (K = 1, 2, 3): pm25 of day d−K; null when that day is absent or its pm25 empty.
 * - `pm25_mean7`: mean pm25 over the days of d−7 … d−1 that have one; null when fewer than MEAN_MIN_DAYS do.
 * - `pm10_lag1`, `no2_lag1`: of day d−1, null likewise.
 * - `day_of_week` (Monday 0 … Sunday 6) and `month` (1–12) of d itself, in UTC: known ahead, calendar, not data.
 *
 * A gap in the series is never filled (no interpolation, no carrying the last value forward): the lag that falls
 * in it is null and the gradient-boosted model, which handles missing values natively, learns what that means.
 *
 * Pure; readings may come in any order; a day given twice keeps the last. Returns one row per day of `days`, in
 * the order given, with `date` that day; other key columns are the caller's.
 */
export function windowFeatures(readings: readonly DailyReading[], days: readonly Date[]): Row[] {
  const byDay = new Map<number, DailyReading>()
  for (const r of readings) byDay.set(dayNumber(r.date), r)
  const value = (day: number, column: 'pm25' | 'pm10' | 'no2'): number | null => {
    const v = byDay.get(day)?.[column]
    return typeof v === 'number' && Number.isFinite(v) ? v : null
  }
  return days.map((date) => {
    const d = dayNumber(date)
    let sum = 0
    let n = 0
    for (let k = 1; k <= MEAN_DAYS; k++) {
      const v = value(d - k, 'pm25')
      if (v !== null) {
        sum += v
        n++
      }
    }
    const day = new Date(d * DAY_MS)
    return {
      date: day,
      pm25_lag1: value(d - 1, 'pm25'),
      pm25_lag2: value(d - 2, 'pm25'),
      pm25_lag3: value(d - 3, 'pm25'),
      pm25_mean7: n >= MEAN_MIN_DAYS ? sum / n : null,
      pm10_lag1: value(d - 1, 'pm10'),
      no2_lag1: value(d - 1, 'no2'),
      // getUTCDay is Sunday 0 … Saturday 6; pandas' dayofweek (and ISO order) starts on Monday.
      day_of_week: (day.getUTCDay() + 6) % 7,
      month: day.getUTCMonth() + 1,
    }
  })
}
