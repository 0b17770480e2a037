import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { SqlDialect } from './dialect.js'
import { migrate } from './migrations.js'
import { SqliteDialect } from './sqlite/sqlite-dialect.js'

export interface OpenDatabaseOptions {
  /** postgres://… URL; default `DATABASE_URL`. When set, PostgreSQL is used. */
  readonly url?: string
  /** Directory of the embedded store; default `SML_HOME` or `./.sml`. */
  readonly home?: string
  /** PostgreSQL schema to work in (tests use one each). */
  readonly schema?: string
  /** Run pending migrations (default true). */
  readonly migrate?: boolean
}

/** The directory holding the embedded store, caches and artifacts. */
export function smlHome(home?: string): string {
  return resolve(home ?? process.env.SML_HOME ?? '.sml')
}

/** The one place that chooses a database: PostgreSQL when a URL is given, else the SQLite file under SML_HOME. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<SqlDialect> {
  const url = options.url ?? (options.home === undefined ? process.env.DATABASE_URL : undefined)
  let dialect: SqlDialect
  if (url) {
    // Loaded lazily so the embedded path never loads the pg driver.
    const { PostgresDialect } = await import('./postgres/postgres-dialect.js')
    const pgDialect = new PostgresDialect({ connectionString: url, schema: options.schema ?? process.env.SML_PG_SCHEMA })
    await pgDialect.init()
    dialect = pgDialect
  } else {
    const home = smlHome(options.home)
    mkdirSync(home, { recursive: true })
    dialect = new SqliteDialect({ filename: join(home, 'sml.db') })
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
