import { existsSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import type { SqlDialect } from './dialect.js'
import { makeDirectory, makeDirectoryReason } from '../support/make-directory.js'
import { NotFoundError, ValidationError } from './errors.js'
import { migrate } from './migrations.js'
import { SqliteDialect } from './sqlite/sqlite-dialect.js'

export interface OpenDatabaseOptions {
  /** postgres://… URL. When set, PostgreSQL is used. (The environment's DATABASE_URL is read at the edge: `storeLocation` in config/.) */
  readonly url?: string
  /** Directory of the embedded store; default `./.sml`. */
  readonly home?: string
  /** PostgreSQL schema to work in (tests use one each). */
  readonly schema?: string
  /** Run pending migrations (default true). */
  readonly migrate?: boolean
  /**
   * Create the store when there is none (default true). With false, a missing store (no `sml.db` under the
   * home, or a PostgreSQL schema without sml tables) throws a NotFoundError and nothing is created on disk or
   * in the database: what read-only commands want.
   */
  readonly create?: boolean
  /**
   * SQLite page cache of this connection, KiB (`PRAGMA cache_size = -N`); default better-sqlite3's 16,000.
   * A connection that only appends (the request-log writer) needs little; ignored on PostgreSQL.
   */
  readonly cacheKiB?: number
}

/** The directory holding the embedded store, caches and artifacts: `home` (the configuration's SML_HOME), default `./.sml`. */
export function smlHome(home?: string): string {
  return resolve(home ?? '.sml')
}

/**
 * The one place that chooses a database: PostgreSQL when a URL is given, else the SQLite file under `home`.
 * It reads no environment: the caller passes the configuration's store (`Config.store`, `storeLocation()`).
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<SqlDialect> {
  const url = options.url
  const create = options.create !== false
  let dialect: SqlDialect
  let where: string
  if (url) {
    // Loaded lazily so the embedded path never loads the pg driver.
    const { PostgresDialect } = await import('./postgres/postgres-dialect.js')
    const schema = options.schema
    const pgDialect = new PostgresDialect({ connectionString: url, schema })
    if (create) await pgDialect.init()
    dialect = pgDialect
    where = describePostgres(url, schema)
  } else {
    const home = smlHome(options.home)
    const filename = join(home, 'sml.db')
    where = describePath(home)
    if (!create && !existsSync(filename)) throw noStore(where)
    if (create) {
      try {
        makeDirectory(home)
      } catch (e) {
        const reason = makeDirectoryReason(e)
        if (!reason) throw e
        const path = (e as NodeJS.ErrnoException).path ?? home
        throw new ValidationError(`cannot create ${path} (the store's folder, SML_HOME): ${reason}`, [{ path: 'SML_HOME', reason }], { cause: e })
      }
    }
    dialect = new SqliteDialect({ filename, cacheKiB: options.cacheKiB })
  }
  // A database without our bookkeeping table (an empty file, a schema another program uses) is no store either.
  if (!create && (await dialect.listColumns('sml_migrations')).length === 0) {
    await dialect.close()
    throw noStore(where)
  }
  if (options.migrate !== false) {
    try {
      await migrate(dialect)
    } catch (e) {
      await dialect.close()
      throw e
    }
  }
  return dialect
}

function noStore(where: string): NotFoundError {
  return new NotFoundError(`no store at ${where} — run sml start, or set SML_HOME / DATABASE_URL`)
}

/** The home as the user would type it: `./.sml` under the working directory, else absolute. */
function describePath(home: string): string {
  const rel = relative(process.cwd(), home)
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? home : `./${rel}`
}

/** The URL without its password (an error message may end up in a log), plus the schema when one is set. */
function describePostgres(url: string, schema: string | undefined): string {
  let shown = url
  try {
    const u = new URL(url)
    u.password = ''
    shown = u.href
  } catch {
    shown = 'DATABASE_URL'
  }
  return schema ? `${shown} (schema ${schema})` : shown
}
