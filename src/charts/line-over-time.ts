import { CHART_CONFIG, type ChartSpec } from './render.js'

export interface TimePoint {
  /** An instant (a Date or epoch ms), never text: the chart would have to guess the zone of `2026-03-01 06:00`. */
  readonly time: Date | number
  readonly value: number
  /** Optional series name (e.g. model version). */
  readonly series?: string
}

export interface LineOverTimeOptions {
  readonly points: readonly TimePoint[]
  readonly title: string
  readonly yTitle: string
  /** Fix the y axis, e.g. [0, 1] for accuracy. */
  readonly yDomain?: readonly [number, number]
  readonly percent?: boolean
  readonly width?: number
  readonly height?: number
}

/** A line with points over time, e.g. accuracy per day; the time axis is labelled in UTC on every machine. */
export function lineOverTimeChart(o: LineOverTimeOptions): ChartSpec {
  const values = o.points.map((p) => ({ time: p.time instanceof Date ? p.time.getTime() : p.time, value: p.value, series: p.series ?? '' }))
  const hasSeries = values.some((v) => v.series !== '')
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: o.width ?? 520,
    height: o.height ?? 200,
    config: CHART_CONFIG,
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      // A utc scale: Vega's default time scale places ticks and writes labels in the process's local zone.
      x: { field: 'time', type: 'temporal', title: null, scale: { type: 'utc' } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: o.yTitle,
        ...(o.yDomain ? { scale: { domain: [...o.yDomain] } } : {}),
        ...(o.percent ? { axis: { format: '.0%' } } : {}),
      },
      ...(hasSeries ? { color: { field: 'series', type: 'nominal', title: null } } : { color: { value: '#2563eb' } }),
    },
  }
}
