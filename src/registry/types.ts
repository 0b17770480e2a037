/** The standard artifact names a training pipeline stores with a model version. */
export const ARTIFACT_FILES = {
  model: 'model.json',
  confusionMatrixSvg: 'confusion_matrix.svg',
  confusionMatrixPng: 'confusion_matrix.png',
  classificationReportJson: 'classification_report.json',
  classificationReportText: 'classification_report.txt',
  inputExample: 'input_example.json',
} as const

/** What a model version was trained on. */
export interface ModelLineage {
  readonly featureView: { readonly name: string; readonly version: number } | null
  readonly trainingDatasetVersion: number | null
  /** The feature-group commit the training dataset was read as of. */
  readonly commitId: number | null
}

export interface ArtifactInfo {
  readonly file: string
  readonly size: number
  /** Hex sha256 of the bytes, verified on every read. */
  readonly sha256: string
}

export interface ModelVersion {
  readonly id: number
  readonly name: string
  readonly version: number
  readonly description: string
  readonly metrics: Readonly<Record<string, number>>
  readonly inputExample: unknown
  readonly schema: unknown
  readonly lineage: ModelLineage
  readonly artifacts: readonly ArtifactInfo[]
  /** Aliases (e.g. `production`) pointing at this version. */
  readonly aliases: readonly string[]
  readonly createdAt: Date
}

export interface ModelSummary {
  readonly name: string
  readonly versions: number
  readonly latestVersion: number
  readonly aliases: Readonly<Record<string, number>>
  readonly updatedAt: Date
}

export interface CreateModelOptions {
  readonly name: string
  readonly description?: string
  readonly metrics?: Readonly<Record<string, number>>
  /** A FeatureView or just its name and version. */
  readonly featureView?: { readonly name: string; readonly version: number }
  /** A TrainingDatasetMetadata (its commit is taken as lineage) or a training dataset version of `featureView`. */
  readonly trainingDataset?: { readonly version: number; readonly commitId?: number | null } | number
  /** Feature-group commit, when not implied by `trainingDataset`. */
  readonly commitId?: number
  /** Stored in the catalog and as `input_example.json` (unless given in artifacts). */
  readonly inputExample?: unknown
  readonly schema?: unknown
  /** The model itself, stored as `model.json` (unless given in artifacts); anything JSON-serialisable, e.g. an estimator with toJSON(). */
  readonly model?: unknown
  /** File name → bytes or UTF-8 text. */
  readonly artifacts?: Readonly<Record<string, Uint8Array | string>>
}

export type MetricDirection = 'max' | 'min'
