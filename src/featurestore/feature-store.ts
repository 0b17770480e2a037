import { assertIdentifier, NotFoundError, validationError, type SqlDialect } from '../db/index.js'
import { findGroup, findGroupById, toGroupMetadata, viewsReading } from './catalog.js'
import { COMMIT_LOCK, createGroupTable, FeatureGroup } from './feature-group.js'
import type { FeatureQuery } from './feature-query.js'
import { readSourcePosition, writeSourcePosition, type SourcePosition, type SourcePositionMove } from './source-positions.js'
import { FeatureView, toViewMetadata, type FeatureViewJoin } from './feature-view.js'
import { isTransformationKind } from './transformations.js'
import { changedDefinitionError, storedShapeDifferences, viewDifferences, ViewChangedError, type ViewShape } from './definition-drift.js'
import type { FeatureGroupMetadata, FeatureGroupOptions, TransformationKind } from './types.js'
import { checkColumns, checkDefinition } from './validate.js'

export interface FeatureViewOptions {
  readonly name: string
  readonly version?: number
  readonly description?: string
  /** A group's selection, possibly joined with others (`fg.select([...]).join(other.select([...]), { on })`). */
  readonly query: FeatureQuery
  readonly labels?: readonly string[]
  readonly transformations?: Readonly<Record<string, TransformationKind>>
}

/** Feature groups and feature views over one database (Hopsworks-shaped). */
export class FeatureStore {
  constructor(readonly db: SqlDialect) {}

  /** Returns the group with this name and version, creating it (and its table, when the schema is given) if missing. */
  async getOrCreateFeatureGroup(options: FeatureGroupOptions): Promise<FeatureGroup> {
    const name = assertIdentifier(options.name, 'feature group name')
    const version = options.version ?? 1
    if (!Number.isInteger(version) || version < 1) throw validationError([{ path: 'version', reason: `must be a positive integer, got ${version}` }], 'feature group')
    // before the lookup: a column type the store has no SQL type for is refused, not reported as a changed schema
    if (options.schema !== undefined) checkColumns(options.schema)
    const existing = await findGroup(this.db, name, version)
    if (existing) return new FeatureGroup(this.db, await this.matchDefinition(existing, options))
    const schema = options.schema ?? []
    const primaryKey = options.primaryKey ?? []
    const expectations = options.expectations ?? []
    if (schema.length) checkDefinition(schema, primaryKey, options.eventTime, expectations)
    else if (primaryKey.length === 0) throw validationError([{ path: 'primaryKey', reason: 'a primary key needs at least one column' }], 'feature group definition')
    const tableName = assertIdentifier(`fg_${name}_${version}`, 'table name')
    const meta = await this.db.transaction(async (tx) => {
      // Another process may have created it since we looked (SQLite serialises here; PostgreSQL raises a unique violation, handled below).
      const again = await tx.kysely.selectFrom('sml_feature_groups').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst()
      if (again) return toGroupMetadata(again)
      const row = await tx.kysely
        .insertInto('sml_feature_groups')
        .values({
          name,
          version,
          description: options.description ?? '',
          primary_key: JSON.stringify(primaryKey),
          event_time: options.eventTime ?? null,
          schema: JSON.stringify(schema),
          expectations: JSON.stringify(expectations),
          table_name: tableName,
          created_at: Date.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      const m = toGroupMetadata(row)
      if (schema.length) await createGroupTable(tx, this.db, m)
      return m
    }).catch(async (e) => {
      const raced = await findGroup(this.db, name, version)
      if (raced) return raced
      throw e
    })
    // Created here, or by another process meanwhile (then possibly from another definition).
    return new FeatureGroup(this.db, await this.matchDefinition(meta, options))
  }

  /**
   * The stored version `stored` as `options` define it. A version's storage never changes: a definition whose
   * columns, key or event time differ from the stored ones (`storedShapeDifferences`) is refused with every
   * difference and the version to use instead. Its expectations are validation rules, not storage: when they
   * differ they replace the stored ones (checked against the stored schema), so the definition stays the one
   * place they are written and later inserts follow it. Compared only when both have a schema: a group created
   * without one takes it from its first insert, and a caller may ask for a group by name and key alone.
   * @throws ValidationError naming the group, its version and each difference.
   */
  private async matchDefinition(stored: FeatureGroupMetadata, options: FeatureGroupOptions): Promise<FeatureGroupMetadata> {
    if (!options.schema?.length || !stored.schema.length) return stored
    await this.refuseChangedSchema(stored, options)
    const expectations = options.expectations ?? []
    if (JSON.stringify(expectations) === JSON.stringify(stored.expectations)) return stored
    checkDefinition(stored.schema, stored.primaryKey, stored.eventTime, expectations)
    await this.db.kysely.updateTable('sml_feature_groups').set({ expectations: JSON.stringify(expectations) }).where('id', '=', stored.id).execute()
    return { ...stored, expectations }
  }

  /**
   * Checks `options` against the stored version it names, writing nothing (a server checks its definitions at
   * start on a store it must not change): throws what `getOrCreateFeatureGroup` would for a changed schema, and
   * does nothing when the version is not stored yet or either side has no schema. Expectations are not compared
   * (they change in place on the next `getOrCreateFeatureGroup`).
   * @throws SchemaChangedError naming the group, its version and each difference.
   */
  async checkFeatureGroup(options: FeatureGroupOptions): Promise<void> {
    const stored = await findGroup(this.db, assertIdentifier(options.name, 'feature group name'), options.version ?? 1)
    if (stored) await this.refuseChangedSchema(stored, options)
  }

  private async refuseChangedSchema(stored: FeatureGroupMetadata, options: FeatureGroupOptions): Promise<void> {
    if (!options.schema?.length || !stored.schema.length) return
    const issues = storedShapeDifferences(stored, { schema: options.schema, primaryKey: options.primaryKey ?? [], eventTime: options.eventTime })
    if (issues.length === 0) return
    const latest = await findGroup(this.db, stored.name)
    throw changedDefinitionError(stored, issues, (latest?.version ?? stored.version) + 1)
  }

  /** The group's given version, or its latest. */
  async getFeatureGroup(name: string, version?: number): Promise<FeatureGroup> {
    const meta = await findGroup(this.db, assertIdentifier(name, 'feature group name'), version)
    if (!meta) throw new NotFoundError(`no feature group ${name}${version === undefined ? '' : ` v${version}`}`)
    return new FeatureGroup(this.db, meta)
  }

  async listFeatureGroups(): Promise<FeatureGroup[]> {
    const rows = await this.db.kysely.selectFrom('sml_feature_groups').selectAll().orderBy('name').orderBy('version').execute()
    return rows.map((r) => new FeatureGroup(this.db, toGroupMetadata(r)))
  }

  /**
   * A token of the stored content of the named groups (every version): it changes whenever one of them gets a
   * commit, loses one to retention, or is dropped or created — every way their rows change. For caching what
   * is computed from them: one indexed query instead of reading the rows. Unknown names count as empty.
   */
  async contentVersion(names: readonly string[]): Promise<string> {
    for (const n of names) assertIdentifier(n, 'feature group name')
    if (names.length === 0) return ''
    const rows = await this.db.kysely
      .selectFrom('sml_feature_groups as g')
      .leftJoin('sml_commits as c', 'c.feature_group_id', 'g.id')
      .select((eb) => ['g.id as id', eb.fn.count('c.id').as('n'), eb.fn.max('c.id').as('last')])
      .where('g.name', 'in', names)
      .groupBy('g.id')
      .orderBy('g.id')
      .execute()
    return rows.map((r) => `${r.id}:${r.n}:${r.last ?? ''}`).join(',')
  }

  /** Drops a group version with its table, commits, the views that read it (joined or not) and their training datasets. */
  async deleteFeatureGroup(name: string, version: number): Promise<void> {
    const fg = await this.getFeatureGroup(name, version)
    await this.db.transaction(async (tx) => {
      const views = await viewsReading(tx.kysely, fg.id)
      for (const v of views) await tx.kysely.deleteFrom('sml_training_datasets').where('feature_view_id', '=', v.id).execute()
      for (const v of views) await tx.kysely.deleteFrom('sml_feature_views').where('id', '=', v.id).execute()
      await tx.kysely.deleteFrom('sml_commits').where('feature_group_id', '=', fg.id).execute()
      await tx.kysely.deleteFrom('sml_feature_groups').where('id', '=', fg.id).execute()
      await tx.kysely.schema.dropTable(fg.metadata.tableName).ifExists().execute()
    })
  }

  async getOrCreateFeatureView(options: FeatureViewOptions): Promise<FeatureView> {
    const name = assertIdentifier(options.name, 'feature view name')
    const version = options.version ?? 1
    const fg = options.query.featureGroup
    const labels = options.labels ?? []
    const transformations = options.transformations ?? {}
    const features = options.query.columns
    const joins: FeatureViewJoin[] = options.query.joins.map((j) => ({ featureGroupId: j.query.featureGroup.id, features: j.query.features, on: j.on, prefix: j.prefix }))
    // a column the query left out, or one no group of the query has (a typo): the fix differs
    const groups = [fg, ...options.query.joins.map((j) => j.query.featureGroup)].map((g) => `${g.name} v${g.version}`).join(' or ')
    const inGroups = new Set([...fg.schema.map((f) => f.name), ...options.query.joins.flatMap((j) => j.query.featureGroup.schema.map((f) => `${j.prefix}${f.name}`))])
    const issues = [
      ...labels
        .filter((l) => !features.includes(l))
        .map((l) => ({ column: l, reason: inGroups.has(l) ? 'label is not among the selected features (the query leaves it out)' : `label is not a column of ${groups}` })),
      ...Object.entries(transformations).flatMap(([c, k]) => [
        ...(features.includes(c) ? [] : [{ column: c, reason: inGroups.has(c) ? 'transformation on a column the query leaves out' : `transformation on a column ${groups} does not have` }]),
        ...(isTransformationKind(k) ? [] : [{ column: c, reason: `unknown transformation ${JSON.stringify(k)}` }]),
      ]),
    ]
    if (issues.length) throw validationError(issues, 'feature view definition')
    const wanted: ViewShape = {
      group: `${fg.name} v${fg.version}`,
      features,
      joins: options.query.joins.map((j) => ({ group: `${j.query.featureGroup.name} v${j.query.featureGroup.version}`, features: j.query.features, on: j.on, prefix: j.prefix })),
      labels,
      transformations,
    }
    const existing = await this.findView(name, version)
    if (existing) return this.matchView(existing, wanted)
    await this.db.transaction(async (tx) => {
      const again = await tx.kysely.selectFrom('sml_feature_views').select('id').where('name', '=', name).where('version', '=', version).executeTakeFirst()
      if (again) return
      await tx.kysely
        .insertInto('sml_feature_views')
        .values({
          name,
          version,
          description: options.description ?? '',
          feature_group_id: fg.id,
          features: JSON.stringify(features),
          joins: joins.length ? JSON.stringify(joins) : null,
          labels: JSON.stringify(labels),
          transformations: JSON.stringify(transformations),
          created_at: Date.now(),
        })
        .execute()
    }).catch(async (e) => {
      if (!(await this.findView(name, version))) throw e
    })
    // Created here, or by another process meanwhile (then possibly from another definition).
    return this.matchView((await this.findView(name, version))!, wanted)
  }

  /**
   * The stored view if `wanted` defines it alike (`viewDifferences`), else a refusal: a view version's groups,
   * columns, labels and transformations never change, since its training datasets and the models trained on them
   * refer to it.
   * @throws ViewChangedError naming the view, its version, each difference and the next free version.
   */
  private async matchView(stored: FeatureView, wanted: ViewShape): Promise<FeatureView> {
    const m = stored.metadata
    const differences = viewDifferences(
      {
        group: `${stored.featureGroup.name} v${stored.featureGroup.version}`,
        features: m.features,
        joins: m.joins.map((j, i) => ({ group: `${stored.joinedGroups[i].name} v${stored.joinedGroups[i].version}`, features: j.features, on: j.on, prefix: j.prefix })),
        labels: m.labels,
        transformations: m.transformations,
      },
      wanted,
    )
    if (differences.length === 0) return stored
    const latest = await this.findView(m.name)
    throw new ViewChangedError(m.name, m.version, differences, (latest?.version ?? m.version) + 1)
  }

  async getFeatureView(name: string, version?: number): Promise<FeatureView> {
    const v = await this.findView(assertIdentifier(name, 'feature view name'), version)
    if (!v) {
      const names = (await this.db.kysely.selectFrom('sml_feature_views').select('name').distinct().orderBy('name').execute()).map((r) => r.name)
      throw new NotFoundError(`no feature view ${name}${version === undefined ? '' : ` v${version}`} (known: ${names.join(', ') || 'none yet'})`)
    }
    return v
  }

  async listFeatureViews(): Promise<FeatureView[]> {
    const rows = await this.db.kysely.selectFrom('sml_feature_views').selectAll().orderBy('name').orderBy('version').execute()
    return Promise.all(rows.map((r) => this.viewFromRow(r)))
  }

  async close(): Promise<void> {
    await this.db.close()
  }

  /** Where the incremental fetch `name` continues from (stored by its last successful run); null before its first. */
  async sourcePosition(name: string): Promise<SourcePosition | null> {
    return readSourcePosition(this.db.kysely, name)
  }

  /**
   * Moves a fetch's position without rows (a fetch that found nothing new but advanced its cursor); with rows,
   * move it in their insert (`InsertOptions.sourcePosition`) instead, so that both are written or neither.
   * @throws ConflictError when the stored position is no longer `move.from`.
   */
  async moveSourcePosition(move: SourcePositionMove): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.lockUntilEnd(COMMIT_LOCK)
      await writeSourcePosition(tx.kysely, move, null)
    })
  }

  private async findView(name: string, version?: number): Promise<FeatureView | undefined> {
    let q = this.db.kysely.selectFrom('sml_feature_views').selectAll().where('name', '=', name)
    q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version)
    const r = await q.executeTakeFirst()
    return r ? this.viewFromRow(r) : undefined
  }

  private async viewFromRow(r: Record<string, unknown>): Promise<FeatureView> {
    const meta = toViewMetadata(r)
    const groups = await Promise.all([meta.featureGroupId, ...meta.joins.map((j) => j.featureGroupId)].map((id) => findGroupById(this.db, id)))
    if (groups.some((g) => !g)) throw new NotFoundError(`feature view ${meta.name} refers to a deleted feature group`)
    const [g, ...joined] = groups.map((g) => new FeatureGroup(this.db, g!))
    return new FeatureView(this.db, meta, g, joined)
  }
}
