import { existsSync, rmdirSync, rmSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import type { SqlDialect } from './dialect.js'
import { makeDirectory, makeDirectoryReason } from '../support/make-directory.js'
import { SmlError, type IssueInput } from '../errors/index.js'
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

/** True when the embedded store under `home` (default `./.sml`) has its database file. */
export function embeddedStoreExists(home?: string): boolean {
  return existsSync(join(smlHome(home), 'sml.db'))
}

/**
 * Deletes the embedded store under `home`: its database file with SQLite's -wal/-shm companions, then the
 * folder if nothing else is in it. For a command that created a store and failed before it held anything
 * (`sml import` of a file that turns out to be broken), so the failure leaves no empty store behind.
 */
export function removeEmbeddedStore(home?: string): void {
  const dir = smlHome(home)
  for (const f of ['sml.db', 'sml.db-wal', 'sml.db-shm']) rmSync(join(dir, f), { force: true })
  try {
    rmdirSync(dir)
  } catch {
    // not empty (artifacts, caches of a store that was there before): left as it is
  }
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
    where = describePostgres(url, schema)
    if (create) await pgDialect.init().catch(async (e) => {
      await pgDialect.close().catch(() => {})
      throw unavailable(e, where)
    })
    dialect = pgDialect
  } else {
    const home = smlHome(options.home)
    const filename = join(home, 'sml.db')
    where = describePath(home)
    // a file where the store's folder should be: said as the write path says it, not "no store"
    if (!create && existsSync(home) && !statSync(home).isDirectory())
      throw new ValidationError(`cannot open ${where} (the store's folder, SML_HOME): a file is in the way`, [{ path: 'SML_HOME', reason: 'a file is in the way' }])
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
    try {
      dialect = new SqliteDialect({ filename, cacheKiB: options.cacheKiB })
    } catch (e) {
      throw unavailable(e, where)
    }
  }
  try {
    // The first query: it reaches the server or reads the file now, so a store that cannot be opened fails
    // here, in one line, rather than in whatever the caller does first. A database without our bookkeeping
    // table (an empty file, a schema another program uses) is no store either.
    const isStore = (await dialect.listColumns('sml_migrations')).length > 0
    if (!create && !isStore) throw noStore(where)
    if (options.migrate !== false) await migrate(dialect)
  } catch (e) {
    await dialect.close().catch(() => {})
    throw unavailable(e, where)
  }
  return dialect
}

/**
 * The reasons a store cannot be reached or opened that are the setting's or the server's, not a bug: the
 * driver's error codes (Node's socket errors; PostgreSQL SQLSTATEs; SQLite result codes), in words.
 */
const UNAVAILABLE: Record<string, string> = {
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be looked up',
  ECONNREFUSED: 'nothing accepts connections there (is PostgreSQL running, on that port?)',
  ECONNRESET: 'the server closed the connection',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  '3D000': 'the database does not exist (createdb it first)',
  '28P01': 'the password was refused',
  '28000': 'the server refused this user (pg_hba.conf, or no such role)',
  '3F000': 'the schema does not exist',
  '42501': 'this user lacks the privileges the store needs',
  '53300': 'the server has no free connections',
  '57P03': 'the server is starting up or shutting down',
  SQLITE_NOTADB: 'sml.db is not a SQLite database',
  SQLITE_CORRUPT: 'sml.db is damaged (restore it from an export)',
  SQLITE_CANTOPEN: 'sml.db cannot be opened (permissions?)',
  SQLITE_READONLY: 'sml.db is read-only for this user',
  SQLITE_PERM: 'sml.db cannot be opened (permission denied)',
  SQLITE_IOERR: 'reading sml.db failed (disk error)',
  SQLITE_FULL: 'the disk is full',
}

/** pg's connection failures that carry no code, by their message. */
const UNAVAILABLE_MESSAGES: [RegExp, string][] = [
  [/does not support SSL/i, 'the server does not accept SSL connections (drop sslmode / ssl from the URL)'],
  [/Connection terminated unexpectedly|Connection terminated due to connection timeout|timeout expired/i, 'the connection was closed or timed out before the server answered (a firewall, or not a PostgreSQL server there?)'],
  [/self[- ]signed certificate|unable to verify the first certificate|certificate/i, "the server's TLS certificate was refused (sslmode, or the CA)"],
]

/** An error opening the store, as one line naming the store and the reason when it is one of those; else as it is. */
function unavailable(e: unknown, where: string): unknown {
  if (e instanceof SmlError) return e
  const code = String((e as { code?: unknown }).code ?? '')
  const message = String((e as Error)?.message ?? '')
  const reason = UNAVAILABLE[code] ?? (code.startsWith('SQLITE_IOERR') ? UNAVAILABLE.SQLITE_IOERR : undefined) ?? UNAVAILABLE_MESSAGES.find(([re]) => re.test(message))?.[1]
  if (!reason) return e
  const detail = (e as Error).message
  return new StoreUnavailableError(`cannot open the store at ${where}: ${reason} (${detail})`, [{ path: 'store', reason }], { cause: e })
}

/**
 * The store could not be reached or opened: its server is down or unknown, the database or its file is
 * missing, refused or damaged. Kind `failed`: the setting or the server is at fault, not a request.
 */
export class StoreUnavailableError extends SmlError {
  override readonly name: string = 'StoreUnavailableError'
  constructor(message: string, issues: readonly IssueInput[] = [], options?: ErrorOptions) {
    super('failed', message, issues, options)
  }
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
export function describePostgres(url: string, schema: string | undefined): string {
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
