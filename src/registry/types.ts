/** The standard artifact names a training pipeline stores with a model version. */
export const ARTIFACT_FILES = {
  model: 'model.json',
  confusionMatrixSvg: 'confusion_matrix.svg',
  confusionMatrixPng: 'confusion_matrix.png',
  classificationReportJson: 'classification_report.json',
  classificationReportText: 'classification_report.txt',
  inputExample: 'input_example.json',
  /** Regression: test-split predictions against actual values (scatter). */
  predictedVsActualSvg: 'predicted_vs_actual.svg',
  predictedVsActualPng: 'predicted_vs_actual.png',
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
  /** Every decision to point an alias at this version (or not), oldest first. */
  readonly promotions: readonly PromotionRecord[]
  readonly createdAt: Date
}

/** Who decided: the training pipeline's comparison on the same rows, or a person (`sml models promote`, `sml models alias`). */
export type PromotionDecider = 'training' | 'manual'

/**
 * One decision about pointing an alias (normally `production`) at a version. A training decision scores the
 * new version and the version then holding the alias on the same rows (the new version's test split), so the
 * two figures are comparable; a manual one records that a person moved the alias, and from which version.
 */
export interface PromotionRecord {
  readonly alias: string
  readonly decidedBy: PromotionDecider
  /** Who: the pipeline run for a training decision, the OS user of `sml models promote`; null when not given. */
  readonly actor: string | null
  /** Whether the alias was pointed at this version. */
  readonly promoted: boolean
  readonly reason: string
  /** The metric compared, e.g. `accuracy` (higher is better); null when nothing was compared. */
  readonly metric: string | null
  /** This version's score on the evaluation rows. */
  readonly candidateScore: number | null
  /** The version holding the alias when the decision was made; null when none did. */
  readonly productionVersion: number | null
  /** That version's score on the same rows; null when there was none or it could not be evaluated on them. */
  readonly productionScore: number | null
  /** How many rows both scores were computed on. */
  readonly evaluationRows: number | null
  readonly decidedAt: Date
}

/** A promotion decision to record with a new version (`CreateModelOptions.promotion`). */
export interface PromotionDecision {
  /** Default `production`. */
  readonly alias?: string
  readonly decidedBy: PromotionDecider
  readonly actor?: string | null
  readonly promoted: boolean
  readonly reason: string
  readonly metric?: string | null
  readonly candidateScore?: number | null
  readonly productionVersion?: number | null
  readonly productionScore?: number | null
  readonly evaluationRows?: number | null
}

/** Options of a hand-made alias move (`ModelRegistry.setAlias`, `ModelRegistry.promote`). */
export interface SetAliasOptions {
  /** Recorded with the move, e.g. who made it and why; default a sentence naming the previous version. */
  readonly reason?: string
  /** Who moved it, e.g. the OS user; recorded as the promotion's actor. */
  readonly actor?: string
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
  /**
   * Recorded with the version; when `promoted`, its alias points at the new version in the same transaction,
   * unless the alias no longer points at `promotion.productionVersion` (another writer moved it since the
   * decision): then it is recorded as not applied and the alias stays.
   */
  readonly promotion?: PromotionDecision
}

export type MetricDirection = 'max' | 'min'
