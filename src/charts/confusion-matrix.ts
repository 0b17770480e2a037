import { CHART_CONFIG, type ChartSpec } from './render.js'

export interface ConfusionMatrixChartOptions {
  /** counts[i][j]: rows of true class i predicted as class j. */
  readonly matrix: readonly (readonly number[])[]
  /** Class names in the matrix's order. */
  readonly labels: readonly string[]
  readonly title?: string
}

/** Heatmap with true classes as rows and predicted classes as columns, each cell showing its count. */
export function confusionMatrixChart({ matrix, labels, title = 'Confusion matrix' }: ConfusionMatrixChartOptions): ChartSpec {
  if (matrix.length !== labels.length || matrix.some((r) => r.length !== labels.length))
    throw new RangeError(`confusion matrix must be ${labels.length}×${labels.length} to match its labels`)
  const values = matrix.flatMap((row, i) => row.map((count, j) => ({ actual: labels[i], predicted: labels[j], count })))
  const max = Math.max(1, ...values.map((v) => v.count))
  const side = Math.max(180, 70 * labels.length)
  const axis = (title: string) => ({ field: '', type: 'nominal' as const, sort: [...labels], title, axis: { labelAngle: 0 } })
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: side,
    height: side,
    config: CHART_CONFIG,
    data: { values },
    encoding: { x: { ...axis('Predicted'), field: 'predicted', axis: { labelAngle: 0, orient: 'top' } }, y: { ...axis('Actual'), field: 'actual' } },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues', domain: [0, max] }, legend: null } },
      },
      {
        mark: { type: 'text', fontSize: 16, fontWeight: 600 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: '#111' },
        },
      },
    ],
  }
}
