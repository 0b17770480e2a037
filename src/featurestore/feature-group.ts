import { sql, type Kysely, type SelectQueryBuilder } from 'kysely'
import { assertIdentifier, NotFoundError, validationError, type ColumnType, type ColumnarResult, type ColumnKind, type SqlDialect, type SqlTransaction } from '../db/index.js'
import { toCommitInfo, toGroupMetadata, viewsReading } from './catalog.js'
import type { ColumnStatistics, CommitInfo, FeatureGroupMetadata, FeatureSpec, PruneOptions, ReadOptions, Row, StatisticsOptions } from './types.js'
import { checkDefinition, coerceValue, describe, inferSchema, isNotNull, validateColumns, validateRows, type ColumnValues, type ValidatedBatch, type ValidatedColumn } from './validate.js'
import { toModelValue } from './model-input.js'
import { FeatureQuery } from './feature-query.js'
import type { KeyColumn } from './point-in-time.js'
import { writeSourcePosition, type SourcePositionMove } from './source-positions.js'

/** Columns read straight into typed arrays: numbers (null → NaN) for numeric, bool and timestamp; text as string | null. */
export interface ColumnBatch {
  readonly nRows: number
  readonly columns: Record<string, Float64Array | (string | null)[]>
  readonly types: Record<string, ColumnType>
}


export interface InsertOptions {
  /** Where the rows came from (file, pipeline run), kept on the commit. */
  readonly source?: string
  /** Called as rows are validated and written, for progress bars. */
  readonly onProgress?: (rowsDone: number, rowsTotal: number, phase: 'validated' | 'writing' | 'committed') => void
  /**
   * Moves an incremental fetch's stored position in this commit's transaction (see `FeatureStore.sourcePosition`):
   * the rows and the position are written together or not at all. A ConflictError (nothing written) when the
   * stored position is no longer `from`.
   */
  readonly sourcePosition?: SourcePositionMove
}

/**
 * Held from before a commit id is allocated until that commit ends, so commit ids become visible in the
 * order they were allocated: once commit N can be read, every commit below N has ended. Readers depend on
 * it: "rows since commit N" (batch inference's cursor) and "as of commit N" (training datasets) would
 * otherwise miss, or later gain, the rows of a smaller id that committed after N. It also keeps two
 * upserts of one key from both staying current (each would miss the other's uncommitted row).
 * It is one lock for the store, not one per group, because all groups draw their ids from one sequence:
 * the order then holds across groups too. The cost: inserts into the store's feature groups run one at a
 * time (SQLite's file lock already did that); a single writer pays one extra round trip per insert.
 */
export const COMMIT_LOCK = 'sml_commits'

const WRITE_CHUNK = 50_000
/** A commit of at least this many rows may refresh the planner's statistics of its table. */
const ANALYZE_ROWS = 10_000
/** Reads at least this large are split across two readers. */
const PARALLEL_READ_ROWS = 200_000

/** One version of a feature group: a typed table whose rows carry the commit that wrote them. */
export class FeatureGroup {
  constructor(
    private readonly db: SqlDialect,
    private meta: FeatureGroupMetadata,
  ) {}

  get metadata(): FeatureGroupMetadata {
    return this.meta
  }
  get id(): number {
    return this.meta.id
  }
  get name(): string {
    return this.meta.name
  }
  get version(): number {
    return this.meta.version
  }
  get schema(): readonly FeatureSpec[] {
    return this.meta.schema
  }
  get primaryKey(): readonly string[] {
    return this.meta.primaryKey
  }
  get eventTime(): string | null {
    return this.meta.eventTime
  }

  /**
   * Validates every row, then writes them all in one transaction as one commit, upserting by primary key.
   * On any bad value nothing is written and a ValidationError names the row, column and reason.
   */
  async insert(rows: readonly Row[], options: InsertOptions = {}): Promise<CommitInfo> {
    if (!Array.isArray(rows)) throw validationError([{ reason: 'expected an array of rows' }], 'rows')
    if (rows.length === 0) throw validationError([{ reason: 'no rows to insert' }], 'rows')
    return this.commit((meta) => this.validate(rows, meta), () => rows, options)
  }

  /**
   * `insert` for rows given column by column: `columns[name][r]` is row r's value, every column nRows
   * long. Numbers (float, int, epoch-ms timestamp) may come as a Float64Array with NaN for a missing
   * value, which goes to the store as it is, with no value boxed and no row object made (what the request
   * log writes); any column may be an array of the values a row would hold. The same validation as
   * `insert` (the same ValidationError, rows numbered from 1), one commit, upserting by primary key.
   * A group without a schema yet takes it from these values, as `insert` does from rows.
   */
  async insertColumns(columns: Readonly<Record<string, ColumnValues>>, nRows: number, options: InsertOptions = {}): Promise<CommitInfo> {
    if (columns === null || typeof columns !== 'object' || Array.isArray(columns)) throw validationError([{ path: 'columns', reason: 'expected an object of columns by name' }], 'columns')
    if (!Number.isSafeInteger(nRows) || nRows < 1) {
      // insertColumns(columns, options) is the likely slip: name the argument order rather than print [object Object]
      const got = typeof nRows === 'object' && nRows !== null ? 'an object (the arguments are columns, nRows, options)' : typeof nRows === 'string' ? JSON.stringify(nRows) : String(nRows)
      throw validationError([{ path: 'nRows', reason: `expected a positive whole number of rows, got ${got}` }], 'columns')
    }
    const rows = () => columnsToRows(columns, nRows)
    return this.commit((meta) => validateColumns(columns, nRows, meta.schema, meta.primaryKey, meta.eventTime, meta.expectations), rows, options)
  }

  /**
   * One commit of a batch that `validate` checks against a schema: before the write lock is taken, so a
   * bad batch never waits or blocks, and again under it if the schema changed meanwhile (or there was
   * none: then it is inferred from `rows()`).
   */
  private async commit(validate: (meta: FeatureGroupMetadata) => ValidatedBatch, rows: () => readonly Row[], options: InsertOptions): Promise<CommitInfo> {
    let batch = this.meta.schema.length ? validate(this.meta) : undefined
    const commit = await this.db.transaction(async (tx) => {
      await tx.lockUntilEnd(COMMIT_LOCK)
      const current = await this.reload(tx.kysely)
      let meta = current
      if (meta.schema.length === 0) {
        const schema = inferSchema(rows())
        checkDefinition(schema, meta.primaryKey, meta.eventTime, meta.expectations)
        meta = { ...meta, schema }
        await tx.kysely.updateTable('sml_feature_groups').set({ schema: JSON.stringify(schema) }).where('id', '=', meta.id).execute()
        await createGroupTable(tx, this.db, meta)
      }
      if (!batch || meta.schema !== this.meta.schema) batch = validate(meta)
      this.meta = meta
      options.onProgress?.(0, batch.nRows, 'validated')
      const info = await writeCommit(tx, this.db, meta, batch.columns, batch.nRows, batch.warnings, options.source ?? null, options.onProgress)
      if (options.sourcePosition) await writeSourcePosition(tx.kysely, options.sourcePosition, info.id)
      return info
    })
    return commit
  }

  private validate(rows: readonly Row[], meta: FeatureGroupMetadata) {
    return validateRows(rows, meta.schema, meta.primaryKey, meta.eventTime, meta.expectations)
  }

  private async reload(k: Kysely<any>): Promise<FeatureGroupMetadata> {
    const r = await k.selectFrom('sml_feature_groups').selectAll().where('id', '=', this.meta.id).executeTakeFirst()
    if (!r) throw new NotFoundError(`feature group ${this.meta.name} v${this.meta.version} was deleted`)
    return toGroupMetadata(r)
  }

  /** Rows as objects, ordered by primary key; latest version per key unless `history` or `asOf` say otherwise. */
  async read(options: ReadOptions = {}): Promise<Row[]> {
    await this.checkReadOptions(options)
    if (this.meta.schema.length === 0) return []
    const cols = this.meta.schema.map((f) => f.name)
    const q = this.selectRows(cols, options)
    const out: Row[] = []
    const schema = this.meta.schema
    await this.db.queryArrays(q.compile(), (r) => {
      const row: Row = {}
      for (let c = 0; c < schema.length; c++) row[schema[c].name] = this.db.decode(schema[c].type, r[c]) as Row[string]
      out.push(row)
    })
    return out
  }

  /** Named columns straight into typed arrays, ordered by primary key: the fast path for training data. */
  async readColumns(columns: readonly string[], options: ReadOptions = {}): Promise<ColumnBatch> {
    await this.checkReadOptions(options)
    // A large as-of read on heaps (PostgreSQL) goes unordered, by storage, and is put in key order here: an
    // ORDER BY is an index scan in key order (measured: ~80 ms more of the server's CPU for a million rows
    // than a sequential scan), while rows written in key order and never superseded come in key order
    // anyway, which one pass checks. Only for a primary key of integers and times, which order alike here
    // and in the database (text keys follow the database's collation); one version per key (no history).
    const pk = this.meta.primaryKey
    const { asOf } = options
    if (
      this.db.queryColumnsByStorage &&
      asOf !== undefined &&
      !options.history &&
      options.limit === undefined &&
      pk.every((k) => columns.includes(k) && (this.feature(k).type === 'int' || this.feature(k).type === 'timestamp')) &&
      (await this.writtenUpTo(asOf)).rows >= PARALLEL_READ_ROWS
    ) {
      return inKeyOrder(await this.readByStorage(columns, options, pk[0], true), pk)
    }
    return this.readOrdered(columns, options, [...pk, '_commit_id'])
  }

  /**
   * Every stored version of every row (as of a commit, when given) for a point-in-time join: the `on` columns,
   * event time and the named columns as typed arrays, for the as-of merge (point-in-time.ts). Where tables
   * are stored in key order (SQLite) the rows come ordered by (`on`…, event time, commit, primary key), the
   * order the merge walks, so ties need no columns of their own. Where tables are heaps (PostgreSQL) such an
   * ORDER BY is a sort of the whole history, spilling to disk past work_mem (measured: 2 × 2.0 s for a
   * million rows, against one unordered scan); there the rows come unordered (a large read in two scans
   * of the table's two halves, in one snapshot) with the commit and primary key as tie-breaks, and the merge orders them (a
   * counting sort by key; a key's rows mostly arrive in time order already). Missing `on` values are NaN / null.
   */
  async readTimeline(
    on: readonly string[],
    columns: readonly string[],
    asOf: number | undefined,
  ): Promise<{ nRows: number; keys: KeyColumn[]; time: Float64Array; tieBreak?: KeyColumn[]; columns: ColumnBatch['columns']; types: ColumnBatch['types'] }> {
    const et = this.requireEventTime()
    const read = [...new Set([...on, et, ...columns])]
    const options = { asOf, history: true }
    await this.checkReadOptions(options)
    if (this.db.clusteredTableSuffix) {
      const b = await this.readOrdered(read, options, [...new Set([...on, et, '_commit_id', ...this.meta.primaryKey])])
      return { nRows: b.nRows, keys: on.map((c) => b.columns[c]), time: b.columns[et] as Float64Array, columns: b.columns, types: b.types }
    }
    const written = asOf === undefined ? undefined : await this.writtenUpTo(asOf)
    // Rows tie on (`on`…, event time) only as two versions of one row when the primary key lies within those
    // columns; and there is one version of each row when no commit up to `asOf` superseded any (a commit's
    // rows_updated counts the versions it superseded; commits take ids in the order they write). Then the
    // merge needs no tie-breaks, and the commit column (8 bytes a row, ~40 ms of the server's COPY output
    // for a million rows) is not read.
    const tied = written === undefined || written.updated > 0 || !this.meta.primaryKey.every((k) => on.includes(k) || k === et)
    const ties = tied ? ['_commit_id', ...this.meta.primaryKey] : []
    // Unordered, so a large read is split where the rows lie in storage: each slice scans its own pages in
    // its own server process (the dialect keeps both in one snapshot).
    const large = written !== undefined && written.rows >= PARALLEL_READ_ROWS
    const b = await this.readByStorage([...new Set([...read, ...ties])], options, on[0], large)
    return {
      nRows: b.nRows,
      keys: on.map((c) => b.columns[c]),
      time: b.columns[et] as Float64Array,
      ...(tied ? { tieBreak: ties.map((c) => b.columns[c]) } : {}),
      columns: b.columns,
      types: b.types,
    }
  }

  /**
   * The online side of `readTimeline` and the as-of merge: for each probe, the named columns of the latest
   * version (every commit counted) with those `on` values and an event time at or before `at` (epoch ms),
   * the later commit first on an equal time and then the greater primary key, as the merge picks; undefined
   * where there is none or a probe's key has a missing value.
   */
  async latestAtOrBefore(on: readonly string[], probes: readonly { key: Row; at: number }[], columns: readonly string[]): Promise<(Row | undefined)[]> {
    const et = this.requireEventTime()
    const specs = columns.map((c) => this.feature(c))
    return Promise.all(
      probes.map(async ({ key, at }) => {
        if (on.some((c) => key[c] === null || key[c] === undefined) || Number.isNaN(at)) return undefined
        let q = this.filtered({ history: true }).select(columns.map((c) => sql.ref(c).as(c)))
        for (const c of on) q = q.where(c, '=', this.db.encode(this.feature(c).type, key[c]))
        q = q.where(et, '<=', at).orderBy(et, 'desc').orderBy('_commit_id', 'desc')
        for (const k of this.meta.primaryKey) q = q.orderBy(k, 'desc')
        const r = (await q.limit(1).executeTakeFirst()) as Record<string, unknown> | undefined
        if (!r) return undefined
        const row: Row = {}
        for (const f of specs) row[f.name] = this.db.decode(f.type, r[f.name]) as Row[string]
        return row
      }),
    )
  }

  private requireEventTime(): string {
    if (!this.meta.eventTime) throw validationError([{ reason: `feature group ${this.meta.name} has no event time column` }], 'read')
    return this.meta.eventTime
  }

  /**
   * Columns (`_commit_id` among them if asked) into typed arrays in the given order. A large as-of read goes
   * in two slices read side by side, split at a value of `splitOn` (see `splitValue`): the first order
   * column, so the slices are consecutive runs of the ordered rows, or any column of an unordered read. The
   * slices are read apart, yet see the same rows: an as-of read sees what commits up to `asOf` wrote whatever
   * commits meanwhile (later commits only add rows of greater commit ids and supersede with greater ids).
   */
  private async readOrdered(columns: readonly string[], options: ReadOptions, order: readonly string[], splitOn: string | undefined = order[0]): Promise<ColumnBatch> {
    const { types, kinds } = this.columnKinds(columns)
    const split = splitOn !== undefined && options.limit === undefined ? await this.splitValue(splitOn, options) : undefined
    if (split === undefined) return toColumnBatch(columns, types, await this.db.queryColumns([this.selectRows(columns, options, order).compile()], kinds))
    // The two slices fill arrays of the final size from both ends (ColumnFill): the rows the commits up to
    // asOf wrote bound the read; with a since filter that bound could be far too large, so those reads
    // concatenate instead.
    const c = sql.ref(splitOn!)
    const fill = options.since === undefined && options.sinceCommit === undefined ? { upTo: split.written } : undefined
    const slices = [
      this.selectRows(columns, options, order).where(c, '<', split.at).compile(),
      this.selectRows(columns, options, order, fill !== undefined).where(c, '>=', split.at).compile(),
    ]
    return toColumnBatch(columns, types, await this.db.queryColumns(slices, kinds, fill))
  }

  /** Each column's type (`_commit_id` an int) and how a columnar read brings it. */
  private columnKinds(columns: readonly string[]): { types: Record<string, ColumnType>; kinds: ColumnKind[] } {
    const types: Record<string, ColumnType> = {}
    for (const c of columns) types[c] = c === '_commit_id' ? 'int' : this.feature(c).type
    return { types, kinds: columns.map((c) => (types[c] === 'string' ? 'string' : 'number')) }
  }

  /**
   * Columns (`_commit_id` among them if asked) into typed arrays, in no particular order: a `large` read in two
   * slices split by storage where the dialect can (`queryColumnsByStorage`), else as `readOrdered` splits an
   * unordered read, at a value of `splitOn`.
   */
  private async readByStorage(columns: readonly string[], options: ReadOptions, splitOn: string, large: boolean): Promise<ColumnBatch> {
    if (!this.db.queryColumnsByStorage) return this.readOrdered(columns, options, [], splitOn)
    if (options.limit !== undefined || !large) return this.readOrdered(columns, options, [], undefined)
    const { types, kinds } = this.columnKinds(columns)
    const r = await this.db.queryColumnsByStorage(this.meta.tableName, (range) => this.selectRows(columns, options, []).where(range).compile(), kinds, 2)
    return toColumnBatch(columns, types, r)
  }

  /**
   * Rows written by the commits up to `asOf` (every version: an upper bound of an as-of read's size) and how
   * many earlier versions those commits superseded.
   */
  private async writtenUpTo(asOf: number): Promise<{ rows: number; updated: number }> {
    const r = await this.db.kysely
      .selectFrom('sml_commits')
      .select([sql<number>`sum(rows_added + rows_updated)`.as('n'), sql<number>`sum(rows_updated)`.as('u')])
      .where('feature_group_id', '=', this.meta.id)
      .where('id', '<=', asOf)
      .executeTakeFirst()
    return { rows: Number(r?.n ?? 0), updated: Number(r?.u ?? 0) }
  }

  /**
   * Where to split an as-of read of about PARALLEL_READ_ROWS rows or more in two: the middle of the range of
   * `column` (a numeric column without missing values), from its first and last values (two index probes: no count, no
   * OFFSET that walks the skipped rows). Undefined when the read is small or not as of a commit, the column is
   * text or nullable, or its values do not spread.
   * The size is estimated from the commits' row counts (an upper bound: every version ever written up to `asOf`),
   * returned as `written` beside the split value `at`.
   */
  private async splitValue(column: string, options: ReadOptions): Promise<{ at: number; written: number } | undefined> {
    const { asOf } = options
    if (asOf === undefined) return undefined
    const type = column === '_commit_id' ? 'int' : this.feature(column).type
    const spec = column === '_commit_id' ? undefined : this.feature(column)
    const required = spec === undefined || isNotNull(spec, this.meta.primaryKey, this.meta.eventTime)
    if (type === 'string' || type === 'bool' || !required) return undefined
    const written = (await this.writtenUpTo(asOf)).rows
    if (written < PARALLEL_READ_ROWS) return undefined
    const end = async (direction: 'asc' | 'desc') => {
      const r = (await this.filtered(options).select(sql.ref(column).as('v')).orderBy(column, direction).limit(1).executeTakeFirst()) as { v: unknown } | undefined
      return r ? Number(r.v) : undefined
    }
    const [lo, hi] = await Promise.all([end('asc'), end('desc')])
    if (lo === undefined || hi === undefined || !(hi > lo)) return undefined
    // Integers split at an integer (PostgreSQL binds the value as the column's type); lo < mid ≤ hi, so neither slice is empty.
    const mid = type === 'float' ? lo + (hi - lo) / 2 : lo + Math.ceil((hi - lo) / 2)
    return mid > lo && mid <= hi ? { at: mid, written } : undefined
  }

  async count(options: ReadOptions = {}): Promise<number> {
    await this.checkReadOptions(options)
    if (this.meta.schema.length === 0) return 0
    const r = await this.filtered(options)
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  /** Current rows by primary key (online lookup); undefined where no row has that key. */
  async lookup(keys: readonly Row[]): Promise<(Row | undefined)[]> {
    if (keys.length === 0 || this.meta.schema.length === 0) return keys.map(() => undefined)
    const pk = this.meta.primaryKey
    const issues = keys.flatMap((k, i) => pk.filter((c) => k?.[c] === undefined).map((c) => ({ row: i + 1, column: c, reason: 'primary key value is missing' })))
    // A timestamp key may be given as a Date, epoch ms or text, read by the same rule as inserts (no offset = UTC).
    const timeKeys = pk.filter((c) => this.feature(c).type === 'timestamp')
    if (timeKeys.length && !issues.length) {
      keys = keys.map((k, i) => {
        const out: Row = { ...k }
        for (const c of timeKeys) {
          const r = coerceValue('timestamp', k[c])
          if (r.ok) out[c] = r.value === null ? null : new Date(r.value as number)
          else issues.push({ row: i + 1, column: c, reason: r.reason })
        }
        return out
      })
    }
    if (issues.length) throw validationError(issues, 'key')
    const found = new Map<string, Row>()
    // Keys compare in model-input form (model-input.ts), so a timestamp key given as a Date, epoch ms or ISO text finds its row.
    const pkTypes = pk.map((c) => this.feature(c).type)
    const keyOf = (r: Row) => JSON.stringify(pk.map((c, j) => toModelValue(c, pkTypes[j], r[c])))
    const cols = this.meta.schema.map((f) => f.name)
    for (let start = 0; start < keys.length; start += 500) {
      const chunk = keys.slice(start, start + 500)
      const q = this.filtered({})
        .select(cols.map((c) => sql.ref(c).as(c)))
        .where((eb) => eb.or(chunk.map((k) => eb.and(pk.map((c) => eb(c, '=', this.db.encode(this.feature(c).type, k[c])))))))
      for (const r of await q.execute()) {
        const row: Row = {}
        for (const f of this.meta.schema) row[f.name] = this.db.decode(f.type, (r as Record<string, unknown>)[f.name]) as Row[string]
        found.set(keyOf(row), row)
      }
    }
    return keys.map((k) => found.get(keyOf(k)))
  }

  /** Commits, oldest first. */
  async commits(): Promise<CommitInfo[]> {
    const rows = await this.db.kysely.selectFrom('sml_commits').selectAll().where('feature_group_id', '=', this.meta.id).orderBy('id').execute()
    return rows.map(toCommitInfo)
  }

  async latestCommit(): Promise<CommitInfo | undefined> {
    const r = await this.db.kysely
      .selectFrom('sml_commits')
      .selectAll()
      .where('feature_group_id', '=', this.meta.id)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst()
    return r ? toCommitInfo(r) : undefined
  }

  /**
   * Retention: deletes whole commits, oldest first, whose rows are all older than `before` (by event time;
   * by commit time in a group without one) or that lie beyond the
   * newest `keepRows` stored rows (so at most `keepRows` remain), at most `maxCommits` commits per call so a
   * caller can prune a little at a time without holding the write lock long. Each commit goes in its own
   * transaction (its rows through the commit index, then its catalog row). Reads as of a pruned commit no
   * longer see its rows, so a group that a feature view reads (whose training datasets re-read old commits)
   * is refused with a ValidationError. Returns how many commits and rows went.
   */
  async pruneCommits(options: PruneOptions): Promise<{ commits: number; rows: number }> {
    const views = await viewsReading(this.db.kysely, this.meta.id)
    if (views.length) throw validationError([{ reason: `feature view ${views[0].name} reads feature group ${this.meta.name} v${this.meta.version}, so its commits cannot be pruned` }], 'prune')
    const max = options.maxCommits ?? 100
    const totals = await this.db.kysely
      .selectFrom('sml_commits')
      .select(sql<number>`coalesce(sum(rows_added + rows_updated), 0)`.as('n'))
      .where('feature_group_id', '=', this.meta.id)
      .executeTakeFirstOrThrow()
    let stored = Number(totals.n)
    const oldest = await this.db.kysely
      .selectFrom('sml_commits')
      .select(['id', 'committed_at', 'rows_added', 'rows_updated'])
      .where('feature_group_id', '=', this.meta.id)
      .orderBy('id')
      .limit(max)
      .execute()
    let commits = 0
    let rows = 0
    for (const c of oldest) {
      const size = Number(c.rows_added) + Number(c.rows_updated)
      const beyond = options.keepRows !== undefined && stored > options.keepRows
      if (!beyond && (options.before === undefined || (await this.newestTime(c)) >= options.before.getTime())) break
      await this.db.transaction(async (tx) => {
        const r = await tx.kysely.deleteFrom(this.meta.tableName).where('_commit_id', '=', c.id).executeTakeFirst()
        await tx.kysely.deleteFrom('sml_commits').where('id', '=', c.id).execute()
        rows += Number(r.numDeletedRows ?? 0)
      })
      stored -= size
      commits++
    }
    return { commits, rows }
  }

  /** The latest event time in a commit (through the commit index), or its commit time without an event-time column; ms. */
  private async newestTime(c: { id: unknown; committed_at: unknown }): Promise<number> {
    if (!this.meta.eventTime) return Number(c.committed_at)
    const r = await this.db.kysely
      .selectFrom(this.meta.tableName)
      .select(sql`max(${sql.ref(this.meta.eventTime)})`.as('t'))
      .where('_commit_id', '=', c.id)
      .executeTakeFirst()
    const t = this.db.decode('timestamp', r?.t)
    return t instanceof Date ? t.getTime() : Number(c.committed_at)
  }

  /**
   * checkReadOptions, and an `asOf` no later than the store's latest commit: a read as of a commit that does not
   * exist yet would see the latest data now and other data once commits land (a split recorded as of it would
   * not replay). A commit of another group is a point in time like any other. @throws ValidationError naming asOf.
   */
  private async checkReadOptions(options: ReadOptions): Promise<void> {
    checkReadOptions(options)
    if (options.asOf === undefined) return
    const r = await this.db.kysely.selectFrom('sml_commits').select(sql<number | null>`max(id)`.as('id')).executeTakeFirst()
    const latest = r?.id === null || r?.id === undefined ? 0 : Number(r.id)
    if (options.asOf > latest) throw validationError([{ path: 'asOf', reason: `commit ${options.asOf} does not exist yet (the store's latest commit is ${latest || 'none'})` }], 'read options')
  }

  /**
   * Count, missing, distinct, min, max and mean of each column (or of `options.columns`, in schema order) over
   * the rows a read would see. Throws ValidationError naming a column the group does not have.
   */
  async statistics(options: StatisticsOptions = {}): Promise<ColumnStatistics[]> {
    const { columns, ...read } = options
    if (columns !== undefined) columns.forEach((c) => this.feature(c))
    await this.checkReadOptions(read)
    const schema = columns === undefined ? this.meta.schema : this.meta.schema.filter((f) => columns.includes(f.name))
    if (schema.length === 0) return []
    const trueValue = this.db.encode('bool', true)
    const names: string[] = ['n']
    const query = this.filtered(read).select((eb) => {
      const sels: any[] = [sql<number>`count(*)`.as('n')]
      const add = (e: any, name: string) => {
        sels.push(e.as(name))
        names.push(name)
      }
      schema.forEach((f, i) => {
        const c = sql.ref(f.name)
        add(sql`count(${c})`, `c${i}`)
        add(sql`count(distinct ${c})`, `d${i}`)
        if (f.type === 'bool') add(sql`avg(case when ${c} = ${trueValue} then 1.0 when ${c} is null then null else 0.0 end)`, `a${i}`)
        else {
          add(sql`min(${c})`, `lo${i}`)
          add(sql`max(${c})`, `hi${i}`)
          if (f.type === 'int' || f.type === 'float') add(sql`avg(${c})`, `a${i}`)
        }
      })
      void eb
      return sels
    })
    // a sort per column for its distinct count: off the calling thread where queries would hold it (SQLite)
    const r: Record<string, any> = this.db.queryRowsOffThread
      ? Object.fromEntries((await this.db.queryRowsOffThread(query.compile()))[0].map((v, k) => [names[k], v]))
      : await query.executeTakeFirstOrThrow()
    const n = Number(r.n)
    return schema.map((f, i) => {
      const count = Number(r[`c${i}`])
      const dec = (v: unknown) => (v === null || v === undefined ? null : f.type === 'timestamp' ? new Date(Number(v)) : f.type === 'string' ? String(v) : Number(v))
      return {
        column: f.name,
        type: f.type,
        count,
        missing: n - count,
        distinct: Number(r[`d${i}`]),
        min: f.type === 'bool' ? null : (dec(r[`lo${i}`]) as ColumnStatistics['min']),
        max: f.type === 'bool' ? null : (dec(r[`hi${i}`]) as ColumnStatistics['max']),
        mean: r[`a${i}`] === null || r[`a${i}`] === undefined ? null : Number(r[`a${i}`]),
      }
    })
  }

  select(columns: readonly string[]): FeatureQuery {
    columns.forEach((c) => this.feature(c))
    return new FeatureQuery(this, [...columns])
  }

  selectExcept(columns: readonly string[]): FeatureQuery {
    columns.forEach((c) => this.feature(c))
    return new FeatureQuery(this, this.meta.schema.map((f) => f.name).filter((n) => !columns.includes(n)))
  }

  selectAll(): FeatureQuery {
    return this.selectExcept([])
  }

  feature(name: string): FeatureSpec {
    const f = this.meta.schema.find((s) => s.name === name)
    if (!f) throw validationError([{ column: name, reason: `no such column in feature group ${this.meta.name} v${this.meta.version}` }], 'column')
    return f
  }

  /** Rows that a read with these options sees (no columns selected yet). */
  private filtered(options: ReadOptions): SelectQueryBuilder<any, any, {}> {
    let q = this.db.kysely.selectFrom(this.meta.tableName) as SelectQueryBuilder<any, any, {}>
    const { asOf, sinceCommit, since, history } = options
    if (asOf !== undefined) {
      // Unary plus keeps the planner off the commit index: an as-of read visits most rows, and a scan in key
      // order beats an index lookup per row. "Since a commit" reads few rows and does use the index.
      q = q.where(sql<number>`+${sql.ref('_commit_id')}`, '<=', asOf)
      if (!history) q = q.where((eb) => eb.or([eb('_superseded_by', 'is', null), eb('_superseded_by', '>', asOf)]))
    } else if (!history) q = q.where('_superseded_by', 'is', null)
    if (sinceCommit !== undefined) q = q.where('_commit_id', '>', sinceCommit)
    if (since !== undefined) {
      if (!this.meta.eventTime) throw validationError([{ reason: `feature group ${this.meta.name} has no event time column, so "since" cannot apply` }], 'read')
      q = q.where(this.meta.eventTime, '>=', this.db.encode('timestamp', since))
    }
    return q
  }

  /** The read's query, in `order` (or its reverse: the second slice of a ColumnFill read). */
  private selectRows(columns: readonly string[], options: ReadOptions, order: readonly string[] = [...this.meta.primaryKey, '_commit_id'], reversed = false) {
    let q = this.filtered(options).select(columns.map((c) => sql.ref(c).as(c)))
    for (const k of order) q = q.orderBy(k, reversed ? 'desc' : 'asc')
    if (options.limit !== undefined) q = q.limit(options.limit)
    if (options.limit !== undefined && options.offset) q = q.offset(options.offset)
    return q
  }
}


const READ_OPTION_KEYS: Record<keyof ReadOptions, true> = { asOf: true, sinceCommit: true, since: true, history: true, limit: true, offset: true }

/**
 * Refuses read options a read cannot mean: a commit id or count that is not a whole number ≥ 0 (NaN or text
 * would reach the SQL, where SQLite matches nothing and PostgreSQL fails), an invalid date, a misspelt key
 * (`asof` would be ignored and the latest rows read instead of the old ones).
 * @throws ValidationError naming each option and the reason.
 */
function checkReadOptions(options: ReadOptions): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw validationError([{ path: 'options', reason: 'expected an object of read options' }], 'read options')
  const issues: { path: string; reason: string }[] = []
  for (const key of Object.keys(options)) {
    const v = (options as Record<string, unknown>)[key]
    if (!(key in READ_OPTION_KEYS)) issues.push({ path: key, reason: `is not a read option (options: ${Object.keys(READ_OPTION_KEYS).join(', ')})` })
    else if (v === undefined) continue
    else if (key === 'since') {
      if (!(v instanceof Date) || Number.isNaN(v.getTime())) issues.push({ path: key, reason: `expected a valid Date, got ${describe(v)}` })
    } else if (key === 'history') {
      if (typeof v !== 'boolean') issues.push({ path: key, reason: `expected true or false, got ${describe(v)}` })
    } else if (!Number.isSafeInteger(v) || (v as number) < 0) issues.push({ path: key, reason: `expected a whole number ≥ 0${key === 'asOf' || key === 'sinceCommit' ? ' (a commit id)' : ''}, got ${describe(v)}` })
  }
  if (issues.length) throw validationError(issues, 'read options')
}

/** Creates the typed table of a group version with its key and commit indexes. */
export async function createGroupTable(tx: SqlTransaction, db: SqlDialect, meta: FeatureGroupMetadata): Promise<void> {
  assertIdentifier(meta.tableName, 'table name')
  let t = tx.kysely.schema.createTable(meta.tableName)
  for (const f of meta.schema) {
    const required = isNotNull(f, meta.primaryKey, meta.eventTime)
    t = t.addColumn(f.name, sql.raw(db.sqlType(f.type)), (c) => (required ? c.notNull() : c))
  }
  // Rows are clustered by (key, commit) where the dialect can: reads in key order need no sort. The commit index
  // serves "rows since a commit" (batch inference) and finding the rows a new commit supersedes.
  t = t
    .addColumn('_commit_id', 'bigint', (c) => c.notNull())
    .addColumn('_superseded_by', 'bigint')
    .addPrimaryKeyConstraint(`${meta.tableName}_pk`, [...meta.primaryKey, '_commit_id'] as never)
  if (db.clusteredTableSuffix) t = t.modifyEnd(sql.raw(db.clusteredTableSuffix))
  await t.execute()
  await tx.kysely.schema.createIndex(`${meta.tableName}_commit`).on(meta.tableName).column('_commit_id').execute()
}

/** Inserts a validated batch as one commit and marks the rows it replaces as superseded. */
async function writeCommit(
  tx: SqlTransaction,
  db: SqlDialect,
  meta: FeatureGroupMetadata,
  columns: ValidatedColumn[],
  nRows: number,
  warnings: string[],
  source: string | null,
  onProgress?: InsertOptions['onProgress'],
): Promise<CommitInfo> {
  const committedAt = Date.now()
  const { id } = await tx.kysely
    .insertInto('sml_commits')
    .values({ feature_group_id: meta.id, committed_at: committedAt, rows_added: 0, rows_updated: 0, source, warnings: JSON.stringify(warnings) })
    .returning('id')
    .executeTakeFirstOrThrow()
  const commitId = Number(id)
  const hadRows = (await tx.kysely.selectFrom(meta.tableName).select(sql`1`.as('one')).limit(1).executeTakeFirst()) !== undefined
  const encoded = meta.schema.map((f, c) => {
    const col = columns[c]
    if (f.type !== 'bool') return col
    return Array.from(col, (v) => db.encode('bool', v))
  })
  const commitCol = new Array(nRows).fill(commitId)
  const names = [...meta.schema.map((f) => f.name), '_commit_id']
  const data: ValidatedColumn[] = [...encoded, commitCol]
  for (let start = 0; start < nRows; start += WRITE_CHUNK) {
    const end = Math.min(nRows, start + WRITE_CHUNK)
    const chunk = start === 0 && end === nRows ? data : data.map((col) => col.slice(start, end))
    await tx.insertColumns(meta.tableName, names, chunk, end - start)
    onProgress?.(end, nRows, 'writing')
  }
  let updated = 0
  if (hadRows) {
    // before the first autovacuum round this check would be planned as a scan of the whole table
    await tx.gatherMissingStatistics(meta.tableName)
    const key = sql.join(meta.primaryKey.map((k) => sql.ref(k)))
    const res = await sql`UPDATE ${sql.table(meta.tableName)} SET _superseded_by = ${commitId}
      WHERE _superseded_by IS NULL AND +_commit_id < ${commitId}
      AND (${key}) IN (SELECT ${key} FROM ${sql.table(meta.tableName)} WHERE _commit_id = ${commitId})`.execute(tx.kysely)
    updated = Number(res.numAffectedRows ?? 0)
  }
  await tx.kysely.updateTable('sml_commits').set({ rows_added: nRows - updated, rows_updated: updated }).where('id', '=', commitId).execute()
  // A large commit that is a good part of the table (autovacuum's own rule for re-analysing: a tenth of it)
  // refreshes the planner's statistics before anyone reads it (see SqlTransaction.refreshStatistics).
  if (nRows >= ANALYZE_ROWS) {
    const written = await tx.kysely
      .selectFrom('sml_commits')
      .select(sql<number>`sum(rows_added + rows_updated)`.as('n'))
      .where('feature_group_id', '=', meta.id)
      .executeTakeFirst()
    if (nRows * 10 >= Number(written?.n ?? 0)) await tx.refreshStatistics(meta.tableName)
  }
  onProgress?.(nRows, nRows, 'committed')
  return { id: commitId, featureGroupId: meta.id, committedAt: new Date(committedAt), rowsAdded: nRows - updated, rowsUpdated: updated, source, warnings }
}

/** Row objects of a columnar batch (NaN in a Float64Array as null): for inferring a schema from it. */
function columnsToRows(columns: Readonly<Record<string, ColumnValues>>, nRows: number): Row[] {
  const entries = Object.entries(columns)
  return Array.from({ length: nRows }, (_, r) => {
    const row: Row = {}
    for (const [name, col] of entries) {
      const v = col[r]
      row[name] = v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v
    }
    return row
  })
}

/** A columnar result as a batch keyed by the columns' names, in the order they were asked for. */
function toColumnBatch(columns: readonly string[], types: Record<string, ColumnType>, r: ColumnarResult): ColumnBatch {
  const out: Record<string, Float64Array | (string | null)[]> = {}
  columns.forEach((c, i) => (out[c] = r.columns[i]))
  return { nRows: r.nRows, columns: out, types }
}

/**
 * The batch's rows ordered by the given numeric key columns (no missing values; one row per key): as they
 * are when they already come in that order (checked in one pass), else through a sorted permutation of the
 * rows that every column is gathered by.
 */
function inKeyOrder(b: ColumnBatch, key: readonly string[]): ColumnBatch {
  const cols = key.map((k) => b.columns[k] as Float64Array)
  const compare = (i: number, j: number) => {
    for (const c of cols) if (c[i] !== c[j]) return c[i] - c[j]
    return 0
  }
  let ordered = true
  for (let i = 1; i < b.nRows && ordered; i++) ordered = compare(i - 1, i) < 0
  if (ordered) return b
  const order = new Int32Array(b.nRows)
  for (let i = 0; i < order.length; i++) order[i] = i
  order.sort(compare)
  const out: ColumnBatch['columns'] = {}
  for (const [name, c] of Object.entries(b.columns)) {
    if (c instanceof Float64Array) {
      const g = new Float64Array(order.length)
      for (let p = 0; p < order.length; p++) g[p] = c[order[p]]
      out[name] = g
    } else out[name] = Array.from(order, (i) => c[i])
  }
  return { ...b, columns: out }
}
