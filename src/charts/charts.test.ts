import { describe, expect, it } from 'vitest'
import { TEST_TIME_ZONES, withTimeZone } from '../db/test-support/time-zone.js'
import { confusionMatrixChart, forecastChart, hindcastChart, lineOverTimeChart, predictedVsActualChart, renderSvg, svgToPng } from './index.js'

describe('charts', () => {
  it('draws a confusion matrix with class names in order, true rows and predicted columns', async () => {
    const svg = await renderSvg(confusionMatrixChart({ matrix: [[50, 2], [7, 30]], labels: ['Died', 'Survived'], title: 'titanic' }))
    expect(svg.startsWith('<svg')).toBe(true)
    for (const t of ['Predicted', 'Actual', 'Died', 'Survived', '>50<', '>2<', '>7<', '>30<', 'titanic']) expect(svg).toContain(t)
    // The "Died" column label comes before "Survived" on the x axis.
    expect(svg.indexOf('Died')).toBeLessThan(svg.indexOf('Survived'))
  })

  it('refuses a matrix that does not match its labels', () => {
    expect(() => confusionMatrixChart({ matrix: [[1, 2]], labels: ['a', 'b'] })).toThrow(/must be 2×2/)
  })

  it('draws predicted against actual values on one shared scale, with the diagonal and the unit on both axes', async () => {
    const spec = predictedVsActualChart({ actual: [100, 150, 300], predicted: [120, 140, 250], unit: 'points', title: 'diabetes' })
    const layers = (spec as { layer: { data: { values: unknown[] } }[] }).layer
    expect(layers[0].data.values).toEqual([{ actual: 92, predicted: 92 }, { actual: 308, predicted: 308 }])
    const svg = await renderSvg(spec)
    for (const t of ['Actual (points)', 'Predicted (points)', 'diabetes']) expect(svg).toContain(t)
    // Three points and the dashed y = x line across the shared domain: both series' range, 4% wider each side.
    expect(svg.match(/<path[^>]*aria-roledescription="point"/g) ?? []).toHaveLength(3)
    expect(() => predictedVsActualChart({ actual: [1, 2], predicted: [1] })).toThrow(/same length/)
  })

  it('rasterises to PNG', async () => {
    const svg = await renderSvg(lineOverTimeChart({ title: 'Accuracy', yTitle: 'accuracy', yDomain: [0, 1], percent: true, points: [{ time: new Date('2026-01-01'), value: 0.9 }, { time: new Date('2026-01-02'), value: 0.95 }] }))
    expect(svg).toContain('Accuracy')
    const png = svgToPng(svg)
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    expect(png.length).toBeGreaterThan(1000)
  })

  it('labels dates in one format, on whole days, at most 8 of them', async () => {
    const labels = async (days: number, hours = 24) =>
      [...(await renderSvg(lineOverTimeChart({ title: 't', yTitle: 'y', points: Array.from({ length: days }, (_, d) => ({ time: Date.UTC(2026, 10, 25) + d * hours * 3_600_000, value: d })) }))).matchAll(/<text[^>]*>([^<]*)<\/text>/g)]
        .map((m) => m[1])
        .filter((l) => /^[A-Z][a-z]{2} \d+$/.test(l))
    expect(await labels(2)).toEqual(['Nov 25', 'Nov 26']) // not Nov 25 at 00:00 and again at 12:00
    expect(await labels(10)).toEqual(['Nov 25', 'Nov 27', 'Nov 29', 'Dec 1', 'Dec 3']) // no "Sat 21" beside "Nov 29"
    expect(await labels(5, 3)).toEqual(['Nov 25']) // a span inside one day
    expect((await labels(60)).length).toBe(8)
  })

  it('labels a time axis in UTC whatever the machine’s zone', async () => {
    const spec = lineOverTimeChart({ title: 'Accuracy', yTitle: 'accuracy', points: [0, 1, 2].map((d) => ({ time: new Date(Date.UTC(2026, 2, 1 + d)), value: 0.9 })) })
    const labels = async () => [...(await renderSvg(spec)).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])
    const utc = await withTimeZone('UTC', labels)
    // Days start at the UTC midnights of the points, all in one format.
    expect(utc.filter((l) => /^[A-Z][a-z]+ \d+$/.test(l))).toEqual(['Mar 1', 'Mar 2', 'Mar 3'])
    for (const zone of TEST_TIME_ZONES) expect(await withTimeZone(zone, labels), zone).toEqual(utc)
  })

  it('draws a forecast as one bar a day in its band’s colour, with the value and every band in the legend', async () => {
    const bands = [
      { name: 'Good', color: '#16a34a' },
      { name: 'Moderate', color: '#eab308' },
      { name: 'Unhealthy', color: '#dc2626' },
      { name: 'Unhealthy for sensitive groups', color: '#f97316' },
    ]
    const points = [
      { time: new Date(Date.UTC(2025, 6, 31)), value: 23.4, band: 'Good' },
      { time: new Date(Date.UTC(2025, 7, 1)), value: 61.2, band: 'Moderate' },
    ]
    const svg = await renderSvg(forecastChart({ points, bands, title: 'PM2.5 forecast', yTitle: 'PM2.5 (AQI)' }))
    // A long band name is printed whole in the legend, never cut to "Unhealthy for sens…".
    for (const t of ['PM2.5 forecast', 'PM2.5 (AQI)', '>23<', '>61<', 'Good', 'Moderate', '>Unhealthy<', '>Unhealthy for sensitive groups<', 'Thu Jul 31', 'Fri Aug 1']) expect(svg).toContain(t)
    const bars = [...svg.matchAll(/<path[^>]*aria-roledescription="bar"[^>]*fill="([^"]+)"/g)].map((m) => m[1])
    expect(bars).toEqual(['#16a34a', '#eab308'])
  })

  it('draws a hindcast: measured and forecast lines, days without a measurement left out of the measured one', async () => {
    const spec = hindcastChart({
      title: 'Hindcast',
      yTitle: 'PM2.5',
      points: [
        { time: Date.UTC(2025, 6, 1), predicted: 20, actual: 18 },
        { time: Date.UTC(2025, 6, 2), predicted: 22, actual: null },
      ],
    })
    const values = (spec as { data: { values: { series: string }[] } }).data.values
    expect(values.map((v) => v.series)).toEqual(['measured', 'forecast 1 day ahead', 'forecast 1 day ahead'])
    const svg = await renderSvg(spec)
    for (const t of ['Hindcast', 'measured', 'forecast 1 day ahead']) expect(svg).toContain(t)
  })
})
