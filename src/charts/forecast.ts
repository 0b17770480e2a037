import { dayTicks, lineOverTimeChart } from './line-over-time.js'
import { CHART_CONFIG, type ChartSpec } from './render.js'

export interface ForecastPoint {
  /** The forecast day (an instant, UTC midnight). */
  readonly time: Date | number
  readonly value: number
  /** Name of the band the value falls in (e.g. "Moderate"); one of `bands`. */
  readonly band: string
}

export interface ForecastChartOptions {
  readonly points: readonly ForecastPoint[]
  /** Every band in scale order with its colour: the legend lists them all, so colours mean the same on every day. */
  readonly bands: readonly { readonly name: string; readonly color: string }[]
  readonly title: string
  readonly yTitle: string
  readonly width?: number
  readonly height?: number
}

/** A forecast as one bar per day, coloured by its band, the value written above it; days labelled in UTC. */
export function forecastChart(o: ForecastChartOptions): ChartSpec {
  const values = o.points.map((p) => ({ time: p.time instanceof Date ? p.time.getTime() : p.time, value: p.value, band: p.band, label: p.value.toFixed(0) }))
  const x = { field: 'time', type: 'temporal', title: null, timeUnit: 'utcyearmonthdate', scale: { type: 'utc' }, axis: { format: '%a %b %-d', values: dayTicks(values.map((v) => v.time)) } } as const
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: o.width ?? 520,
    height: o.height ?? 200,
    config: CHART_CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 3 },
        encoding: {
          x: { ...x, bandPosition: 0.5 },
          y: { field: 'value', type: 'quantitative', title: o.yTitle },
          color: { field: 'band', type: 'nominal', title: null, scale: { domain: o.bands.map((b) => b.name), range: o.bands.map((b) => b.color) } },
        },
      },
      {
        mark: { type: 'text', dy: -7, fontSize: 12, color: '#111' },
        encoding: { x: { ...x, bandPosition: 0.5 }, y: { field: 'value', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  } as ChartSpec
}

export interface HindcastPoint {
  /** The forecast day (an instant). */
  readonly time: Date | number
  /** The value forecast for that day the day before. */
  readonly predicted: number
  /** What was measured that day; null when not measured. */
  readonly actual: number | null
}

/** Past one-day-ahead forecasts beside what was measured on those days: two lines over time. */
export function hindcastChart(o: { readonly points: readonly HindcastPoint[]; readonly title: string; readonly yTitle: string; readonly width?: number; readonly height?: number }): ChartSpec {
  return lineOverTimeChart({
    title: o.title,
    yTitle: o.yTitle,
    width: o.width,
    height: o.height,
    points: [
      ...o.points.flatMap((p) => (p.actual === null ? [] : [{ time: p.time, value: p.actual, series: 'measured' }])),
      ...o.points.map((p) => ({ time: p.time, value: p.predicted, series: 'forecast 1 day ahead' })),
    ],
  })
}
