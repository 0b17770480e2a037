import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { ValidationError, type SqlDialect } from '../db/index.js'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from './feature-store.js'
import type { FeatureSpec } from './types.js'
import { MAX_FEATURE_COLUMNS } from './validate.js'

const schema: FeatureSpec[] = [
  { name: 'id', type: 'int' },
  { name: 'ts', type: 'timestamp' },
  { name: 'x', type: 'float' },
  { name: 'kind', type: 'string' },
  { name: 'flag', type: 'bool' },
]
const t0 = new Date('2026-01-01T00:00:00Z')
const row = (id: number, x: number, kind = 'a', flag = true, ts = t0) => ({ id, ts, x, kind, flag })

describe.each(testDialectNames())('feature group on %s', (dialect) => {
  let tdb: TestDatabase
  let fs: FeatureStore
  let db: SqlDialect
  beforeAll(async () => {
    tdb = createTestDatabase(dialect)
    db = await tdb.open()
    fs = new FeatureStore(db)
  })
  afterAll(async () => {
    await fs.close()
    await tdb.drop()
  })

  it('inserts validated rows as one commit and reads them back typed, ordered by key', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'basic', primaryKey: ['id'], eventTime: 'ts', schema })
    const c = await fg.insert([row(2, 2.5, 'b', false), row(1, 1.5)])
    expect(c.rowsAdded).toBe(2)
    expect(c.rowsUpdated).toBe(0)
    const rows = await fg.read()
    expect(rows).toEqual([row(1, 1.5), row(2, 2.5, 'b', false)])
    expect(rows[0].ts).toBeInstanceOf(Date)
  })

  it('upserts by primary key and keeps every commit readable as of that commit', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'upsert', primaryKey: ['id'], eventTime: 'ts', schema })
    const c1 = await fg.insert([row(1, 1), row(2, 2)])
    const c2 = await fg.insert([row(2, 20), row(3, 30)])
    expect([c2.rowsAdded, c2.rowsUpdated]).toEqual([1, 1])
    expect((await fg.read()).map((r) => r.x)).toEqual([1, 20, 30])
    expect((await fg.read({ asOf: c1.id })).map((r) => r.x)).toEqual([1, 2])
    expect((await fg.read({ history: true })).map((r) => r.x)).toEqual([1, 2, 20, 30])
    expect((await fg.read({ sinceCommit: c1.id })).map((r) => r.id)).toEqual([2, 3])
    expect(await fg.count()).toBe(3)
    expect((await fg.commits()).map((c) => c.id)).toEqual([c1.id, c2.id])
  })

  it('inserts columns (typed arrays, NaN as null) as one commit, upserting like rows', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'columnar', primaryKey: ['id'], eventTime: 'ts', schema, expectations: [{ column: 'x', max: 100 }] })
    const t = t0.getTime()
    const c1 = await fg.insertColumns({ id: Float64Array.of(2, 1), ts: Float64Array.of(t, t), x: Float64Array.of(2.5, NaN), kind: ['b', null], flag: [false, true] }, 2)
    expect([c1.rowsAdded, c1.rowsUpdated, c1.warnings]).toEqual([2, 0, []])
    expect(await fg.read()).toEqual([{ ...row(1, 0), x: null, kind: null }, row(2, 2.5, 'b', false)])
    // an upsert of key 2, timestamps as Dates, a lenient expectation broken: a warning, not an error
    const c2 = await fg.insertColumns({ id: [2, 3], ts: [t0, t0], x: [200, 3], kind: ['c', 'd'], flag: [true, null] }, 2)
    expect([c2.rowsAdded, c2.rowsUpdated]).toEqual([1, 1])
    expect(c2.warnings).toEqual(['x: 1 row breaks value ≤ 100 (rows 1)'])
    expect((await fg.read()).map((r) => [r.id, r.x, r.flag])).toEqual([
      [1, null, true],
      [2, 200, true],
      [3, 3, null],
    ])
  })

  it('infers the schema from the first columnar insert when none was given', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'columnar_infer', primaryKey: ['id'] })
    await fg.insertColumns({ id: [1, 2], x: Float64Array.of(0.5, NaN), kind: ['a', 'b'] }, 2)
    expect(fg.schema.map((f) => [f.name, f.type])).toEqual([
      ['id', 'int'],
      ['x', 'float'],
      ['kind', 'string'],
    ])
    expect(await fg.read()).toEqual([
      { id: 1, x: 0.5, kind: 'a' },
      { id: 2, x: null, kind: 'b' },
    ])
  })

  it('refuses a bad columnar batch whole, naming the row and column as for rows', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'columnar_bad', primaryKey: ['id'], eventTime: 'ts', schema })
    const t = t0.getTime()
    const good = { id: Float64Array.of(1, 2), ts: Float64Array.of(t, t), x: Float64Array.of(1, 2), kind: ['a', 'b'], flag: [true, false] }
    const issues = async (columns: Record<string, unknown>, n = 2) => {
      const e = await fg.insertColumns(columns as never, n).catch((err: unknown) => err)
      expect(e).toBeInstanceOf(ValidationError)
      return (e as ValidationError).issues.map((i) => `${i.path}: ${i.reason}`)
    }
    expect(await issues({ ...good, x: Float64Array.of(1, Infinity) })).toEqual(['row 2.x: Infinity is not a finite number (use null for a missing value)'])
    expect(await issues({ ...good, id: Float64Array.of(1, 1.5) })).toEqual(['row 2.id: expected an integer, got 1.5'])
    expect(await issues({ ...good, id: Float64Array.of(1, NaN) })).toEqual(['row 2.id: missing value in a column that cannot be null'])
    expect(await issues({ ...good, ts: Float64Array.of(t, t + 0.5) })).toEqual([`row 2.ts: epoch ms must be a whole number within ±8640000000000000 (a JavaScript Date), got ${t + 0.5}`])
    expect(await issues({ ...good, id: Float64Array.of(1, 1) })).toEqual(['row 2.id: duplicate primary key 1 (also in row 1)'])
    expect(await issues({ ...good, kind: ['a', 7] })).toEqual(['row 2.kind: expected text, got 7'])
    // PostgreSQL cannot store it (it failed the commit with a driver stack trace and left the group created): refused alike on both
    expect(await issues({ ...good, kind: ['a', 'b\u0000c'] })).toEqual(['row 2.kind: text contains a NUL character (U+0000), which PostgreSQL cannot store'])
    const rowsIssue = await fg.insert([row(1, 1, 'ok'), row(2, 2, 'x\u0000')]).catch((e: ValidationError) => e.issues.map((i) => `${i.path}: ${i.reason}`))
    expect(rowsIssue).toEqual(['row 2.kind: text contains a NUL character (U+0000), which PostgreSQL cannot store'])
    expect(await issues({ ...good, kind: ['a'] })).toEqual(['kind: has 1 value, not 2'])
    expect(await issues({ ...good, kind: ['a', 'b', 'c'] })).toEqual(['kind: has 3 values, not 2'])
    expect(await issues({ ...good, extra: [1, 2] })).toEqual(['extra: unknown column (not in the feature group schema)'])
    const { id: _, ...noId } = good
    expect(await issues(noId)).toEqual(['id: missing column: an insert must give every column of the feature group schema (null for a missing value)'])
    // a nullable column too: leaving it out would blank the stored rows' values of it
    const { x: _x, ...noX } = good
    expect(await issues(noX)).toEqual(['x: missing column: an insert must give every column of the feature group schema (null for a missing value)'])
    expect(await issues(good, 0)).toEqual(['nRows: expected a positive whole number of rows, got 0'])
    expect(await issues(good, { source: 'x' } as never)).toEqual(['nRows: expected a positive whole number of rows, got an object (the arguments are columns, nRows, options)'])
    expect(await fg.count()).toBe(0)
    expect(await fg.commits()).toEqual([])
  })

  it('refuses a row that leaves out a schema column, so an update never blanks the stored row (null must be given)', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'partial_rows', primaryKey: ['id'], eventTime: 'ts', schema })
    await fg.insert([row(1, 1.5, 'a', true)])
    const missing = 'missing column: an insert must give every column of the feature group schema (null for a missing value)'
    const e = (await fg.insert([{ id: 1, ts: t0, flag: false }]).catch((err: unknown) => err)) as ValidationError
    expect(e).toBeInstanceOf(ValidationError)
    expect(e.issues.map((i) => `${i.path}: ${i.reason}`)).toEqual([`row 1.x: ${missing}`, `row 1.kind: ${missing}`])
    expect(e.message).toContain('row 1, column "x": missing column')
    // undefined is not given either (JSON drops it); a new key is refused alike
    const e2 = (await fg.insert([row(1, 2), { id: 2, ts: t0, x: undefined, kind: 'b', flag: null } as never]).catch((err: unknown) => err)) as ValidationError
    expect(e2.issues.map((i) => `${i.path}: ${i.reason}`)).toEqual([`row 2.x: ${missing}`])
    expect(await fg.read()).toEqual([row(1, 1.5, 'a', true)])
    expect(await fg.commits()).toHaveLength(1)
    // an explicit null is a value: the row is replaced as given
    await fg.insert([{ id: 1, ts: t0, x: null, kind: null, flag: false }])
    expect(await fg.read()).toEqual([{ id: 1, ts: t0, x: null, kind: null, flag: false }])
  })

  it('counts every problem of a large bad batch, naming the first 50 (rows, columns, strict expectations)', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'many_issues', primaryKey: ['id'], eventTime: 'ts', schema, expectations: [{ column: 'x', min: 0, strict: true }] })
    const n = 3000
    // every row after the first repeats key 1: n - 1 duplicates
    const dup = (await fg.insert(Array.from({ length: n }, (_, i) => row(1, i))).catch((err: unknown) => err)) as ValidationError
    expect(dup.issues).toHaveLength(50)
    expect(dup.found).toBe(n - 1)
    expect(dup.message).toMatch(new RegExp(`\\(and ${n - 1 - 5} more\\)$`))
    const dupCols = (await fg.insertColumns({ id: new Float64Array(n).fill(1), ts: new Float64Array(n).fill(t0.getTime()), x: new Float64Array(n), kind: new Array(n).fill('a'), flag: new Array(n).fill(true) }, n).catch((err: unknown) => err)) as ValidationError
    expect(dupCols.found).toBe(n - 1)
    // bad values in every row: all counted, not only the first 50
    const bad = (await fg.insert(Array.from({ length: n }, (_, i) => ({ ...row(i, 1), x: 'text' }))).catch((err: unknown) => err)) as ValidationError
    expect(bad.found).toBe(n)
    expect(bad.message).toMatch(new RegExp(`\\(and ${n - 5} more\\)$`))
    const strict = (await fg.insert(Array.from({ length: n }, (_, i) => row(i, -1))).catch((err: unknown) => err)) as ValidationError
    expect(strict.issues).toHaveLength(50)
    expect(strict.found).toBe(n)
    expect(strict.message).toMatch(new RegExp(`\\(and ${n - 5} more\\)$`))
    expect(await fg.count()).toBe(0)
  })

  it('a table fed by small commits gets planner statistics before autovacuum would (PostgreSQL), and upserts stay right', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'small_commits', primaryKey: ['id'], eventTime: 'ts', schema })
    const t = t0.getTime()
    for (let c = 0; c < 8; c++) {
      const ids = Float64Array.from({ length: 250 }, (_, i) => c * 250 + i)
      await fg.insertColumns({ id: ids, ts: new Float64Array(250).fill(t), x: ids, kind: new Array(250).fill('a'), flag: new Array(250).fill(true) }, 250)
    }
    const c = await fg.insert([row(7, 70), row(5000, 1)])
    expect([c.rowsAdded, c.rowsUpdated]).toEqual([1, 1])
    expect((await fg.lookup([{ id: 7 }]))[0]?.x).toBe(70)
    expect(await fg.count()).toBe(2001)
    if (dialect === 'postgres') {
      // without them the check for superseded versions scanned the whole table at every commit
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_statistic WHERE starelid = to_regclass(${'"' + fg.metadata.tableName + '"'})`.execute(db.kysely)
      expect(r.rows[0].n).toBeGreaterThan(0)
    }
  })

  it('pages rows in key order with limit and offset (the data preview)', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'paged', primaryKey: ['id'], eventTime: 'ts', schema })
    await fg.insert([5, 3, 1, 4, 2].map((id) => row(id, id)))
    expect((await fg.read({ limit: 2, offset: 2 })).map((r) => r.id)).toEqual([3, 4])
    expect((await fg.read({ limit: 2, offset: 4 })).map((r) => r.id)).toEqual([5])
    expect(await fg.read({ limit: 2, offset: 10 })).toEqual([])
  })

  it('refuses read options a read cannot mean, naming each (never reaching the SQL)', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'badread', primaryKey: ['id'], eventTime: 'ts', schema })
    await fg.insert([row(1, 1)])
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ asOf: Number.NaN }, /^invalid read options: asOf: expected a whole number ≥ 0 \(a commit id\), got NaN$/],
      [{ asOf: '3' }, /asOf: expected a whole number ≥ 0 \(a commit id\), got "3"/],
      [{ sinceCommit: -1 }, /sinceCommit: expected a whole number ≥ 0 \(a commit id\), got -1/],
      [{ limit: 1.5, offset: -2 }, /limit: expected a whole number ≥ 0, got 1.5; offset: expected a whole number ≥ 0, got -2/],
      [{ since: new Date('nope') }, /since: expected a valid Date, got an invalid date/],
      [{ history: 'yes' }, /history: expected true or false, got "yes"/],
      [{ asof: 1 }, /asof: is not a read option \(options: asOf, sinceCommit, since, history, limit, offset\)/],
    ]
    for (const [options, message] of bad) {
      for (const read of [() => fg.read(options), () => fg.readColumns(['x'], options), () => fg.count(options), () => fg.statistics(options)]) {
        await expect(read()).rejects.toThrow(ValidationError)
        await expect(read()).rejects.toThrow(message)
      }
    }
    // undefined options are absent ones
    expect(await fg.count({ asOf: undefined, since: undefined })).toBe(1)
  })

  it('reads rows since an event time', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'since', primaryKey: ['id'], eventTime: 'ts', schema })
    await fg.insert([row(1, 1, 'a', true, new Date('2026-01-01')), row(2, 2, 'a', true, new Date('2026-01-03'))])
    expect((await fg.read({ since: new Date('2026-01-02') })).map((r) => r.id)).toEqual([2])
  })

  it('reads columns into typed arrays with NaN for missing numbers', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'cols', primaryKey: ['id'], schema: schema.filter((f) => f.name !== 'ts') })
    await fg.insert([{ id: 1, x: null, kind: null, flag: false }, { id: 2, x: 3.5, kind: 'z', flag: true }])
    const b = await fg.readColumns(['x', 'kind', 'flag'])
    expect(b.nRows).toBe(2)
    expect(b.columns.x).toBeInstanceOf(Float64Array)
    expect(Array.from(b.columns.x as Float64Array)).toEqual([NaN, 3.5])
    expect(b.columns.kind).toEqual([null, 'z'])
    expect(Array.from(b.columns.flag as Float64Array)).toEqual([0, 1])
  })

  it('computes statistics per column', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'stats', primaryKey: ['id'], eventTime: 'ts', schema })
    const first = await fg.insert([row(1, 1, 'a', true), row(2, 3, 'b', false), { ...row(3, 0), x: null }])
    const s = Object.fromEntries((await fg.statistics()).map((c) => [c.column, c]))
    expect(s.x).toMatchObject({ count: 2, missing: 1, distinct: 2, min: 1, max: 3, mean: 2 })
    expect(s.kind).toMatchObject({ count: 3, missing: 0, distinct: 2, min: 'a', max: 'b', mean: null })
    expect(s.flag.mean).toBeCloseTo(2 / 3)
    expect(s.ts.min).toEqual(t0)
    // only the columns asked for, in schema order, with the same figures; an unknown one is named
    const some = await fg.statistics({ columns: ['kind', 'x'] })
    expect(some.map((c) => c.column)).toEqual(['x', 'kind'])
    expect(some).toEqual([s.x, s.kind])
    await fg.insert([row(4, 7)])
    expect(await fg.statistics({ columns: ['x'] })).toEqual([expect.objectContaining({ column: 'x', count: 3, max: 7 })])
    expect(await fg.statistics({ columns: ['x'], asOf: first.id })).toEqual([s.x])
    await expect(fg.statistics({ columns: ['x', 'nope'] })).rejects.toThrow(/column "nope": no such column/)
  })

  describe('refuses bad input whole, writing nothing', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['wrong type', { ...row(9, 0), x: 'abc' }, /row 2, column "x": expected a number, got text "abc"/],
      ['NaN', { ...row(9, 0), x: NaN }, /row 2, column "x": NaN is not a finite number/],
      ['Infinity', { ...row(9, 0), x: Infinity }, /column "x": Infinity is not a finite number/],
      ['unknown column', { ...row(9, 0), extra: 1 }, /row 2, column "extra": unknown column/],
      ['null key', { ...row(9, 0), id: null }, /row 2, column "id": missing value/],
      ['bad date', { ...row(9, 0), ts: 'yesterday' }, /row 2, column "ts": expected a timestamp/],
      ['fractional int', { ...row(9, 0), id: 1.5 }, /row 2, column "id": expected an integer, got 1.5/],
      ['duplicate key in batch', row(1, 0), /row 2, column "id": duplicate primary key 1 \(also in row 1\)/],
    ]
    it.each(cases)('%s', async (_label, bad, message) => {
      const fg = await fs.getOrCreateFeatureGroup({ name: 'strict', primaryKey: ['id'], eventTime: 'ts', schema })
      const before = [await fg.count(), (await fg.commits()).length]
      const err = await fg.insert([row(1, 1), bad as never]).catch((e) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect(err.message).toMatch(message)
      expect([await fg.count(), (await fg.commits()).length]).toEqual(before)
    })
  })

  it('rejects rows breaking a strict expectation and warns on a lenient one', async () => {
    const fg = await fs.getOrCreateFeatureGroup({
      name: 'expect',
      primaryKey: ['id'],
      schema,
      eventTime: 'ts',
      expectations: [
        { column: 'x', min: 0, max: 10 },
        { column: 'kind', allowed: ['a', 'b'], strict: true },
      ],
    })
    const err = await fg.insert([row(1, 1), row(2, 1, 'zzz')]).catch((e) => e)
    expect(err.message).toMatch(/row 2, column "kind": "zzz" breaks the expectation value in \{"a", "b"\}/)
    expect(await fg.count()).toBe(0)
    const c = await fg.insert([row(1, 1), row(2, 11)])
    expect(c.warnings).toEqual(['x: 1 row breaks 0 ≤ value ≤ 10 (rows 2)'])
    expect(await fg.count()).toBe(2)
  })

  it('refuses identifiers that are not plain SQL names', async () => {
    for (const name of ['Robert"; drop table x;--', 'UPPER', '1abc', 'a'.repeat(64), '']) {
      await expect(fs.getOrCreateFeatureGroup({ name, primaryKey: ['id'], schema })).rejects.toThrow(/not a valid identifier/)
    }
    await expect(fs.getOrCreateFeatureGroup({ name: 'okname', primaryKey: ['id'], schema: [{ name: 'x;drop', type: 'int' }] })).rejects.toThrow(
      /column "x;drop": not a valid column name/,
    )
    await expect(fs.getOrCreateFeatureGroup({ name: 'okname2', primaryKey: ['nope'], schema })).rejects.toThrow(/column "nope": primary key column is not in the schema/)
  })

  it('refuses a column of an unknown type, creating nothing (the table had a column of type "undefined")', async () => {
    const bad = [...schema, { name: 'v', type: 'integer' }] as FeatureSpec[]
    const e = (await fs.getOrCreateFeatureGroup({ name: 'badtype', primaryKey: ['id'], schema: bad }).catch((err: unknown) => err)) as ValidationError
    expect(e).toBeInstanceOf(ValidationError)
    expect(e.message).toBe('invalid feature group definition: column "v": unknown type "integer": a column type is one of int, float, string, bool, timestamp')
    expect((await fs.listFeatureGroups()).map((g) => g.name)).not.toContain('badtype')
    expect(await db.listTables()).not.toContain('fg_badtype_1')
    // an existing group's version asked for with a bad type: the same error, not "a different schema"
    await fs.getOrCreateFeatureGroup({ name: 'goodtype', primaryKey: ['id'], schema })
    await expect(fs.getOrCreateFeatureGroup({ name: 'goodtype', primaryKey: ['id'], schema: bad })).rejects.toThrow(/column "v": unknown type "integer"/)
    await expect(fs.getOrCreateFeatureGroup({ name: 'badnullable', primaryKey: ['id'], schema: [{ name: 'id', type: 'int', nullable: 'no' as never }] })).rejects.toThrow(
      /column "id": nullable must be true or false, got "no"/,
    )
  })

  it('holds up to MAX_FEATURE_COLUMNS columns on either database, and refuses more naming the count, creating nothing', async () => {
    const wide = (n: number): FeatureSpec[] => [{ name: 'id', type: 'int' }, ...Array.from({ length: n - 1 }, (_, i) => ({ name: `c${i}`, type: 'float' as const }))]
    // the widest group, every value present: the row PostgreSQL must fit in one page
    const fg = await fs.getOrCreateFeatureGroup({ name: 'widest', primaryKey: ['id'], schema: wide(MAX_FEATURE_COLUMNS) })
    const row = Object.fromEntries(wide(MAX_FEATURE_COLUMNS).map((f, i) => [f.name, i + 0.5]))
    await fg.insert([{ ...row, id: 1 }, { ...row, id: 2 }])
    expect((await fg.read()).map((r) => r.c898)).toEqual([899.5, 899.5])
    const e = (await fs.getOrCreateFeatureGroup({ name: 'toowide', primaryKey: ['id'], schema: wide(MAX_FEATURE_COLUMNS + 1) }).catch((err: unknown) => err)) as ValidationError
    expect(e).toBeInstanceOf(ValidationError)
    expect(e.message).toBe(`invalid feature group definition: schema: has 901 columns; a feature group holds at most ${MAX_FEATURE_COLUMNS} (a PostgreSQL row must fit in one 8 KB page)`)
    expect(await db.listTables()).not.toContain('fg_toowide_1')
    // inferred from the first insert alike
    const data = Object.fromEntries(wide(3001).map((f) => [f.name, 1]))
    await expect(fs.getOrCreateFeatureGroup({ name: 'toowide_inferred', primaryKey: ['id'] }).then((g) => g.insert([data]))).rejects.toThrow(/schema: has 3,001 columns; a feature group holds at most 900/)
    expect(await db.listTables()).not.toContain('fg_toowide_inferred_1')
  })

  it('infers the schema on the first insert when none was given', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'inferred', primaryKey: ['id'] })
    await fg.insert([{ id: 1, v: 1.5, s: 'q', b: true }])
    expect(fg.schema).toEqual([
      { name: 'id', type: 'int' },
      { name: 'v', type: 'float' },
      { name: 's', type: 'string' },
      { name: 'b', type: 'bool' },
    ])
    const again = await fs.getFeatureGroup('inferred', 1)
    expect(again.schema).toEqual(fg.schema)
    await expect(again.insert([{ id: 2, v: 'x' }])).rejects.toThrow(/column "v": expected a number/)
  })

  it('looks rows up by primary key, including composite keys', async () => {
    const fg = await fs.getOrCreateFeatureGroup({
      name: 'composite',
      primaryKey: ['a', 'b'],
      schema: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string' },
        { name: 'v', type: 'float' },
      ],
    })
    await fg.insert([{ a: 1, b: 'x', v: 1 }, { a: 1, b: 'y', v: 2 }])
    await fg.insert([{ a: 1, b: 'y', v: 3 }])
    expect(await fg.lookup([{ a: 1, b: 'y' }, { a: 2, b: 'x' }])).toEqual([{ a: 1, b: 'y', v: 3 }, undefined])
  })

  it('lists and deletes groups', async () => {
    await fs.getOrCreateFeatureGroup({ name: 'todelete', primaryKey: ['id'], schema })
    expect((await fs.listFeatureGroups()).map((g) => g.name)).toContain('todelete')
    await fs.deleteFeatureGroup('todelete', 1)
    await expect(fs.getFeatureGroup('todelete')).rejects.toThrow(/no feature group todelete/)
  })
})
