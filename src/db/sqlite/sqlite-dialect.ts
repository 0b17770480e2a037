import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect as KyselySqliteDialect, type CompiledQuery } from 'kysely'
import type { ColumnType } from '../column-types.js'
import type { ColumnarResult, ColumnFill, ColumnKind, SqlDialect, SqlTransaction, StoreLocation } from '../dialect.js'
import { queryRowsInWorker, readColumnar, readSlicesInWorkers } from './sqlite-read-worker.js'
import { SQLITE_TYPES } from './sqlite-types.js'

export interface SqliteDialectConfig {
  /** Path of the database file. */
  readonly filename: string
  /** How long a writer waits for another process's lock before failing. */
  readonly busyTimeoutMs?: number
  /**
   * Page cache of this connection, KiB. better-sqlite3 builds SQLite with a 16,000 KiB default, which a
   * connection fills as it touches pages (malloc'd, kept until closed).
   */
  readonly cacheKiB?: number
}

/** Rows per INSERT statement: amortises the per-call cost of better-sqlite3 while staying under the bound-parameter limit. */
const MAX_PARAMS = 30_000
const MAX_ROWS_PER_STATEMENT = 64

/** The embedded store: one SQLite file in WAL mode, one connection per process. */
export class SqliteDialect implements SqlDialect {
  readonly displayName = 'sqlite'
  readonly capabilities = { concurrentWriters: false, jobQueue: false, blockingDriver: true } as const
  readonly clusteredTableSuffix = 'without rowid'
  readonly autoIdColumn = 'integer primary key autoincrement'
  readonly binaryType = 'blob'
  readonly kysely: Kysely<any>
  private readonly raw: BetterSqlite3.Database

  /** The store's directory: `openDatabase({ home })` opens `<home>/sml.db`, the file this dialect was given. */
  get location(): StoreLocation {
    return { home: dirname(this.config.filename) }
  }

  constructor(readonly config: SqliteDialectConfig) {
    // The busy timeout comes first: switching a new file to WAL needs a lock another process may hold.
    this.raw = new BetterSqlite3(config.filename, { timeout: config.busyTimeoutMs ?? 60_000 })
    this.raw.pragma('journal_mode = WAL')
    this.raw.pragma('synchronous = NORMAL')
    this.raw.pragma('foreign_keys = ON')
    if (config.cacheKiB !== undefined) this.raw.pragma(`cache_size = -${Math.max(1, Math.round(config.cacheKiB))}`)
    this.kysely = new Kysely<any>({ dialect: new KyselySqliteDialect({ database: this.raw }) })
  }

  sqlType(type: ColumnType): string {
    return SQLITE_TYPES[type]
  }

  encode(type: ColumnType, value: unknown): unknown {
    if (value === null || value === undefined) return null
    if (type === 'bool') return value ? 1 : 0
    if (type === 'timestamp') return value instanceof Date ? value.getTime() : value
    return value
  }

  decode(type: ColumnType, value: unknown): unknown {
    if (value === null || value === undefined) return null
    if (type === 'bool') return value === 1 || value === 1n || value === true
    if (type === 'timestamp') return new Date(Number(value))
    return value
  }

  // Kysely's single connection is held for the whole transaction, so nothing else in this process
  // interleaves; BEGIN IMMEDIATE takes the write lock up front so two processes never deadlock on upgrade.
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.kysely.connection().execute(async (conn) => {
      this.raw.exec('BEGIN IMMEDIATE')
      try {
        const result = await fn({
          kysely: conn,
          // BEGIN IMMEDIATE already excludes every other writer of the file until this transaction ends.
          lockUntilEnd: async () => {},
          refreshStatistics: async () => {},
          gatherMissingStatistics: async () => {},
          insertColumns: async (t, c, d, n) => this.insertColumnsNow(t, c, d, n),
          queryArrays: async (q, onRow) => this.queryArraysNow(q, onRow),
        })
        this.raw.exec('COMMIT')
        return result
      } catch (e) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK')
        throw e
      }
    })
  }

  // The IMMEDIATE write lock already excludes every other process, so it is the migration lock too.
  withMigrationLock<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.transaction(fn)
  }

  // SQLite compares text with BINARY (memcmp of UTF-8: code-point order) unless a column says otherwise; ours never do.
  async makeTextBinary(): Promise<void> {}

  async listColumns(table: string): Promise<string[]> {
    return this.kysely.connection().execute(async () =>
      (this.raw.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string }[]).map((r) => r.name),
    )
  }

  async listTables(): Promise<string[]> {
    return this.kysely.connection().execute(async () =>
      (this.raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid").all() as { name: string }[]).map((r) => r.name),
    )
  }

  async primaryKey(table: string): Promise<string[]> {
    return this.kysely.connection().execute(async () =>
      (this.raw.prepare('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').all(table) as { name: string }[]).map((r) => r.name),
    )
  }

  // AUTOINCREMENT keeps its counter at the largest id ever inserted, explicit ones included.
  async syncAutoIds(): Promise<void> {}

  queryArrays(query: CompiledQuery, onRow: (row: unknown[]) => void): Promise<void> {
    return this.kysely.connection().execute(async () => this.queryArraysNow(query, onRow))
  }

  // One slice reads in this thread; several run in reader threads with their own connections (WAL allows
  // concurrent readers). Either way the rows go through an aggregate of our own that stores each value
  // straight into its column (sqlite-read-worker.ts).
  async queryColumns(slices: readonly CompiledQuery[], kinds: readonly ColumnKind[], fill?: ColumnFill): Promise<ColumnarResult> {
    if (slices.length > 1 || fill) return readSlicesInWorkers(this.config.filename, slices, kinds, fill)
    const r = await this.kysely.connection().execute(async () => readColumnar(this.raw, slices[0].sql, slices[0].parameters, kinds))
    return { nRows: r.n, columns: r.cols as ColumnarResult['columns'] }
  }

  // SQLite runs a statement on the calling thread from its first row to its last: a whole table's statistics
  // (a sort per column for its distinct count) held a web server's event loop for seconds.
  queryRowsOffThread(query: CompiledQuery): Promise<unknown[][]> {
    return queryRowsInWorker(this.config.filename, query)
  }

  async close(): Promise<void> {
    await this.kysely.destroy()
  }

  private queryArraysNow(query: CompiledQuery, onRow: (row: unknown[]) => void): void {
    const stmt = this.raw.prepare(query.sql).raw(true)
    for (const row of stmt.iterate(...(query.parameters as unknown[]))) onRow(row as unknown[])
  }

  private insertColumnsNow(table: string, columns: readonly string[], data: readonly ArrayLike<unknown>[], nRows: number): void {
    const nCols = columns.length
    const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS / nCols)))
    const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES `
    const tuple = `(${columns.map(() => '?').join(', ')})`
    const full = this.raw.prepare(head + Array(perStatement).fill(tuple).join(', '))
    const params: unknown[] = new Array(perStatement * nCols)
    let r = 0
    for (; r + perStatement <= nRows; r += perStatement) {
      let p = 0
      for (let i = r; i < r + perStatement; i++) for (let c = 0; c < nCols; c++) params[p++] = data[c][i]
      full.run(params)
    }
    const rest = nRows - r
    if (rest > 0) {
      const tail = this.raw.prepare(head + Array(rest).fill(tuple).join(', '))
      const restParams: unknown[] = []
      for (let i = r; i < nRows; i++) for (let c = 0; c < nCols; c++) restParams.push(data[c][i])
      tail.run(restParams)
    }
  }
}
