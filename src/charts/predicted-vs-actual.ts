import { CHART_CONFIG, type ChartSpec } from './render.js'

export interface PredictedVsActualOptions {
  /** Actual (true) values, one per point. */
  readonly actual: ArrayLike<number>
  /** Predicted values, in the same order as `actual`. */
  readonly predicted: ArrayLike<number>
  readonly title?: string
  /** Unit of both axes (the label's), e.g. "µg/m³". */
  readonly unit?: string
  readonly width?: number
}

/**
 * Scatter of predicted (y) against actual (x) values of a regression, on one shared domain (both series' range)
 * with the diagonal
 * y = x drawn: a perfect model's points lie on it, over- and under-prediction sit above and below it.
 * @throws RangeError when the two arrays differ in length.
 */
export function predictedVsActualChart(o: PredictedVsActualOptions): ChartSpec {
  if (o.actual.length !== o.predicted.length) throw new RangeError(`predicted (${o.predicted.length}) and actual (${o.actual.length}) must have the same length`)
  const values = Array.from(o.actual, (a, i) => ({ actual: a, predicted: o.predicted[i] }))
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    lo = Math.min(lo, v.actual, v.predicted)
    hi = Math.max(hi, v.actual, v.predicted)
  }
  if (!(lo <= hi)) [lo, hi] = [0, 1]
  // A margin of 4% of the span (1 for a single value), so points on the extremes are drawn whole.
  const pad = hi > lo ? (hi - lo) * 0.04 : 1
  const domain = [lo - pad, hi + pad]
  const unit = o.unit ? ` (${o.unit})` : ''
  const side = o.width ?? 320
  const scale = { domain, zero: false, nice: false }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title ?? 'Predicted vs actual',
    width: side,
    height: side,
    config: CHART_CONFIG,
    layer: [
      {
        data: { values: domain.map((v) => ({ actual: v, predicted: v })) },
        mark: { type: 'line', color: '#9ca3af', strokeDash: [4, 4] },
        encoding: { x: { field: 'actual', type: 'quantitative', scale }, y: { field: 'predicted', type: 'quantitative', scale } },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, opacity: 0.6, color: '#2563eb' },
        encoding: {
          x: { field: 'actual', type: 'quantitative', title: `Actual${unit}`, scale },
          y: { field: 'predicted', type: 'quantitative', title: `Predicted${unit}`, scale },
        },
      },
    ],
  }
}
