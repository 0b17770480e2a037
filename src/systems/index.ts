import type { Pipeline } from '../runtime/index.js'
import { iris } from './iris/index.js'
import { systemBatchPipeline } from './pipelines/batch-inference.js'
import { dailyPipeline } from './pipelines/daily.js'
import { featurePipeline } from './pipelines/feature.js'
import { trainingPipeline } from './pipelines/training.js'
import type { SystemSettings } from './settings.js'
import type { SystemDescription } from './system.js'
import { titanic } from './titanic/index.js'
import { airQualitySystem } from './air-quality/index.js'

/** The shipped systems, by name: what runs when the project has no sml.config (the built-in config). */
export const SYSTEMS: Readonly<Record<string, SystemDescription>> = { iris, titanic, air_quality: airQualitySystem() }

/** The four pipelines of a system, in the order a fresh store needs them. */
export function systemPipelines(system: SystemDescription, settings: SystemSettings = {}): Pipeline[] {
  return [featurePipeline(system, settings), trainingPipeline(system), dailyPipeline(system, settings), systemBatchPipeline(system)]
}

export { iris, titanic }
export { airQualitySystem, AQI_BANDS, STATION as AIR_QUALITY_STATION, readingsOf as airQualityReadings, type AirQualityOptions } from './air-quality/index.js'
export type { AirQualityFeedSettings } from './air-quality/feed.js'
export { recursiveForecast, bandOf, type ForecastStep, type RecursiveForecastOptions, type ValueBand } from './forecast.js'
export { windowsFeatureGroup, updateWindows, newWindowDays, seriesColumns, inputSpecs, timeSeriesOf, forecastInputs, withUnknownAhead } from './time-series.js'
export { rollingOriginBacktest, forecastBacktest, type BacktestOptions, type HorizonError } from './backtest.js'
export { forecastPipeline } from './pipelines/forecast.js'
export { defineSystem, systemIssues, systemNameIssue, systemSetIssues, systemTables, RESERVED_SYSTEM_NAMES } from './define-system.js'
export {
  className,
  classValue,
  labelClasses,
  systemTask,
  trainingSplit,
  type TimeSeriesDescription,
  type SystemTask,
  type SystemDescription,
  type FieldDescription,
  type ClassDescription,
  type SyntheticSpec,
  type SourceDescription,
  type CsvSourceDescription,
  type JsonSourceDescription,
  type FunctionSourceDescription,
  type SourceTable,
  type SourceContext,
  type DailyDescription,
  type DailyFetch,
  type FetchContext,
  type FetchResult,
} from './system.js'
export { loadSource, localSourcePath, sourceKind, sourceLabel, SourceFetchError, type SourceOptions, type SourceReadOptions } from './source.js'
export type { SystemSettings } from './settings.js'
export { systemFeatureGroup, predictionsFeatureGroup, systemFeatureView, systemGroupDefinitions, pointAtSource, derivedFeatureGroup, type SystemGroupDefinition, identifierColumns, keyOf, keyText, keyValues } from './feature-groups.js'
export { findServingVersion, loadServingModel, predictRows, predictedProbability, SERVING_ALIAS, servingVersion, type ServingModel, type Prediction, type ClassPrediction, type ValuePrediction } from './serving.js'
export { decidePromotion, PROMOTION_METRICS, FORECAST_PROMOTION_METRIC, promotionMetric, type PromotionCandidate, type PromotionMetric } from './promotion.js'
export { syntheticSeed, realRows, syntheticAccuracy, newSourceRows, positionText, type SyntheticAccuracy, type NewSourceRowsOptions } from './pipelines/daily.js'
export { conditionalResampler, syntheticSpec, type ResampledSystem } from './synthetic.js'
export { bootstrapSystem, runDemo, PipelineFailedError, type BootstrapReport, type DemoOptions, type DemoReport } from './bootstrap.js'
export { predictExamples, EXAMPLE_QUANTILES, type PredictExample } from './examples.js'
export { monitorData, monitorVersion, type MonitorData, type ForecastMonitor, type ForecastDay, type PredictionRecord, type AccuracyPoint, type ErrorPoint } from './monitor.js'
export { featureDrift, type DriftReport, type FeatureDrift, type DriftOptions } from './drift.js'
