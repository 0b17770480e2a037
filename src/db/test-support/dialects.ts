import { afterAll, beforeAll } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { SqlDialect } from '../dialect.js'
import { openDatabase } from '../open.js'

/** One database a suite runs against: a fresh SQLite file, or a fresh PostgreSQL schema. */
export interface TestDatabase {
  readonly name: 'sqlite' | 'postgres'
  /** Environment that makes a child process (`sml …`) open this same store. */
  readonly env: Record<string, string>
  open(): Promise<SqlDialect>
  drop(): Promise<void>
}

const PG_URL = process.env.DATABASE_URL

/** SQLite always; PostgreSQL when DATABASE_URL is set (narrow with SML_TEST_DIALECTS=sqlite|postgres). */
export function testDialectNames(): ('sqlite' | 'postgres')[] {
  const only = process.env.SML_TEST_DIALECTS?.split(',')
  const names: ('sqlite' | 'postgres')[] = ['sqlite']
  if (PG_URL) names.push('postgres')
  return only ? names.filter((n) => only.includes(n)) : names
}

let counter = 0

export function createTestDatabase(name: 'sqlite' | 'postgres'): TestDatabase {
  if (name === 'sqlite') {
    const home = mkdtempSync(join(tmpdir(), 'sml-test-'))
    return {
      name,
      env: { SML_HOME: home, DATABASE_URL: '' },
      open: () => openDatabase({ home }),
      drop: async () => rmSync(home, { recursive: true, force: true }),
    }
  }
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`
  return {
    name,
    env: { DATABASE_URL: PG_URL!, SML_PG_SCHEMA: schema },
    open: () => openDatabase({ url: PG_URL, schema }),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL })
      await client.connect()
      try {
        // The job queue (pg-boss) of a worker on this store lives beside it in `<schema>_boss`.
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
        await client.query(`DROP SCHEMA IF EXISTS "${schema}_boss" CASCADE`)
      } finally {
        await client.end()
      }
    },
  }
}

/**
 * A fresh PostgreSQL database (not just a schema) whose default collation is ICU's `en-US`, where
 * 'B' < 'a' < '_x' orders differently from code points: what a store must not notice. Needs DATABASE_URL.
 */
export function createIcuTestDatabase(): TestDatabase {
  const name = `sml_icu_${process.pid}_${Date.now().toString(36)}_${counter++}`
  const url = new URL(PG_URL!)
  url.pathname = `/${name}`
  let created = false
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: PG_URL })
    await client.connect()
    try {
      await client.query(text)
    } finally {
      await client.end()
    }
  }
  return {
    name: 'postgres',
    env: { DATABASE_URL: url.href },
    open: async () => {
      if (!created) {
        // PostgreSQL 15+: LOCALE_PROVIDER icu. The libc locale (LOCALE) still has to be given; C.UTF-8 keeps it neutral.
        await admin(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`)
        created = true
      }
      return openDatabase({ url: url.href })
    },
    drop: async () => {
      if (created) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    },
  }
}

/**
 * Gives the enclosing suite a fresh database: opened before its tests (then `onOpen` builds what the suite
 * needs from it), closed and dropped after them.
 */
export function useTestDatabase(name: 'sqlite' | 'postgres', onOpen: (tdb: TestDatabase, db: SqlDialect) => void | Promise<void>): void {
  let tdb: TestDatabase | undefined
  let db: SqlDialect | undefined
  beforeAll(async () => {
    tdb = createTestDatabase(name)
    db = await tdb.open()
    await onOpen(tdb, db)
  })
  afterAll(async () => {
    await db?.close()
    await tdb?.drop()
  })
}
