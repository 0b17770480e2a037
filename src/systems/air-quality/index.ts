import { csvToRows, type Row } from '../../featurestore/index.js'
import { HistGradientBoostingRegressor } from '../../ml/index.js'
import { defineSystem } from '../define-system.js'
import type { ValueBand } from '../forecast.js'
import type { SystemDescription } from '../system.js'
import { fetchDailyReading, holdBack, REPLAY_DAYS } from './daily.js'
import { EXPORT_FILE, loadExport } from './export.js'
import type { AirQualityFeedSettings } from './feed.js'
import { STATION } from './export.js'

export { STATION, readingsOf, loadExport, EXPORT_FILE, EXPORT_URL } from './export.js'
import { MEAN_DAYS, WINDOW_FEATURES, windowFeatures, type DailyReading } from './windows.js'

/**
 * The US EPA Air Quality Index categories, with their official colours (green, yellow, orange, red, purple, maroon):
 * EPA-454/B-24-002, "Technical Assistance Document for the Reporting of Daily Air Quality – the Air Quality Index
 * (AQI)", May 2024, tables 2 and 3. aqicn.org reports each pollutant as its individual AQI on this scale (its PM2.5
 * 0–50 "good" is 0.0–9.0 µg/m³ of the 2024 breakpoints, 51–100 "moderate" 9.1–35.4 µg/m³, …), so the bands apply
 * to the values as the export and the feed give them.
 */
export const AQI_BANDS: readonly ValueBand[] = [
  { max: 50, name: 'Good', color: '#00e400' },
  { max: 100, name: 'Moderate', color: '#ffff00' },
  { max: 150, name: 'Unhealthy for sensitive groups', color: '#ff7e00' },
  { max: 200, name: 'Unhealthy', color: '#ff0000' },
  { max: 300, name: 'Very unhealthy', color: '#8f3f97' },
  { max: Infinity, name: 'Hazardous', color: '#7e0023' },
]

/** What the air-quality system takes from the process's settings (read at the edge: SML_AQ_URL, SML_AQ_TOKEN). */
export interface AirQualityOptions {
  readonly feed?: AirQualityFeedSettings
}

const READING_SCHEMA = [
  { name: 'station', type: 'string' as const },
  { name: 'date', type: 'timestamp' as const },
  { name: 'pm25', type: 'float' as const },
  { name: 'pm10', type: 'float' as const },
  { name: 'no2', type: 'float' as const },
]

// A lag or mean over days that were not measured is null in the window group and missing to the model, which handles
// that natively: a predict request may send those fields null or leave them out. Day and month are always known.
const AQI_FIELD = { kind: 'number' as const, unit: 'AQI', min: 0, max: 500, step: 1, optional: true }
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/**
 * The air-quality system: tomorrow's PM2.5 at Stockholm Hornsgatan from the station's own recent days. Readings
 * (station, date; pm25, pm10, no2) come from the aqicn.org export; the window group holds each day's features from
 * the days before it, so predicting a day's pm25 from its window row is an honest one-day-ahead forecast. With
 * `feed.url` the daily pipeline fetches the live feed; without, the backfill holds back the export's last 60 days and
 * each daily run releases the next (offline replay).
 */
export function airQualitySystem(options: AirQualityOptions = {}): SystemDescription {
  const live = Boolean(options.feed?.url)
  return defineSystem({
    name: 'air_quality',
    title: 'Air quality forecast',
    shortTitle: 'Air quality',
    description: 'Forecasts PM2.5 (US AQI) at Stockholm Hornsgatan for the next 7 days from the last days’ readings (histogram gradient boosting).',
    // The export, read as it is; offline, its last 60 days are held back for the daily replay to release.
    source: {
      load: async (ctx) => {
        const rows = await loadExport(ctx)
        return live ? rows : holdBack(rows as unknown as (DailyReading & Row)[], REPLAY_DAYS).backfill
      },
      requiredColumns: ['station', 'date', 'pm25', 'pm10', 'no2'],
    },
    featureGroup: {
      name: 'air_quality',
      version: 1,
      description: 'Daily readings of one station (aqicn.org individual AQI, US EPA scale): pm25 (the label, always measured: a day without it is left out, its pm10 and no2 with it), pm10 and no2 (null when not measured)',
      primaryKey: ['station', 'date'],
      eventTime: 'date',
      schema: [
        { name: 'station', type: 'string' },
        { name: 'date', type: 'timestamp' },
        { name: 'pm25', type: 'float', nullable: false },
        { name: 'pm10', type: 'float' },
        { name: 'no2', type: 'float' },
      ],
      expectations: [
        { column: 'pm25', min: 0, max: 500 },
        { column: 'pm10', min: 0, max: 500 },
        { column: 'no2', min: 0, max: 500 },
      ],
    },
    clean: (table) => csvToRows(table, READING_SCHEMA, EXPORT_FILE),
    label: { column: 'pm25', unit: 'AQI' },
    fields: [
      { ...AQI_FIELD, name: 'pm25_lag1', label: 'PM2.5 yesterday', default: 21 },
      { ...AQI_FIELD, name: 'pm25_lag2', label: 'PM2.5 2 days ago', default: 21 },
      { ...AQI_FIELD, name: 'pm25_lag3', label: 'PM2.5 3 days ago', default: 21 },
      { ...AQI_FIELD, name: 'pm25_mean7', label: 'PM2.5, mean of the last 7 days', step: 0.1, default: 21 },
      { ...AQI_FIELD, name: 'pm10_lag1', label: 'PM10 yesterday', default: 10 },
      { ...AQI_FIELD, name: 'no2_lag1', label: 'NO₂ yesterday', default: 8 },
      { kind: 'choice', name: 'day_of_week', label: 'Day of week', choices: DAYS.map((d, i) => ({ value: d, code: i, label: d })), default: 'Monday' },
      { kind: 'choice', name: 'month', label: 'Month', choices: MONTHS.map((m, i) => ({ value: m, code: i + 1, label: m })), default: 'January' },
    ],
    training: { testSize: 0.2, seed: 0 },
    model: {
      name: 'air_quality_model',
      description: 'histogram gradient boosting regressor (scikit-learn defaults) on pm25 lags, 7-day mean, previous pm10/no2, day of week, month; each training day also without pm10/no2, as forecast days 2–7 see it',
      create: (seed) => new HistGradientBoostingRegressor({ seed }),
    },
    // With a feed URL, the newest live reading; without, the next held-back day of the export (see fetchDailyReading).
    daily: {
      fetch: async (ctx) => {
        const { rows, position } = await fetchDailyReading(ctx, options.feed ?? {}, async () => holdBack((await loadExport(ctx)) as unknown as (DailyReading & Row)[], REPLAY_DAYS).heldBack)
        return { rows: rows.map((r) => ({ station: STATION, ...r })), position }
      },
    },
    schedules: { daily: '10 6 * * *', batchInference: '25 6 * * *' },
    timeSeries: {
      windows: {
        name: 'air_quality_windows',
        version: 1,
        description: `Window features of each day from the days before it: pm25 of the last 3 days, ${MEAN_DAYS}-day mean pm25, previous day's pm10 and no2, day of week, month`,
        features: WINDOW_FEATURES,
        lookbackDays: MEAN_DAYS,
        compute: (series, days) => windowFeatures(series as unknown as DailyReading[], days),
      },
      persistence: 'pm25_lag1',
      // Only pm25 is forecast: from a forecast's second day on, the day before has no pm10 or no2. Training shows the
      // model each day also without them, or the 7-day forecast drifts upward (bench/README.md, air quality).
      unknownAhead: ['pm10_lag1', 'no2_lag1'],
      horizon: 7,
      hindcastDays: 60,
      bands: AQI_BANDS,
    },
  })
}
