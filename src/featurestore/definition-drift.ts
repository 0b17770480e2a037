import { ValidationError, type ValidationIssue } from '../db/index.js'
import type { FeatureGroupMetadata, FeatureSpec } from './types.js'

/** What of a group's definition fixes its storage: the typed table's columns, its key, its event time. */
export interface StoredShape {
  readonly schema: readonly FeatureSpec[]
  readonly primaryKey: readonly string[]
  readonly eventTime?: string | null
}

/**
 * Every way `definition` would store rows differently from the `stored` version, one issue per difference
 * (`column` names the column; key and event time use `primaryKey` / `eventTime`); empty when they store alike.
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
    issues.push({ column: 'primaryKey', reason: `is (${definition.primaryKey.join(', ')}), the stored one is (${stored.primaryKey.join(', ')})` })
  if ((stored.eventTime ?? null) !== (definition.eventTime ?? null))
    issues.push({ column: 'eventTime', reason: `is ${definition.eventTime ?? 'none'}, the stored one is ${stored.eventTime ?? 'none'}` })
  return issues
}

function nullable(f: FeatureSpec, shape: StoredShape): boolean {
  // As createGroupTable decides NOT NULL.
  return !(f.nullable === false || shape.primaryKey.includes(f.name) || f.name === shape.eventTime)
}

/**
 * The refusal of a changed definition for an existing version, one line naming the group, its version, each
 * difference, and the version to use instead (`nextVersion`: one past the latest stored).
 */
export function changedDefinitionError(stored: FeatureGroupMetadata, issues: readonly ValidationIssue[], nextVersion: number): ValidationError {
  const what = issues.map((i) => (i.column === 'primaryKey' ? `primary key ${i.reason}` : i.column === 'eventTime' ? `event time ${i.reason}` : `column "${i.column}" ${i.reason}`))
  return new ValidationError(
    `feature group ${stored.name} v${stored.version} already exists with a different schema: ${what.join('; ')}. ` +
      `Give the changed definition a new version (version: ${nextVersion}) — a version's schema never changes`,
    issues,
  )
}
