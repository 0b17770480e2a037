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
      // One label format at every zoom ("Nov 21"; Vega's default mixes "Sat 21" with "Nov 29" and repeats a day at
      // 00:00 and 12:00 on short spans): ticks on whole UTC days only.
      x: { field: 'time', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { format: '%b %-d', values: dayTicks(values.map((v) => v.time)) } },
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

const DAY_MS = 86_400_000
/** At most this many date ticks; more days are labelled every 2nd, 3rd, … day. */
const MAX_TICKS = 8

/** UTC midnights (epoch ms) spanning the times, every `ceil(days / MAX_TICKS)` days; empty for no times. */
export function dayTicks(times: readonly number[]): number[] {
  if (times.length === 0) return []
  const first = Math.ceil(Math.min(...times) / DAY_MS) * DAY_MS
  const last = Math.floor(Math.max(...times) / DAY_MS) * DAY_MS
  if (last < first) return [Math.floor(times[0] / DAY_MS) * DAY_MS] // a span inside one day: that day's start
  const days = (last - first) / DAY_MS + 1
  const step = Math.ceil(days / MAX_TICKS)
  const ticks: number[] = []
  for (let t = first; t <= last; t += step * DAY_MS) ticks.push(t)
  return ticks
}
