export { renderSvg, svgToPng, CHART_CONFIG, type ChartSpec } from './render.js'
export { confusionMatrixChart, type ConfusionMatrixChartOptions } from './confusion-matrix.js'
export { lineOverTimeChart, type LineOverTimeOptions, type TimePoint } from './line-over-time.js'
export { predictedVsActualChart, type PredictedVsActualOptions } from './predicted-vs-actual.js'
