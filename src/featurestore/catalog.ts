import type { Kysely } from 'kysely'
import type { SqlDialect } from '../db/index.js'
import type { CommitInfo, FeatureGroupMetadata } from './types.js'

// Row ↔ object mapping for the catalog tables; JSON columns are text so both dialects store them alike.

export function toGroupMetadata(r: Record<string, any>): FeatureGroupMetadata {
  return {
    id: Number(r.id),
    name: r.name,
    version: Number(r.version),
    description: r.description,
    primaryKey: JSON.parse(r.primary_key),
    eventTime: r.event_time ?? null,
    schema: JSON.parse(r.schema),
    expectations: JSON.parse(r.expectations),
    tableName: r.table_name,
    createdAt: new Date(Number(r.created_at)),
  }
}

export function toCommitInfo(r: Record<string, any>): CommitInfo {
  return {
    id: Number(r.id),
    featureGroupId: Number(r.feature_group_id),
    committedAt: new Date(Number(r.committed_at)),
    rowsAdded: Number(r.rows_added),
    rowsUpdated: Number(r.rows_updated),
    source: r.source ?? null,
    warnings: JSON.parse(r.warnings),
  }
}

export async function findGroup(db: SqlDialect, name: string, version?: number): Promise<FeatureGroupMetadata | undefined> {
  let q = db.kysely.selectFrom('sml_feature_groups').selectAll().where('name', '=', name)
  q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version)
  const r = await q.executeTakeFirst()
  return r ? toGroupMetadata(r) : undefined
}

export async function findGroupById(db: SqlDialect, id: number): Promise<FeatureGroupMetadata | undefined> {
  const r = await db.kysely.selectFrom('sml_feature_groups').selectAll().where('id', '=', id).executeTakeFirst()
  return r ? toGroupMetadata(r) : undefined
}

/** Feature views that read a group: as their left group or joined. */
export async function viewsReading(k: Kysely<any>, groupId: number): Promise<{ id: number; name: string }[]> {
  const rows = await k.selectFrom('sml_feature_views').select(['id', 'name', 'feature_group_id', 'joins']).execute()
  return rows
    .filter((r) => Number(r.feature_group_id) === groupId || (r.joins ? (JSON.parse(r.joins) as { featureGroupId: number }[]).some((j) => j.featureGroupId === groupId) : false))
    .map((r) => ({ id: Number(r.id), name: String(r.name) }))
}
