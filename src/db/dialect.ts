import type { CompiledQuery, Expression, Kysely, SqlBool } from 'kysely'
import type { ColumnType } from './column-types.js'

/** What differs between databases, asked by flag instead of by name. */
export interface DialectCapabilities {
  /** Several processes may write at the same time without serialising on one file lock. */
  readonly concurrentWriters: boolean
  /** Schedules can be coordinated through the database by a job queue (pg-boss). */
  readonly jobQueue: boolean
  /**
   * The driver runs statements synchronously on the calling thread (better-sqlite3), so a write blocks the
   * event loop for its whole duration; a server keeps such writes on a thread of their own.
   */
  readonly blockingDriver: boolean
}

/** Where a store lives, as `openDatabase` takes it: enough for another thread or process to open the same store. */
export interface StoreLocation {
  /** postgres://… URL (PostgreSQL). */
  readonly url?: string
  /** PostgreSQL schema. */
  readonly schema?: string
  /** Directory holding `sml.db` (SQLite). */
  readonly home?: string
}

/** One SQL database behind the single interface every layer above db/ uses. */
export interface SqlDialect {
  /** For display (CLI, dashboard); never branch on it, ask `capabilities`. */
  readonly displayName: string
  readonly capabilities: DialectCapabilities
  /** How to open this same store from another thread or process. */
  readonly location: StoreLocation
  /** Query builder for statements outside an explicit transaction. */
  readonly kysely: Kysely<any>
  /** SQL type for a feature column of the given type. */
  sqlType(type: ColumnType): string
  /** SQL type of a column holding raw bytes (model artifacts); read back as a Buffer. */
  readonly binaryType: string
  /** Appended to CREATE TABLE to store rows in primary-key order (SQLite: WITHOUT ROWID); empty where tables are heaps. */
  readonly clusteredTableSuffix: string
  /** SQL for an auto-increment integer primary key column's type and constraint. */
  readonly autoIdColumn: string
  /** Converts a JS value of a column type to what the driver binds (booleans, dates). */
  encode(type: ColumnType, value: unknown): unknown
  /** Converts a driver value back to the JS value of the column type. */
  decode(type: ColumnType, value: unknown): unknown
  /** Runs fn in one write transaction; other writers wait (busy timeout / row locks), never interleave. */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>
  /** Like transaction, but also holds the cross-process migration lock. */
  withMigrationLock<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>
  /**
   * Makes every text column of the given tables compare and sort by code point (binary), as SQLite's always
   * do, whatever the database's default collation: string order, min/max and key-ordered reads are then the
   * same on every database. Idempotent; missing tables are skipped. `db` is a transaction's (a migration's)
   * query builder.
   */
  makeTextBinary(db: Kysely<any>, tables: readonly string[]): Promise<void>
  /** Column names of a table, in order; empty when the table does not exist. */
  listColumns(table: string): Promise<string[]>
  /** The store's tables, oldest first (parents before the tables whose foreign keys point at them). */
  listTables(): Promise<string[]>
  /** A table's primary-key columns, in key order. */
  primaryKey(table: string): Promise<string[]>
  /** After rows were inserted with explicit auto-increment ids (an import), makes the next generated id follow them. */
  syncAutoIds(tx: SqlTransaction, table: string): Promise<void>
  /** Streams a query's rows as arrays (no row objects), for reading training data into typed arrays. */
  queryArrays(query: CompiledQuery, onRow: (row: unknown[]) => void): Promise<void>
  /**
   * Reads query slices into typed arrays, concatenated in slice order. The slices of one logical query
   * (consecutive parts of a deterministic, ordered read) may run in parallel where the dialect can. With
   * `fill` (two slices, the second in reverse order), numeric columns are filled in place (ColumnFill).
   */
  queryColumns(slices: readonly CompiledQuery[], kinds: readonly ColumnKind[], fill?: ColumnFill): Promise<ColumnarResult>
  /**
   * Reads one unordered query over `table` in `parts` slices split by where the table's rows lie in storage,
   * read side by side in one snapshot of the database, so together they return each row the query sees
   * exactly once even as commits land meanwhile (a commit may move a row's stored version from one slice's
   * range to another's; read in two snapshots it would be seen twice or not at all). `slice(range)` builds
   * the query with `range` added to its WHERE. Rows come in storage order, slice after slice.
   * Absent where tables are stored in key order (SQLite: a key-range split reads each row once already).
   * PostgreSQL: page ranges, each a TID range scan, in transactions sharing an exported snapshot.
   */
  /**
   * Runs a read whose work is heavy and whose result is small (statistics of a whole table) on another
   * thread with a connection of its own, returning its rows as arrays of the driver's values, so the calling
   * thread (a server's event loop) goes on meanwhile. Reads committed data only (never a transaction's own
   * writes). Absent where queries already wait on the network rather than the calling thread (PostgreSQL).
   */
  queryRowsOffThread?(query: CompiledQuery): Promise<unknown[][]>
  queryColumnsByStorage?(
    table: string,
    slice: (range: Expression<SqlBool>) => CompiledQuery,
    kinds: readonly ColumnKind[],
    parts: number,
  ): Promise<ColumnarResult>
  close(): Promise<void>
}

/** How a column arrives in a columnar read: numbers (null → NaN, booleans 0/1) or text. */
export type ColumnKind = 'number' | 'string'

export interface ColumnarResult {
  readonly nRows: number
  readonly columns: (Float64Array | (string | null)[])[]
}

/**
 * How a read of two slices fills arrays of their final size when the caller knows an upper bound of its rows
 * (an as-of read: the rows its commits wrote). The second slice's query gives its rows in the reverse of their
 * order. Numeric columns are arrays of `upTo` rows filled in place, the first slice from the first row on and
 * the second from the last row back, the gap between them closed after (fillColumn), so nothing grows, nothing
 * is concatenated, and no slice's arrays are left for the collector: a million-row read's peak memory is its
 * columns (the slices' own arrays, then their concatenation, had been ~1.5× more). Text columns are read per
 * slice and joined. More rows than `upTo` is an error.
 */
export interface ColumnFill {
  readonly upTo: number
}

/** @throws Error unless a fill comes with exactly the two slices it fills from. */
export function checkFill(slices: readonly unknown[], fill: ColumnFill | undefined): void {
  if (fill && slices.length !== 2) throw new Error(`columnar read: a fill needs two slices, not ${slices.length}`)
}

/**
 * A filled column (ColumnFill): rows 0 … n0 from the first slice and upTo − n1 … upTo from the second, the
 * second moved down to meet the first; the whole array when they meet already, else a view of its first
 * n0 + n1 rows (the slack stays allocated: as many rows as the upper bound overestimated).
 * @throws Error when the slices hold more than upTo rows (their rows would have overlapped).
 */
export function fillColumn(column: Float64Array, n0: number, n1: number): Float64Array {
  const upTo = column.length
  if (n0 + n1 > upTo) throw new Error(`columnar read: ${n0 + n1} rows, more than the ${upTo} at most expected`)
  if (n0 + n1 === upTo) return column
  column.copyWithin(n0, upTo - n1, upTo)
  return column.subarray(0, n0 + n1)
}

export interface SqlTransaction {
  readonly kysely: Kysely<any>
  /**
   * Takes the named lock and holds it until this transaction commits or rolls back: transactions naming the
   * same lock run from that point one after another. Taken before allocating an id that readers use as a
   * cursor, it makes ids become visible in the order they were allocated. A no-op where every write
   * transaction already excludes every other (SQLite's BEGIN IMMEDIATE).
   */
  lockUntilEnd(name: string): Promise<void>
  /**
   * Brings the query planner's statistics of a table up to date after a bulk write, within this transaction
   * (PostgreSQL: ANALYZE, which samples ~30,000 rows; a no-op on SQLite, whose reads follow the clustered key).
   * Without it a table filled by one large commit is planned as nearly empty until autovacuum gets to it: a
   * key-ordered read of a million rows then sorts on disk instead of walking the primary-key index.
   */
  refreshStatistics(table: string): Promise<void>
  /**
   * Gathers a table's planner statistics if it has none yet and is past a few pages (PostgreSQL: ANALYZE
   * when pg_statistic has no row for it; a no-op on SQLite). Autovacuum keeps them fresh afterwards, but
   * until its first round (up to a minute; never where it is off) the planner takes `_superseded_by IS NULL`
   * to hold for 0.5 % of rows, and plans each commit's check for superseded versions as a scan of the whole
   * table (measured: 0.47 s for a 2,000-row commit into 160k rows, against ~2 ms once analyzed), so a
   * table fed by many small commits — the request log — would slow down as it grows.
   */
  gatherMissingStatistics(table: string): Promise<void>
  /** Bulk insert of already-encoded values given column by column: data[c][r] is row r of column c. */
  insertColumns(table: string, columns: readonly string[], data: readonly ArrayLike<unknown>[], nRows: number): Promise<void>
  queryArrays(query: CompiledQuery, onRow: (row: unknown[]) => void): Promise<void>
}
