import { ValidationError, type ValidationIssue } from '../db/index.js'
import type { FeatureGroupMetadata, FeatureSpec } from './types.js'
import { isNotNull } from './validate.js'

/** What of a group's definition fixes its storage: the typed table's columns, its key, its event time. */
export interface StoredShape {
  readonly schema: readonly FeatureSpec[]
  readonly primaryKey: readonly string[]
  readonly eventTime?: string | null
}

/**
 * Every way `definition` would store rows differently from the `stored` version, one issue per difference
 * (`column` names the column; key and event time are the paths `primaryKey` / `eventTime`); empty when they store alike.
 *
 * Equal means: the same column names with the same types and the same *effective* nullability (`nullable`
 * undefined is true, and key and event-time columns are never null whatever they say), the same primary key in
 * the same order (it orders rows and composite keys), the same event time. Not compared: column order (every
 * read and write addresses columns by name, and the stored order stays the one reads return), column and group
 * descriptions (documentation), expectations (validation rules, which may change in place:
 * `FeatureStore.getOrCreateFeatureGroup`).
 */
export function storedShapeDifferences(stored: StoredShape, definition: StoredShape): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const before = new Map(stored.schema.map((f) => [f.name, f]))
  const after = new Map(definition.schema.map((f) => [f.name, f]))
  for (const f of definition.schema) {
    const s = before.get(f.name)
    if (!s) {
      issues.push({ column: f.name, reason: 'is not in the stored one' })
      continue
    }
    if (s.type !== f.type) issues.push({ column: f.name, reason: `is ${f.type}, the stored one is ${s.type}` })
    const wasNullable = nullable(s, stored)
    if (wasNullable !== nullable(f, definition)) issues.push({ column: f.name, reason: wasNullable ? 'is not nullable, the stored one is' : 'is nullable, the stored one is not' })
  }
  for (const s of stored.schema) if (!after.has(s.name)) issues.push({ column: s.name, reason: 'is stored but no longer in the definition' })
  if (stored.primaryKey.join(',') !== definition.primaryKey.join(','))
    issues.push({ path: 'primaryKey', reason: `is (${definition.primaryKey.join(', ')}), the stored one is (${stored.primaryKey.join(', ')})` })
  if ((stored.eventTime ?? null) !== (definition.eventTime ?? null))
    issues.push({ path: 'eventTime', reason: `is ${definition.eventTime ?? 'none'}, the stored one is ${stored.eventTime ?? 'none'}` })
  return issues
}

function nullable(f: FeatureSpec, shape: StoredShape): boolean {
  return !isNotNull(f, shape.primaryKey, shape.eventTime)
}

/**
 * A definition refused because its version is stored with another schema (kind `invalid`). The message is one
 * line naming the group, its version, each difference, and the version to use instead; `differences` holds the
 * same texts, so a caller whose group derives from another (a system's predictions or request log) can point at
 * the version its user writes.
 */
export class SchemaChangedError extends ValidationError {
  override readonly name: string = 'SchemaChangedError'
  constructor(
    readonly group: string,
    readonly version: number,
    readonly differences: readonly string[],
    readonly nextVersion: number,
    issues: readonly ValidationIssue[],
    remedy = `Give the changed definition a new version (version: ${nextVersion}) — a version's schema never changes`,
  ) {
    super(`feature group ${group} v${version} already exists with a different schema: ${differences.join('; ')}. ${remedy}`, issues)
  }
}

/** The refusal of a changed definition of `stored`; `nextVersion` is one past the latest stored. */
export function changedDefinitionError(stored: FeatureGroupMetadata, issues: readonly ValidationIssue[], nextVersion: number): SchemaChangedError {
  const what = issues.map((i) => (i.path === 'primaryKey' ? `primary key ${i.reason}` : i.path === 'eventTime' ? `event time ${i.reason}` : `column "${i.column}" ${i.reason}`))
  return new SchemaChangedError(stored.name, stored.version, what, nextVersion, issues)
}

/** What a feature view's definition fixes: the groups it reads, its columns, labels and transformations. */
export interface ViewShape {
  /** The left group, as `name vN`. */
  readonly group: string
  readonly features: readonly string[]
  /** Each joined group as `name vN` with its selection, keys and prefix. */
  readonly joins: readonly { readonly group: string; readonly features: readonly string[]; readonly on: readonly string[]; readonly prefix: string }[]
  readonly labels: readonly string[]
  readonly transformations: Readonly<Record<string, string>>
}

/**
 * Every way `definition` differs from the `stored` view, as texts; empty when equal. Everything counts, in order:
 * the feature order is the model's input order, transformations are fitted into its training datasets, and a view
 * of another group version would train on other rows. Descriptions do not count.
 */
export function viewDifferences(stored: ViewShape, definition: ViewShape): string[] {
  const out: string[] = []
  if (stored.group !== definition.group) out.push(`it reads feature group ${definition.group}, the stored one ${stored.group}`)
  if (stored.features.join(',') !== definition.features.join(',')) out.push(`its features are (${definition.features.join(', ')}), the stored one's (${stored.features.join(', ')})`)
  const joins = (v: ViewShape) => v.joins.map((j) => `${j.group} [${j.features.join(', ')}] on (${j.on.join(', ')})${j.prefix ? ` prefixed ${j.prefix}` : ''}`).join('; ') || 'none'
  if (joins(stored) !== joins(definition)) out.push(`its joins are ${joins(definition)}, the stored one's ${joins(stored)}`)
  if (stored.labels.join(',') !== definition.labels.join(',')) out.push(`its labels are (${definition.labels.join(', ')}), the stored one's (${stored.labels.join(', ')})`)
  const tf = (v: ViewShape) =>
    Object.entries(v.transformations)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([c, k]) => `${c}: ${k}`)
      .join(', ') || 'none'
  if (tf(stored) !== tf(definition)) out.push(`its transformations are ${tf(definition)}, the stored one's ${tf(stored)}`)
  return out
}

/** A feature view definition refused because its version is stored with another definition (kind `invalid`). */
export class ViewChangedError extends ValidationError {
  override readonly name: string = 'ViewChangedError'
  constructor(
    readonly view: string,
    readonly version: number,
    readonly differences: readonly string[],
    readonly nextVersion: number,
  ) {
    super(
      `feature view ${view} v${version} already exists with a different definition: ${differences.join('; ')}. Give the changed definition a new version (version: ${nextVersion}) — a version's definition never changes`,
      differences.map((reason) => ({ path: `${view} v${version}`, reason })),
    )
  }
}
