import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './dialect.js'

export interface Migration {
  readonly id: string
  up(db: Kysely<any>, dialect: SqlDialect): Promise<void>
}

/** The catalog as migrations 001–004 left it. */
const CATALOG_TABLES_004 = [
  'sml_migrations',
  'sml_feature_groups',
  'sml_commits',
  'sml_feature_views',
  'sml_training_datasets',
  'sml_models',
  'sml_model_names',
  'sml_model_artifacts',
  'sml_artifact_blobs',
  'sml_model_aliases',
  'sml_runs',
  'sml_run_logs',
  'sml_ticks',
]

/**
 * Catalog tables, in order. Append only: an applied migration never changes. A text column added from 005 on
 * is declared `d.sqlType('string')`, so that it compares by code point like every other (see 005).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: '001_feature_store',
    async up(db, d) {
      const id = sql.raw(d.autoIdColumn)
      await db.schema
        .createTable('sml_feature_groups')
        .addColumn('id', id)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('primary_key', 'text', (c) => c.notNull())
        .addColumn('event_time', 'text')
        .addColumn('schema', 'text', (c) => c.notNull())
        .addColumn('expectations', 'text', (c) => c.notNull())
        .addColumn('table_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('sml_feature_groups_name_version', ['name', 'version'])
        .execute()
      await db.schema
        .createTable('sml_commits')
        .addColumn('id', id)
        .addColumn('feature_group_id', 'bigint', (c) => c.notNull().references('sml_feature_groups.id').onDelete('cascade'))
        .addColumn('committed_at', 'bigint', (c) => c.notNull())
        .addColumn('rows_added', 'integer', (c) => c.notNull())
        .addColumn('rows_updated', 'integer', (c) => c.notNull())
        .addColumn('source', 'text')
        .addColumn('warnings', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('sml_commits_group').on('sml_commits').columns(['feature_group_id', 'id']).execute()
      await db.schema
        .createTable('sml_feature_views')
        .addColumn('id', id)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('feature_group_id', 'bigint', (c) => c.notNull().references('sml_feature_groups.id').onDelete('cascade'))
        .addColumn('features', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('transformations', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('sml_feature_views_name_version', ['name', 'version'])
        .execute()
      await db.schema
        .createTable('sml_training_datasets')
        .addColumn('id', id)
        .addColumn('feature_view_id', 'bigint', (c) => c.notNull().references('sml_feature_views.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('commit_id', 'bigint')
        .addColumn('test_size', 'double precision', (c) => c.notNull())
        .addColumn('seed', 'bigint', (c) => c.notNull())
        .addColumn('stratify', 'integer', (c) => c.notNull())
        .addColumn('train_rows', 'integer', (c) => c.notNull())
        .addColumn('test_rows', 'integer', (c) => c.notNull())
        .addColumn('fitted', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('sml_training_datasets_view_version', ['feature_view_id', 'version'])
        .execute()
    },
  },
  {
    // Model registry: versions with metrics and lineage, artifact checksums, artifact bytes, aliases.
    id: '002_registry',
    async up(db, d) {
      const id = sql.raw(d.autoIdColumn)
      await db.schema
        .createTable('sml_models')
        .addColumn('id', id)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('metrics', 'text', (c) => c.notNull())
        .addColumn('input_example', 'text')
        .addColumn('input_schema', 'text')
        .addColumn('feature_view_name', 'text')
        .addColumn('feature_view_version', 'integer')
        .addColumn('training_dataset_version', 'integer')
        .addColumn('commit_id', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('sml_models_name_version', ['name', 'version'])
        .execute()
      // Version numbers are never reused, even after the latest version is deleted.
      await db.schema
        .createTable('sml_model_names')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('last_version', 'integer', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('sml_model_artifacts')
        .addColumn('model_id', 'bigint', (c) => c.notNull().references('sml_models.id').onDelete('cascade'))
        .addColumn('file', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sml_model_artifacts_pk', ['model_id', 'file'])
        .execute()
      await db.schema
        .createTable('sml_artifact_blobs')
        .addColumn('model_id', 'bigint', (c) => c.notNull().references('sml_models.id').onDelete('cascade'))
        .addColumn('file', 'text', (c) => c.notNull())
        .addColumn('content', sql.raw(d.binaryType), (c) => c.notNull())
        .addPrimaryKeyConstraint('sml_artifact_blobs_pk', ['model_id', 'file'])
        .execute()
      await db.schema
        .createTable('sml_model_aliases')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sml_model_aliases_pk', ['name', 'alias'])
        .execute()
    },
  },
  {
    // Runtime: pipeline runs (one row per attempt), their log lines, and claimed schedule ticks.
    id: '003_runtime',
    async up(db, d) {
      const id = sql.raw(d.autoIdColumn)
      await db.schema
        .createTable('sml_runs')
        .addColumn('id', id)
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('first_attempt_id', 'bigint')
        .addColumn('scheduled_for', 'bigint')
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('error', 'text')
        .addColumn('rows_written', 'bigint', (c) => c.notNull())
        .addColumn('model_name', 'text')
        .addColumn('model_version', 'integer')
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('sml_runs_pipeline').on('sml_runs').columns(['pipeline', 'id']).execute()
      await db.schema.createIndex('sml_runs_status').on('sml_runs').columns(['status']).execute()
      await db.schema
        .createTable('sml_run_logs')
        .addColumn('id', id)
        .addColumn('run_id', 'bigint', (c) => c.notNull().references('sml_runs.id').onDelete('cascade'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('sml_run_logs_run').on('sml_run_logs').columns(['run_id', 'id']).execute()
      await db.schema
        .createTable('sml_ticks')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('scheduled_for', 'bigint', (c) => c.notNull())
        .addColumn('claimed_at', 'bigint', (c) => c.notNull())
        .addColumn('claimed_by', 'text', (c) => c.notNull())
        .addColumn('run_id', 'bigint')
        .addPrimaryKeyConstraint('sml_ticks_pk', ['pipeline', 'scheduled_for'])
        .execute()
    },
  },
  {
    // The job-queue id that carries a tick (pg-boss): a redelivered job resumes its own tick, a duplicate job skips it.
    id: '004_tick_jobs',
    async up(db) {
      await db.schema.alterTable('sml_ticks').addColumn('job_id', 'text').execute()
    },
  },
  {
    // Text compares by code point on every database, whatever its default collation: the catalog's text
    // columns and those of feature-group tables made before this (PostgreSQL: COLLATE "C"), so that key
    // order, string min/max and the rows of a recorded training dataset are the same on SQLite and PostgreSQL.
    id: '005_binary_text',
    async up(db, d) {
      const groups = await db.selectFrom('sml_feature_groups').select('table_name').execute()
      await d.makeTextBinary(db, [...CATALOG_TABLES_004, ...groups.map((g) => String(g.table_name))])
    },
  },
  {
    // Each decision to move (or keep) a model alias: the candidate's and the then-production version's scores
    // on the same evaluation rows, or who moved it by hand. One row per decision, newest last.
    id: '006_model_promotions',
    async up(db, d) {
      // Text as feature-group strings are (binary order on PostgreSQL, as 005 made the catalog's).
      const str = sql.raw(d.sqlType('string'))
      await db.schema
        .createTable('sml_model_promotions')
        .addColumn('id', sql.raw(d.autoIdColumn))
        .addColumn('model_id', 'bigint', (c) => c.notNull().references('sml_models.id').onDelete('cascade'))
        .addColumn('alias', str, (c) => c.notNull())
        .addColumn('decided_by', str, (c) => c.notNull())
        .addColumn('actor', str)
        .addColumn('promoted', 'integer', (c) => c.notNull())
        .addColumn('reason', str, (c) => c.notNull())
        .addColumn('metric', str)
        .addColumn('candidate_score', 'double precision')
        .addColumn('production_version', 'integer')
        .addColumn('production_score', 'double precision')
        .addColumn('evaluation_rows', 'integer')
        .addColumn('decided_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('sml_model_promotions_model').on('sml_model_promotions').columns(['model_id', 'id']).execute()
    },
  },
  {
    // Small store-wide settings by key: the web app's admin token, kept as its sha256 only, so that an
    // exported store (`sml export`) never carries a usable secret.
    id: '007_settings',
    async up(db, d) {
      const str = sql.raw(d.sqlType('string'))
      await db.schema
        .createTable('sml_settings')
        .addColumn('key', str, (c) => c.primaryKey())
        .addColumn('value', str, (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute()
    },
  },
  {
    // Feature views that join groups point-in-time correct (the joins as JSON; null for a view of one group),
    // and time-based splits (the split kind, and the test set's first instant in epoch ms; null for random).
    id: '008_feature_view_joins_time_splits',
    async up(db, d) {
      const str = sql.raw(d.sqlType('string'))
      await db.schema.alterTable('sml_feature_views').addColumn('joins', str).execute()
      await db.schema.alterTable('sml_training_datasets').addColumn('split', str).execute()
      await db.schema.alterTable('sml_training_datasets').addColumn('test_start', 'bigint').execute()
    },
  },
  {
    // Where each incremental fetch (a system's daily fetch pipeline) continues from: the position its last
    // successful fetch returned, written in the transaction of the commit that holds that fetch's rows (so a
    // failed insert moves neither), with that commit's id (null when a fetch moved the position with no rows).
    id: '009_source_positions',
    async up(db, d) {
      const str = sql.raw(d.sqlType('string'))
      await db.schema
        .createTable('sml_source_positions')
        .addColumn('name', str, (c) => c.primaryKey())
        .addColumn('position', str)
        .addColumn('commit_id', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute()
    },
  },
]

/** Applies pending migrations under the dialect's cross-process lock; safe to call from many processes at once. */
export async function migrate(dialect: SqlDialect, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  return dialect.withMigrationLock(async (tx) => {
    await tx.kysely.schema
      .createTable('sml_migrations')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute()
    const applied = new Set((await tx.kysely.selectFrom('sml_migrations').select('id').execute()).map((r) => r.id as string))
    const done: string[] = []
    for (const m of migrations) {
      if (applied.has(m.id)) continue
      await m.up(tx.kysely, dialect)
      await tx.kysely.insertInto('sml_migrations').values({ id: m.id, applied_at: Date.now() }).execute()
      done.push(m.id)
    }
    return done
  })
}
