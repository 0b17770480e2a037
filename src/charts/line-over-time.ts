import { CHART_CONFIG, type ChartSpec } from './render.js'

export interface TimePoint {
  readonly time: Date | string
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

/** A line with points over time, e.g. accuracy per day. */
export function lineOverTimeChart(o: LineOverTimeOptions): ChartSpec {
  const values = o.points.map((p) => ({ time: p.time instanceof Date ? p.time.toISOString() : p.time, value: p.value, series: p.series ?? '' }))
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
      x: { field: 'time', type: 'temporal', title: null },
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
