import { inverseLabel, type FeatureStore, type FeatureView, type Row, type TrainingDatasetMetadata } from '../featurestore/index.js'
import { isClassifier, loadModel, type Estimator } from '../ml/index.js'
import { ARTIFACT_FILES, type ModelRegistry, type ModelVersion } from '../registry/index.js'
import { NotFoundError } from '../db/index.js'
import { systemFeatureView } from './feature-groups.js'
import { className, labelClasses, systemTask, type SystemDescription } from './system.js'

/** A loaded model with what it needs to turn feature rows into named predictions. */
export interface ServingModel {
  readonly system: SystemDescription
  readonly version: ModelVersion
  /** A classifier for a classification system, a regressor for a regression one (checked on load). */
  readonly model: Estimator
  readonly featureView: FeatureView
  readonly trainingDataset: TrainingDatasetMetadata
}

/** A classification system's answer for one row. */
export interface ClassPrediction {
  /** Class name, e.g. "Setosa" or "Survived". */
  readonly prediction: string
  /** Probability of each class by name, in the description's class order. */
  readonly probabilities: Record<string, number>
  readonly modelVersion: number
}

/** A regression system's answer for one row: the predicted label value, in the label's unit when it has one. */
export interface ValuePrediction {
  readonly prediction: number
  readonly unit?: string
  readonly modelVersion: number
}

/** One row's answer: `typeof prediction` tells the two apart (string: a class; number: a value). */
export type Prediction = ClassPrediction | ValuePrediction

/** The probability of the predicted class; null for a value prediction, which has none. */
export function predictedProbability(p: Prediction): number | null {
  return typeof p.prediction === 'string' ? (p as ClassPrediction).probabilities[p.prediction] : null
}

/**
 * The alias serving follows. A training run moves it only after scoring the new and the current version on the
 * same rows (`systems/promotion.ts`); `sml models promote` moves it by hand. Never "the best metric": each
 * version's own metrics come from its own test split, so they do not compare.
 */
export const SERVING_ALIAS = 'production'

/**
 * The version serving predictions (API, predict page, batch inference, monitor, drift): the one the
 * `production` alias points at. Throws NotFoundError when the model has no version or none is in production.
 */
export async function servingVersion(registry: ModelRegistry, system: SystemDescription): Promise<ModelVersion> {
  try {
    return await registry.getByAlias(system.model.name, SERVING_ALIAS)
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e
    throw new NotFoundError(`no version of ${system.model.name} is in ${SERVING_ALIAS}: run ${system.name}-training, or promote one with \`sml models promote ${system.model.name} VERSION\``)
  }
}

/** `servingVersion`, or null when no version is in production. */
export async function findServingVersion(registry: ModelRegistry, system: SystemDescription): Promise<ModelVersion | null> {
  try {
    return await servingVersion(registry, system)
  } catch (e) {
    if (e instanceof NotFoundError) return null
    throw e
  }
}

/**
 * Loads a version (default the serving one) with the feature view and training dataset it was trained on
 * (its lineage), so its inputs are transformed by its own fitted transformations even when the system has
 * moved on to another view version. A version without a recorded view falls back to the system's view.
 * Throws NotFoundError (artifact, view or training dataset gone), ChecksumError (corrupt model.json).
 */
export async function loadServingModel(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, version?: ModelVersion): Promise<ServingModel> {
  const v = version ?? (await servingVersion(registry, system))
  const model = loadModel(await registry.readArtifactText(v.name, v.version, ARTIFACT_FILES.model))
  const classification = systemTask(system) === 'classification'
  if (isClassifier(model) !== classification)
    throw new TypeError(`model ${v.name} v${v.version} is a ${model.toJSON().kind}, but system ${system.name} serves ${classification ? 'class predictions' : 'numeric predictions (regression)'}`)
  const featureView = await trainedFeatureView(fs, system, v)
  const trainingDataset = await featureView.getTrainingDataset(v.lineage.trainingDatasetVersion ?? undefined)
  return { system, version: v, model, featureView, trainingDataset }
}

/** The feature view a version was trained through (its lineage); the system's view when none was recorded. */
export async function trainedFeatureView(fs: FeatureStore, system: SystemDescription, version: ModelVersion): Promise<FeatureView> {
  const trained = version.lineage.featureView
  return trained ? fs.getFeatureView(trained.name, trained.version) : systemFeatureView(fs, system)
}

/**
 * Predicts feature rows (stored codes, not UI values): class names with their probabilities for a
 * classification system, values with the label's unit for a regression one.
 */
export function predictRows(serving: ServingModel, rows: readonly Row[]): Prediction[] {
  const x = serving.featureView.transformRows(rows, serving.trainingDataset)
  const model = serving.model
  const modelVersion = serving.version.version
  if (!isClassifier(model)) {
    const unit = serving.system.label.unit
    return Array.from(model.predict(x), (prediction) => (unit === undefined ? { prediction, modelVersion } : { prediction, unit, modelVersion }))
  }
  const proba = model.predictProba(x)
  // A label_encoder on the label means the model learned class indices: decode them with the same fitted encoder.
  const encoder = serving.trainingDataset.fitted[serving.system.label.column]
  const classes = model.classes_.map((c) => (typeof c === 'number' ? inverseLabel(encoder, c) : c))
  const k = classes.length
  const names = labelClasses(serving.system)
  return rows.map((_, i) => {
    let best = 0
    for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c
    const probabilities: Record<string, number> = {}
    for (const cls of names) {
      const c = classes.indexOf(cls.value)
      probabilities[cls.name] = c < 0 ? 0 : proba[i * k + c]
    }
    return { prediction: className(serving.system, classes[best]), probabilities, modelVersion }
  })
}
