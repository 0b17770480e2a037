import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from './dialect.js'
import { migrate } from './migrations.js'
import { PostgresDialect } from './postgres/postgres-dialect.js'
import { createTestDatabase, testDialectNames, type TestDatabase } from './test-support/dialects.js'

describe.each(testDialectNames())('%s dialect', (name) => {
  let tdb: TestDatabase
  let db: SqlDialect
  beforeAll(async () => {
    tdb = createTestDatabase(name)
    db = await tdb.open()
    await db.transaction(async (tx) => {
      await tx.kysely.schema
        .createTable('t')
        .addColumn('id', sql.raw(db.sqlType('int')), (c) => c.primaryKey())
        .addColumn('x', sql.raw(db.sqlType('float')))
        .addColumn('s', sql.raw(db.sqlType('string')))
        .addColumn('b', sql.raw(db.sqlType('bool')))
        .addColumn('ts', sql.raw(db.sqlType('timestamp')))
        .execute()
    })
  })
  afterAll(async () => {
    await db.close()
    await tdb.drop()
  })

  it('migrations are recorded once and re-running them (even at once) changes nothing', async () => {
    const again = await Promise.all([migrate(db), migrate(db)])
    expect(again).toEqual([[], []])
    const ids = await db.kysely.selectFrom('sml_migrations').select('id').execute()
    expect(ids.map((r) => r.id)).toContain('001_feature_store')
  })

  it('bulk-inserts columns and reads them back in slices, in order, as typed arrays', async () => {
    const n = 1000
    const ids = Array.from({ length: n }, (_, i) => i)
    const xs = ids.map((i) => (i % 7 === 0 ? null : i / 4))
    const ss = ids.map((i) => (i % 5 === 0 ? null : `s${i}`))
    const bs = ids.map((i) => db.encode('bool', i % 2 === 0))
    const ts = ids.map((i) => db.encode('timestamp', new Date(i * 1000)))
    await db.transaction((tx) => tx.insertColumns('t', ['id', 'x', 's', 'b', 'ts'], [ids, xs, ss, bs, ts], n))
    const q = (limit: number, offset: number) => db.kysely.selectFrom('t').select(['x', 's', 'b', 'ts']).orderBy('id').limit(limit).offset(offset).compile()
    const kinds = ['number', 'string', 'number', 'number'] as const
    const whole = await db.queryColumns([q(n, 0)], kinds)
    const halves = await db.queryColumns([q(400, 0), q(600, 400)], kinds)
    // filled in place: the second slice in reverse order, from the end back; the gap closed after
    const backward = db.kysely.selectFrom('t').select(['x', 's', 'b', 'ts']).where('id', '>=', 400).orderBy('id', 'desc').compile()
    const exact = await db.queryColumns([q(400, 0), backward], kinds, { upTo: n })
    const bound = await db.queryColumns([q(400, 0), backward], kinds, { upTo: n + 77 })
    for (const r of [whole, halves, exact, bound]) expect(r.nRows).toBe(n)
    for (let c = 0; c < kinds.length; c++) {
      const want = Array.from(whole.columns[c] as ArrayLike<unknown>)
      for (const r of [halves, exact, bound]) expect(Array.from(r.columns[c] as ArrayLike<unknown>)).toEqual(want)
    }
    // a slice that is not there is as good as an empty one
    const none = db.kysely.selectFrom('t').select(['x', 's', 'b', 'ts']).where('id', '<', 0).orderBy('id', 'desc').compile()
    const one = await db.queryColumns([q(n, 0), none], kinds, { upTo: n + 1 })
    expect(Array.from(one.columns[1] as ArrayLike<unknown>)).toEqual(Array.from(whole.columns[1] as ArrayLike<unknown>))
    // more rows than the bound is an error, never silently overlapping data
    await expect(db.queryColumns([q(400, 0), backward], kinds, { upTo: 900 })).rejects.toThrow(/at most/)
    await expect(db.queryColumns([q(400, 0), backward], kinds, { upTo: 300 })).rejects.toThrow(/at most/)
    const x = whole.columns[0] as Float64Array
    expect(x).toBeInstanceOf(Float64Array)
    expect(Number.isNaN(x[0])).toBe(true)
    expect(x[1]).toBe(0.25)
    expect((whole.columns[1] as (string | null)[]).slice(0, 2)).toEqual([null, 's1'])
    expect(Array.from((whole.columns[2] as Float64Array).subarray(0, 3))).toEqual([1, 0, 1])
    expect((whole.columns[3] as Float64Array)[3]).toBe(3000)
    const row = await db.kysely.selectFrom('t').selectAll().where('id', '=', 2).executeTakeFirstOrThrow()
    expect(db.decode('bool', row.b)).toBe(true)
    expect(db.decode('timestamp', row.ts)).toEqual(new Date(2000))
  })

  it('columnar reads keep every value exactly: extremes, NaN, infinities, unicode, parameters with quotes, 200k rows', async () => {
    await db.transaction(async (tx) => {
      await tx.kysely.schema
        .createTable('cr')
        .addColumn('id', sql.raw(db.sqlType('int')), (c) => c.primaryKey())
        .addColumn('i', sql.raw(db.sqlType('int')))
        .addColumn('x', sql.raw(db.sqlType('float')))
        .addColumn('s', sql.raw(db.sqlType('string')))
        .addColumn('b', sql.raw(db.sqlType('bool')))
        .execute()
    })
    const n = 200_000
    const special = [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, -1, 2 ** 40 + 3, -(2 ** 40) - 3, 2 ** 32, -(2 ** 32), 2 ** 31]
    const floats = [NaN, Infinity, -Infinity, -0.5, 1e-300, 5e-324, Math.PI, Number.MAX_VALUE]
    const texts = ["it's", 'a"b', 'tab\there', 'åäö 日本 🚀', '', 'x'.repeat(5000), 'back\\slash\nnew\rline', '\\N', 'é'.repeat(400_000)]
    const ids = Array.from({ length: n }, (_, k) => k)
    const is = ids.map((k) => (k < special.length ? special[k] : k % 13 === 0 ? null : k * 3 - 7))
    const xs = ids.map((k) => (k < floats.length ? floats[k] : k % 11 === 0 ? null : k / 8))
    const ss = ids.map((k) => (k < texts.length ? texts[k] : k % 17 === 0 ? null : `row ${k}`))
    const bs = ids.map((k) => (k % 19 === 0 ? null : db.encode('bool', k % 3 === 0)))
    await db.transaction((tx) => tx.insertColumns('cr', ['id', 'i', 'x', 's', 'b'], [ids, is, xs, ss, bs], n))
    const q = db.kysely.selectFrom('cr').select(['i', 'x', 's', 'b']).where((eb) => eb.or([eb('s', 'is', null), eb('s', '<>', "it's")])).where('id', '>=', 0).orderBy('id').compile()
    const r = await db.queryColumns([q], ['number', 'number', 'string', 'number'])
    expect(r.nRows).toBe(n - 1)
    const [i, x, s, b] = r.columns as [Float64Array, Float64Array, (string | null)[], Float64Array]
    // row 0 ("it's") was filtered out by a quoted parameter
    const at = (k: number) => k - 1
    for (let k = 1; k < n; k++) {
      const want = is[k]
      if (want === null ? !Number.isNaN(i[at(k)]) : i[at(k)] !== want) throw new Error(`i of row ${k}: ${i[at(k)]} ≠ ${want}`)
      const wx = xs[k]
      if (wx === null ? !Number.isNaN(x[at(k)]) : !Object.is(x[at(k)], wx) && !(Number.isNaN(wx) && Number.isNaN(x[at(k)]))) throw new Error(`x of row ${k}: ${x[at(k)]} ≠ ${wx}`)
      if (s[at(k)] !== ss[k]) throw new Error(`s of row ${k}: ${s[at(k)]} ≠ ${ss[k]}`)
      const wb = k % 19 === 0 ? NaN : k % 3 === 0 ? 1 : 0
      if (!Object.is(b[at(k)], wb)) throw new Error(`b of row ${k}: ${b[at(k)]} ≠ ${wb}`)
    }
    expect(x[at(1)]).toBe(Infinity)
    expect(s[at(3)]).toBe('åäö 日本 🚀')
  })

  it('stores −0 as 0, as SQLite does', async () => {
    await db.transaction(async (tx) => {
      await tx.kysely.schema.createTable('negzero').addColumn('id', sql.raw(db.sqlType('int')), (c) => c.primaryKey()).addColumn('x', sql.raw(db.sqlType('float'))).execute()
    })
    await db.transaction((tx) => tx.insertColumns('negzero', ['id', 'x'], [[1, 2], [-0, -1.5]], 2))
    await db.transaction((tx) => tx.insertColumns('negzero', ['id', 'x'], [[3], Float64Array.of(-0)], 1))
    const r = await db.queryColumns([db.kysely.selectFrom('negzero').select('x').orderBy('id').compile()], ['number'])
    expect(Array.from(r.columns[0] as Float64Array).map((v) => Object.is(v, -0))).toEqual([false, false, false])
    expect(Array.from(r.columns[0] as Float64Array)).toEqual([0, -1.5, 0])
  })

  it('a read split by storage returns each row once, all from one snapshot, while commits move the rows', async (ctx) => {
    if (!db.queryColumnsByStorage) return ctx.skip()
    const n = 20_000
    await db.transaction(async (tx) => {
      await tx.kysely.schema.createTable('moving').addColumn('id', sql.raw(db.sqlType('int')), (c) => c.primaryKey()).addColumn('gen', sql.raw(db.sqlType('int'))).execute()
      const ids = Array.from({ length: n }, (_, i) => i)
      await tx.insertColumns('moving', ['id', 'gen'], [ids, ids.map(() => 0)], n)
    })
    // Each commit writes a new version of every row (into other pages): two slices reading two snapshots would
    // see a row twice or not at all, or rows of two generations.
    let writing = true
    let commits = 0
    const writer = (async () => {
      while (writing) {
        await db.kysely.updateTable('moving').set({ gen: sql`gen + 1` }).execute()
        commits++
      }
    })()
    try {
      for (let round = 0; round < 12; round++) {
        const parts = 2 + (round % 3)
        const r = await db.queryColumnsByStorage('moving', (range) => db.kysely.selectFrom('moving').select(['id', 'gen']).where(range).compile(), ['number', 'number'], parts)
        expect(r.nRows).toBe(n)
        const ids = Array.from(r.columns[0] as Float64Array).sort((a, b) => a - b)
        expect(ids.every((id, i) => id === i)).toBe(true)
        expect(new Set(r.columns[1] as Float64Array).size).toBe(1)
      }
    } finally {
      writing = false
      await writer
    }
    expect(commits).toBeGreaterThan(0)
  }, 60_000)

  it('a columnar read that fails midway rejects with the database error, and the next read works', async () => {
    // An error raised at row 500 of 1,000, after the earlier rows were sent (SQLite divides by zero quietly, so it fails on bad JSON).
    await db.transaction(async (tx) => {
      await tx.kysely.schema.createTable('fails').addColumn('id', sql.raw(db.sqlType('int')), (c) => c.primaryKey()).execute()
      await tx.insertColumns('fails', ['id'], [Array.from({ length: 1000 }, (_, i) => i)], 1000)
    })
    const failing = name === 'postgres' ? sql<number>`1000 / (id - 500)` : sql<number>`CASE WHEN id = 500 THEN json('not json') ELSE id END`
    const q = db.kysely.selectFrom('fails').select(failing.as('x')).orderBy('id').compile()
    await expect(db.queryColumns([q], ['number'])).rejects.toThrow(/division by zero|malformed JSON/)
    const again = await db.queryColumns([db.kysely.selectFrom('fails').select('id').orderBy('id').compile()], ['number'])
    expect(again.nRows).toBe(1000)
    expect((again.columns[0] as Float64Array)[999]).toBe(999)
  })

  it('a columnar read on PostgreSQL plans no parallel workers and gives its connection back to the pool as it was', async (ctx) => {
    if (name !== 'postgres') return ctx.skip()
    // One connection, so the read and the checks around it share it.
    const one = new PostgresDialect({ connectionString: process.env.DATABASE_URL!, maxConnections: 1 })
    try {
      const workers = sql<number>`current_setting('max_parallel_workers_per_gather')::int`
      const before = (await sql<{ w: number }>`select ${workers} as w`.execute(one.kysely)).rows[0].w
      expect(before).toBeGreaterThan(0)
      const during = await one.queryColumns([one.kysely.selectNoFrom(workers.as('w')).compile()], ['number'])
      expect(Array.from(during.columns[0] as Float64Array)).toEqual([0])
      const after = (await sql<{ w: number }>`select ${workers} as w`.execute(one.kysely)).rows[0].w
      expect(after).toBe(before)
    } finally {
      await one.close()
    }
  })

  it('a PostgreSQL store refuses a schema name it could not both create and search (folded to lowercase, unquoted)', (ctx) => {
    if (name !== 'postgres') return ctx.skip()
    for (const schema of ['Mixed', 'bad-schema;drop', 'x'.repeat(59), 'pg_trial'])
      expect(() => new PostgresDialect({ connectionString: process.env.DATABASE_URL!, schema })).toThrow(new RegExp(`^PostgreSQL schema "${schema.slice(0, 8)}.*must (be|not)`))
  })

  it('an SQLite read off the calling thread gives the rows the same query gives on it, while the event loop runs on', async (ctx) => {
    if (!db.queryRowsOffThread) return ctx.skip() // PostgreSQL's queries wait on the network, not the calling thread
    const q = sql<{ n: number; s: string | null }>`select count(*) as n, max(s) as s, ${"it's"} as p from t where id > ${0}`.compile(db.kysely)
    const inThread = (await db.kysely.executeQuery(q)).rows.map((r) => Object.values(r as object))
    expect(await db.queryRowsOffThread(q)).toEqual(inThread)
    // a query of ~0.3 s: timers fire while it runs (on this thread it would hold them until it ended)
    const slow = sql`with recursive c(i) as (select 1 union all select i + 1 from c where i < 3000000) select count(*), sum(i) from c`.compile(db.kysely)
    let ticks = 0
    const timer = setInterval(() => ticks++, 5)
    try {
      expect(await db.queryRowsOffThread(slow)).toEqual([[3_000_000, 4_500_001_500_000]])
    } finally {
      clearInterval(timer)
    }
    expect(ticks).toBeGreaterThan(3)
    await expect(db.queryRowsOffThread(sql`select nope from t`.compile(db.kysely))).rejects.toThrow(/no such column: nope/)
  })

  it('rolls a failed transaction back whole', async () => {
    const before = await db.kysely.selectFrom('t').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()
    await expect(
      db.transaction(async (tx) => {
        await tx.insertColumns('t', ['id'], [[5000]], 1)
        await tx.insertColumns('t', ['id'], [[0]], 1) // duplicate key
      }),
    ).rejects.toThrow()
    const after = await db.kysely.selectFrom('t').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  it('lists a table’s columns and none for a missing table', async () => {
    expect(await db.listColumns('t')).toEqual(['id', 'x', 's', 'b', 'ts'])
    expect(await db.listColumns('nope')).toEqual([])
  })

  it('lists tables oldest first with their primary keys', async () => {
    const tables = await db.listTables()
    expect(tables.indexOf('sml_feature_groups')).toBeLessThan(tables.indexOf('sml_commits'))
    expect(tables.indexOf('sml_runs')).toBeLessThan(tables.indexOf('sml_run_logs'))
    expect(tables).toContain('t')
    expect(await db.primaryKey('t')).toEqual(['id'])
    expect(await db.primaryKey('sml_model_artifacts')).toEqual(['model_id', 'file'])
  })

  it('a batch with values of another kind than their column (PostgreSQL copies it as text, not binary) is stored as a typed one is', async () => {
    await db.transaction(async (tx) => {
      await tx.kysely.schema.createTable('kinds').addColumn('id', sql.raw(db.sqlType('int')), (c) => c.primaryKey()).addColumn('x', sql.raw(db.sqlType('float'))).addColumn('s', sql.raw(db.sqlType('string'))).execute()
    })
    await db.transaction((tx) => tx.insertColumns('kinds', ['id', 'x', 's'], [[1, 2], Float64Array.of(0.5, -3), ['a', null]], 2))
    await db.transaction((tx) => tx.insertColumns('kinds', ['id', 'x', 's'], [[3n, 4], [null, 7], ['b', 'c']], 2))
    // '5' and '6.25' are text where the columns hold numbers: the database parses them
    await db.transaction((tx) => tx.insertColumns('kinds', ['id', 'x', 's'], [['5', 6], ['6.25', 1], ['d', 'e']], 2))
    const rows = await db.kysely.selectFrom('kinds').selectAll().orderBy('id').execute()
    expect(rows.map((r) => [Number(r.id), r.x === null ? null : Number(r.x), r.s])).toEqual([
      [1, 0.5, 'a'],
      [2, -3, null],
      [3, null, 'b'],
      [4, 7, 'c'],
      [5, 6.25, 'd'],
      [6, 1, 'e'],
    ])
  })

  it('bulk-inserts text with escapes, bytes and nulls unchanged, and new ids follow explicit ones once synced', async () => {
    const text = ['tab\there', 'line\nbreak\r\n', 'back\\slash \\N', '\\x00', '', 'ünïcødé ✓']
    await db.transaction(async (tx) => {
      await tx.kysely.schema.createTable('esc').addColumn('id', sql.raw(db.sqlType('int')), (c) => c.primaryKey()).addColumn('s', sql.raw(db.sqlType('string'))).addColumn('bin', sql.raw(db.binaryType)).execute()
    })
    const bins = text.map((_, i) => (i === 2 ? null : Buffer.from([0, 92, 9, 10, 255, i])))
    await db.transaction((tx) => tx.insertColumns('esc', ['id', 's', 'bin'], [text.map((_, i) => i), text, bins], text.length))
    await db.transaction((tx) => tx.insertColumns('esc', ['id', 's'], [[99], [null]], 1))
    const rows = await db.kysely.selectFrom('esc').selectAll().orderBy('id').execute()
    expect(rows.map((r) => r.s)).toEqual([...text, null])
    expect(rows.map((r) => (r.bin === null ? null : Buffer.from(r.bin)))).toEqual([...bins, null])

    await db.transaction(async (tx) => {
      await tx.kysely.insertInto('sml_model_names').values({ name: 'm', last_version: 1 }).execute()
      await tx.kysely.insertInto('sml_models').values({ id: 41, name: 'm', version: 1, description: '', metrics: '{}', created_at: 0 }).execute()
      await db.syncAutoIds(tx, 'sml_models')
    })
    const { id } = await db.kysely.insertInto('sml_models').values({ name: 'm', version: 2, description: '', metrics: '{}', created_at: 0 }).returning('id').executeTakeFirstOrThrow()
    expect(Number(id)).toBe(42)
  })
})
