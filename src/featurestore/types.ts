import type { ColumnType } from '../db/index.js'

/** One column of a feature group. */
export interface FeatureSpec {
  readonly name: string
  readonly type: ColumnType
  /** Default true, except for primary-key and event-time columns, which are never null. */
  readonly nullable?: boolean
  readonly description?: string
}

/**
 * A data-quality rule on one column (Great-Expectations-shaped, as Hopsworks uses).
 * A strict expectation rejects the whole insert; otherwise violations are reported as warnings on the commit.
 */
export interface Expectation {
  readonly column: string
  readonly min?: number
  readonly max?: number
  readonly allowed?: readonly (string | number | boolean)[]
  readonly notNull?: boolean
  readonly strict?: boolean
}

export type FeatureValue = number | string | boolean | Date | null
export type Row = Record<string, FeatureValue>

export interface FeatureGroupOptions {
  readonly name: string
  readonly version?: number
  readonly description?: string
  readonly primaryKey: readonly string[]
  readonly eventTime?: string
  /** Column list; when omitted it is inferred from the first insert. */
  readonly schema?: readonly FeatureSpec[]
  readonly expectations?: readonly Expectation[]
}

export interface FeatureGroupMetadata {
  readonly id: number
  readonly name: string
  readonly version: number
  readonly description: string
  readonly primaryKey: readonly string[]
  readonly eventTime: string | null
  readonly schema: readonly FeatureSpec[]
  readonly expectations: readonly Expectation[]
  readonly tableName: string
  readonly createdAt: Date
}

export interface CommitInfo {
  readonly id: number
  readonly featureGroupId: number
  readonly committedAt: Date
  readonly rowsAdded: number
  readonly rowsUpdated: number
  readonly source: string | null
  /** Non-strict expectations that some rows broke. */
  readonly warnings: readonly string[]
}

/** Which rows a read sees. */
export interface ReadOptions {
  /** The data as it was right after this commit (time travel). */
  readonly asOf?: number
  /** Only rows written by commits after this one. */
  readonly sinceCommit?: number
  /** Only rows whose event time is at or after this instant. */
  readonly since?: Date
  /** Every version of every row, not just the latest per key. */
  readonly history?: boolean
  readonly limit?: number
  /** Rows to skip in primary-key order before `limit` (paging); applies only together with `limit`. */
  readonly offset?: number
}

/** What `FeatureGroup.statistics` reads: the rows of ReadOptions, and only the named columns (default every one). */
export interface StatisticsOptions extends ReadOptions {
  /**
   * Columns to describe, in schema order whatever the order given. Each column's distinct count is a
   * sort of its values in the database (SQLite: ~0.6 s per float column of 300k rows), so a pipeline that
   * needs one column's max asks for that column alone.
   */
  readonly columns?: readonly string[]
}

export interface ColumnStatistics {
  readonly column: string
  readonly type: ColumnType
  readonly count: number
  readonly missing: number
  readonly distinct: number
  readonly min: number | string | Date | null
  readonly max: number | string | Date | null
  /** Mean of numbers; share of `true` for booleans; null for text. */
  readonly mean: number | null
}

export const TRANSFORMATION_KINDS = ['label_encoder', 'min_max_scaler', 'standard_scaler', 'one_hot_encoder'] as const
export type TransformationKind = (typeof TRANSFORMATION_KINDS)[number]

export type FittedTransformation =
  | { readonly kind: 'label_encoder'; readonly classes: readonly (string | number)[] }
  | { readonly kind: 'min_max_scaler'; readonly min: number; readonly max: number }
  | { readonly kind: 'standard_scaler'; readonly mean: number; readonly std: number }
  | { readonly kind: 'one_hot_encoder'; readonly categories: readonly (string | number)[] }

/** Which commits `FeatureGroup.pruneCommits` removes (retention): those matching either bound, oldest first. */
export interface PruneOptions {
  /** Commits whose rows all have an event time before this instant go (commit time where the group has no event time). */
  readonly before?: Date
  /** Oldest commits go while the group stores more than this many rows (all versions counted). */
  readonly keepRows?: number
  /** At most this many commits per call (default 100): retention runs a little at a time. */
  readonly maxCommits?: number
}
