import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { NotFoundError } from './errors.js'
import { openDatabase } from './open.js'

describe('openDatabase({ create: false }) on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sml-open-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('refuses a home that does not exist and creates nothing', async () => {
    const home = join(dir, 'absent', '.sml')
    const e = await openDatabase({ home, create: false }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(NotFoundError)
    expect((e as Error).message).toBe(`no store at ${home} — run sml start, or set SML_HOME / DATABASE_URL`)
    expect(existsSync(join(dir, 'absent'))).toBe(false)
  })

  it('says a file is in the way where the home should be a folder, on reads as on writes', async () => {
    const home = join(dir, 'a-file')
    writeFileSync(home, 'not a folder')
    await expect(openDatabase({ home, create: false })).rejects.toThrow(`cannot open ${home} (the store's folder, SML_HOME): a file is in the way`)
    await expect(openDatabase({ home })).rejects.toThrow(/a file is in the way/)
  })

  it('refuses an empty sml.db (no sml tables), opens a store once created', async () => {
    const home = join(dir, 'empty')
    mkdirSync(home)
    writeFileSync(join(home, 'sml.db'), '')
    await expect(openDatabase({ home, create: false })).rejects.toThrow(/^no store at /)
    await (await openDatabase({ home })).close()
    const db = await openDatabase({ home, create: false })
    expect(await db.listColumns('sml_migrations')).not.toEqual([])
    await db.close()
  })
})

describe('openDatabase({ cacheKiB }) on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sml-open-cache-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("sets this connection's page cache, and leaves better-sqlite3's 16,000 KiB default otherwise", async () => {
    const cacheSize = async (db: Awaited<ReturnType<typeof openDatabase>>) => (await sql<{ cache_size: number }>`PRAGMA cache_size`.execute(db.kysely)).rows[0].cache_size
    const small = await openDatabase({ home: dir, cacheKiB: 2_000 })
    const plain = await openDatabase({ home: dir })
    try {
      expect(await cacheSize(small)).toBe(-2_000)
      expect(await cacheSize(plain)).toBe(-16_000)
    } finally {
      await small.close()
      await plain.close()
    }
  })
})

describe.runIf(process.env.DATABASE_URL)('openDatabase({ create: false }) on PostgreSQL', () => {
  const url = process.env.DATABASE_URL!
  const schema = `t_open_${process.pid}_${Date.now().toString(36)}`
  const admin = async (text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return await client.query(text, values)
    } finally {
      await client.end()
    }
  }
  afterAll(() => admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))

  it('refuses a schema that does not exist and does not create it', async () => {
    await expect(openDatabase({ url, schema, create: false })).rejects.toThrow(new RegExp(`^no store at postgres://.* \\(schema ${schema}\\) — run sml start`))
    expect((await admin('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount).toBe(0)
  })

  it('refuses a schema without sml tables, opens it once migrated', async () => {
    await admin(`CREATE SCHEMA "${schema}"`)
    await expect(openDatabase({ url, schema, create: false })).rejects.toBeInstanceOf(NotFoundError)
    await (await openDatabase({ url, schema })).close()
    await (await openDatabase({ url, schema, create: false })).close()
  })
})
