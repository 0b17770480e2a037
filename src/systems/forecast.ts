import type { Row } from '../featurestore/index.js'

/** Milliseconds in a UTC day. */
const DAY_MS = 86_400_000

/** One day of a forecast: the target day, how many days after the issue day it lies, the value and the inputs used. */
export interface ForecastStep {
  /** UTC midnight of the forecast day. */
  readonly date: Date
  /** 1 for the day after the issue day, … */
  readonly horizon: number
  readonly predicted: number
  /** The model inputs the value was predicted from (lags of earlier forecast days included). */
  readonly features: Row
}

export interface RecursiveForecastOptions {
  /** Rows of the series (any order), each with its day in `time` and its measured value in `label`. */
  readonly history: readonly Row[]
  readonly time: string
  readonly label: string
  /** The issue day: the forecast covers the `horizon` days after it. */
  readonly issued: Date
  readonly horizon: number
  /** The model inputs of a day from the rows of days before it (e.g. window features). */
  features(history: readonly Row[], day: Date): Row
  /** The model's value for each row of inputs. */
  predict(rows: readonly Row[]): ArrayLike<number>
}

/**
 * A multi-step forecast made recursively (the "recursive strategy": Taieb et al., "A review and comparison of
 * strategies for multi-step ahead time series forecasting", 2012): the one-day-ahead model predicts day 1 from
 * the history, that value joins the history as day 1's label, day 2 is predicted from it, and so on. A predicted
 * day carries only the label: other measurements of it are unknown (null), as in a real gap, so the inputs read
 * from them reach the model missing from day 2 on (a time series' `unknownAhead`, which training prepares it for).
 * Pure; `history` is not changed.
 */
export function recursiveForecast(o: RecursiveForecastOptions): ForecastStep[] {
  const series: Row[] = [...o.history]
  const start = Math.floor(o.issued.getTime() / DAY_MS)
  const steps: ForecastStep[] = []
  for (let h = 1; h <= o.horizon; h++) {
    const date = new Date((start + h) * DAY_MS)
    const features = o.features(series, date)
    const predicted = o.predict([features])[0]
    steps.push({ date, horizon: h, predicted, features })
    series.push({ [o.time]: date, [o.label]: predicted })
  }
  return steps
}

/** A named range of the label's scale shown on pages, e.g. an air-quality category. */
export interface ValueBand {
  /** Largest value in the band (inclusive); the last band may have `Infinity`. */
  readonly max: number
  readonly name: string
  /** CSS colour. */
  readonly color: string
}

/** The band a value falls in: the first whose `max` is at or above it; the last band for anything above all. */
export function bandOf(bands: readonly ValueBand[], value: number): ValueBand | null {
  if (bands.length === 0 || !Number.isFinite(value)) return null
  return bands.find((b) => value <= b.max) ?? bands[bands.length - 1]
}
