import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './dialect.js'

export interface Migration {
  readonly id: string
  up(db: Kysely<any>, dialect: SqlDialect): Promise<void>
}

/** Catalog tables, in order. Append only: an applied migration never changes. */
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
