import type { FeatureStore, FeatureView, Row, TrainingDatasetMetadata } from '../featurestore/index.js'
import { isClassifier, loadModel, type Classifier } from '../ml/index.js'
import { ARTIFACT_FILES, type ModelRegistry, type ModelVersion } from '../registry/index.js'
import { NotFoundError } from '../db/index.js'
import { systemFeatureView } from './feature-groups.js'
import { className, type SystemDescription } from './system.js'

/** A loaded model with what it needs to turn feature rows into named predictions. */
export interface ServingModel {
  readonly system: SystemDescription
  readonly version: ModelVersion
  readonly model: Classifier
  readonly featureView: FeatureView
  readonly trainingDataset: TrainingDatasetMetadata
}

export interface Prediction {
  /** Class name, e.g. "Setosa" or "Survived". */
  readonly prediction: string
  /** Probability of each class by name, in the description's class order. */
  readonly probabilities: Record<string, number>
  readonly modelVersion: number
}

/** The version serving predictions: the `production` alias, else the best by accuracy. */
export async function servingVersion(registry: ModelRegistry, system: SystemDescription): Promise<ModelVersion> {
  try {
    return await registry.getByAlias(system.model.name, 'production')
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e
    return registry.getBest(system.model.name, 'accuracy', 'max')
  }
}

export async function loadServingModel(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, version?: ModelVersion): Promise<ServingModel> {
  const v = version ?? (await servingVersion(registry, system))
  const model = loadModel(await registry.readArtifactText(v.name, v.version, ARTIFACT_FILES.model))
  if (!isClassifier(model)) throw new TypeError(`model ${v.name} v${v.version} is a regressor, but system ${system.name} classifies`)
  const featureView = await systemFeatureView(fs, system)
  const trainingDataset = await featureView.getTrainingDataset(v.lineage.trainingDatasetVersion ?? undefined)
  return { system, version: v, model, featureView, trainingDataset }
}

/** Predicts feature rows (stored codes, not UI values) with their class probabilities. */
export function predictRows(serving: ServingModel, rows: readonly Row[]): Prediction[] {
  const x = serving.featureView.transformRows(rows, serving.trainingDataset)
  const proba = serving.model.predictProba(x)
  const classes = serving.model.classes_
  const k = classes.length
  const names = serving.system.label.classes
  return rows.map((_, i) => {
    let best = 0
    for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c
    const probabilities: Record<string, number> = {}
    for (const cls of names) {
      const c = classes.indexOf(cls.value)
      probabilities[cls.name] = c < 0 ? 0 : proba[i * k + c]
    }
    return { prediction: className(serving.system, classes[best]), probabilities, modelVersion: serving.version.version }
  })
}
