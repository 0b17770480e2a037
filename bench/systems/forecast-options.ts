// How to feed a recursive 7-day PM2.5 forecast the pm10/no2 lags it cannot measure (days 2–7 have only a forecast
// pm25): each option measured on one rolling-origin backtest over the last 20% of days (time split), beside
// persistence. Reads the whole export (no held-back days, so its test period is a few days longer than run.ts's).
//   nan       model trained as measured; forecast days' pm10/no2 arrive missing (what served before)
//   carry     same model; a forecast day carries the issue day's last measured pm10/no2 forward
//   regress   same model; pm10 and no2 forecast by their own regressors (same window inputs) and fed forward
//   copies    each training day used twice, as measured and with pm10/no2 lags missing (timeSeries.unknownAhead)
//   mask=P    each training day's pm10/no2 lags masked with probability P (seeded; SEED=…)
//   drop      pm10/no2 lags never used (always missing)
//   nice -n 10 npx tsx bench/systems/forecast-options.ts [option …]   (SML_DATA_DIR defaults to ../shared/data)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Row } from '../../src/featurestore/index.js'
import { HistGradientBoostingRegressor, Random } from '../../src/ml/index.js'
import { readingsOf } from '../../src/systems/air-quality/export.js'
import { WINDOW_FEATURES, windowFeatures, type DailyReading } from '../../src/systems/air-quality/windows.js'
import { rollingOriginBacktest } from '../../src/systems/backtest.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dataDir = process.env.SML_DATA_DIR ?? join(root, '..', 'shared', 'data')
const readings = readingsOf(readFileSync(join(dataDir, 'air-quality-stockholm-hornsgatan.csv'), 'utf8')).sort((a, b) => (a.date as Date).getTime() - (b.date as Date).getTime())
const names = WINDOW_FEATURES.map((f) => f.name)
const aux = ['pm10_lag1', 'no2_lag1'].map((n) => names.indexOf(n))
const vector = (w: Row) => names.map((c) => (typeof w[c] === 'number' ? (w[c] as number) : NaN))
const matrix = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), nRows: rows.length, nCols: names.length })
const fit = (x: number[][], y: number[]) => new HistGradientBoostingRegressor({ seed: 0 }).fit(matrix(x), Float64Array.from(y))

// Training days: every day after the first with a window, labelled; the last 20% of them (by time) are the test period.
const days = readings.slice(1).map((r) => r.date as Date)
const windows = windowFeatures(readings as unknown as DailyReading[], days)
const testStart = days[days.length - Math.ceil(0.2 * days.length)]
const train = days.flatMap((d, i) => (d < testStart ? [{ x: vector(windows[i]), r: readings[i + 1] }] : []))
const masked = (x: number[]) => x.map((v, j) => (aux.includes(j) ? NaN : v))

const options = process.argv.slice(2).length ? process.argv.slice(2) : ['nan', 'carry', 'regress', 'copies', 'mask=0.25', 'mask=0.5', 'drop']
console.log(`rolling origin from ${testStart.toISOString().slice(0, 10)} (${readings.length} readings), ${new Date().toISOString()}`)
const table: Record<string, unknown>[] = []
let persistence: number[] = []
for (const option of options) {
  const x = train.map((t) => t.x)
  const y = train.map((t) => t.r.pm25 as number)
  const random = new Random(Number(process.env.SEED ?? 0))
  const model =
    option === 'copies'
      ? fit([...x, ...x.map(masked)], [...y, ...y])
      : option.startsWith('mask=')
        ? fit(
            x.map((v) => (random.next() < Number(option.slice(5)) ? masked(v) : v)),
            y,
          )
        : option === 'drop'
          ? fit(x.map(masked), y)
          : fit(x, y)
  const regressors =
    option === 'regress'
      ? Object.fromEntries(
          ['pm10', 'no2'].map((c) => {
            const known = train.filter((t) => typeof t.r[c] === 'number')
            return [c, fit(known.map((t) => t.x), known.map((t) => t.r[c] as number))]
          }),
        )
      : {}
  const predict = (rows: readonly Row[]) => model.predict(matrix(rows.map(vector)))
  // What each forecast day of the current origin carries besides its pm25 (the recursion appends { date, pm25 }
  // only; measured rows have a station, forecast rows do not).
  const carried = new Map<number, { pm10: number | null; no2: number | null }>()
  const features = (history: readonly Row[], day: Date): Row => {
    const lastRow = history[history.length - 1]
    if ('station' in lastRow) carried.clear() // day 1 of a new origin
    const series = history.map((r) => ('station' in r ? r : { ...r, ...carried.get((r.date as Date).getTime()) }))
    const w = windowFeatures(series as unknown as DailyReading[], [day])[0]
    if (option === 'carry') {
      const lastOf = (c: string) => ([...history].reverse().find((r) => 'station' in r && typeof r[c] === 'number')?.[c] as number | undefined) ?? null
      carried.set(day.getTime(), { pm10: lastOf('pm10'), no2: lastOf('no2') })
    } else if (option === 'regress') {
      const x = matrix([vector(w)])
      carried.set(day.getTime(), { pm10: regressors.pm10.predict(x)[0], no2: regressors.no2.predict(x)[0] })
    }
    return w
  }
  const errors = rollingOriginBacktest({ history: readings, time: 'date', label: 'pm25', from: testStart, horizon: 7, lookbackDays: 7, features, predict })
  persistence = errors.map((e) => e.persistenceMae)
  table.push({ option, ...Object.fromEntries(errors.map((e) => [`h${e.horizon}`, +e.mae.toFixed(2)])), 'below persistence at every horizon': errors.every((e) => e.mae < e.persistenceMae) ? 'yes' : 'no' })
}
table.push({ option: 'persistence', ...Object.fromEntries(persistence.map((p, h) => [`h${h + 1}`, +p.toFixed(2)])) })
console.table(table)
