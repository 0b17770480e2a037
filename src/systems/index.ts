import type { Pipeline } from '../runtime/index.js'
import { iris } from './iris/index.js'
import { batchInferencePipeline } from './pipelines/batch-inference.js'
import { dailyPipeline } from './pipelines/daily.js'
import { featurePipeline } from './pipelines/feature.js'
import { trainingPipeline } from './pipelines/training.js'
import type { SystemDescription } from './system.js'
import { titanic } from './titanic/index.js'

/** Every shipped system, by name; a new system is one more entry. */
export const SYSTEMS: Readonly<Record<string, SystemDescription>> = { iris, titanic }

export function getSystem(name: string): SystemDescription | undefined {
  return Object.hasOwn(SYSTEMS, name) ? SYSTEMS[name] : undefined
}

/** The four pipelines of a system, in the order a fresh store needs them. */
export function systemPipelines(system: SystemDescription): Pipeline[] {
  return [featurePipeline(system), trainingPipeline(system), dailyPipeline(system), batchInferencePipeline(system)]
}

/** Loaded by the runtime (`sml run`, `sml worker`) to find every system's pipelines. */
export const pipelines: Pipeline[] = Object.values(SYSTEMS).flatMap(systemPipelines)

export { iris, titanic }
export { className, classValue, labelClasses, systemTask, type SystemTask, type SystemDescription, type FieldDescription, type ClassDescription, type SyntheticSpec } from './system.js'
export { loadSource, type SourceOptions } from './source.js'
export { systemFeatureGroup, predictionsFeatureGroup, systemFeatureView, identifierColumns, keyOf, keyText, keyValues } from './feature-groups.js'
export { findServingVersion, loadServingModel, predictRows, predictedProbability, SERVING_ALIAS, servingVersion, type ServingModel, type Prediction, type ClassPrediction, type ValuePrediction } from './serving.js'
export { decidePromotion, PROMOTION_METRICS, promotionMetric, type PromotionCandidate, type PromotionMetric } from './promotion.js'
export { syntheticSeed, realRows, syntheticAccuracy, type SyntheticAccuracy } from './pipelines/daily.js'
export { conditionalResampler, type ResampledSystem } from './synthetic.js'
export { bootstrapSystem, runDemo, PipelineFailedError, type BootstrapReport, type DemoOptions, type DemoReport } from './bootstrap.js'
export { predictExamples, EXAMPLE_QUANTILES, type PredictExample } from './examples.js'
export { monitorData, type MonitorData, type PredictionRecord, type AccuracyPoint, type ErrorPoint } from './monitor.js'
export { featureDrift, type DriftReport, type FeatureDrift, type DriftOptions } from './drift.js'
