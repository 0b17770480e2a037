import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { Random } from '../ml/random.js'
import { FeatureStore } from './feature-store.js'
import type { FeatureGroup } from './feature-group.js'
import type { Row } from './types.js'

const MINUTE = 60_000
const T0 = Date.UTC(2026, 0, 1)
const KEYS = 200

// Large enough (≥ 200,000 rows written up to the commit read) for as-of reads to go in two slices read side by side.
describe.each(testDialectNames())('large as-of reads in parallel slices on %s', (dialect) => {
  let tdb: TestDatabase
  let fs: FeatureStore
  let labels: FeatureGroup
  let features: FeatureGroup
  let asOf: number
  beforeAll(async () => {
    tdb = createTestDatabase(dialect)
    fs = new FeatureStore(await tdb.open())
    labels = await fs.getOrCreateFeatureGroup({
      name: 'big_labels',
      primaryKey: ['id'],
      eventTime: 'ts',
      schema: [
        { name: 'id', type: 'int' },
        { name: 'key', type: 'int' },
        { name: 'ts', type: 'timestamp' },
      ],
    })
    features = await fs.getOrCreateFeatureGroup({
      name: 'big_features',
      primaryKey: ['key', 'ts'],
      eventTime: 'ts',
      schema: [
        { name: 'key', type: 'int' },
        { name: 'ts', type: 'timestamp' },
        { name: 'v', type: 'float' },
      ],
    })
    const rng = new Random(7)
    const label = (id: number): Row => ({ id, key: rng.int(KEYS + 5), ts: new Date(T0 + rng.int(2000) * MINUTE) })
    // Labels: 150,000 rows, then a commit that moves 60,000 of them (superseded versions) and adds 10,000.
    await labels.insert(Array.from({ length: 150_000 }, (_, i) => label(i)))
    await labels.insert(Array.from({ length: 70_000 }, (_, i) => label(i < 60_000 ? i * 2 : 150_000 + i)))
    // Features: 1,050 distinct minutes per key over two commits; some values missing; keys ≥ KEYS only on the label side.
    const feature = (i: number): Row => ({ key: i % KEYS, ts: new Date(T0 + Math.floor(i / KEYS) * 2 * MINUTE), v: i % 13 === 0 ? null : i / 4 })
    await features.insert(Array.from({ length: 150_000 }, (_, i) => feature(i)))
    const last = await features.insert(Array.from({ length: 60_000 }, (_, i) => feature(150_000 + i)))
    asOf = last.id
  }, 120_000)
  afterAll(async () => {
    await fs?.close()
    await tdb?.drop()
  })

  it('reads a group in two slices, with the same rows in the same key order as one read of row objects', async () => {
    // Where tables are heaps, split by storage and put in key order after (the superseded rows' new versions
    // lie at the table's end, out of key order); else two key ranges read in order.
    const byStorage = fs.db.queryColumnsByStorage !== undefined
    const spy = byStorage ? vi.spyOn(fs.db, 'queryColumnsByStorage') : vi.spyOn(fs.db, 'queryColumns')
    const batch = await labels.readColumns(['id', 'key', 'ts'], { asOf })
    expect(spy.mock.calls.map((c) => (byStorage ? c[3] : c[0].length))).toEqual([2])
    spy.mockRestore()
    const rows = await labels.read({ asOf })
    expect(batch.nRows).toBe(160_000)
    expect(rows.length).toBe(160_000)
    expect(Array.from(batch.columns.id as Float64Array)).toEqual(rows.map((r) => r.id))
    expect(Array.from(batch.columns.key as Float64Array)).toEqual(rows.map((r) => r.key))
    expect(Array.from(batch.columns.ts as Float64Array)).toEqual(rows.map((r) => (r.ts as Date).getTime()))
  })

  it('reads columns without the key (as a training split does) in two slices filling the final arrays from both ends', async () => {
    // 220,000 versions written up to asOf bound the read; 160,000 are current: the second slice, read in
    // reverse key order from the arrays' end, is moved down to meet the first
    const spy = vi.spyOn(fs.db, 'queryColumns')
    let batch
    try {
      batch = await labels.readColumns(['ts', 'key'], { asOf })
      expect(spy.mock.calls.map((c) => [c[0].length, c[2]])).toEqual([[2, { upTo: 220_000 }]])
    } finally {
      spy.mockRestore()
    }
    const rows = await labels.read({ asOf })
    expect(batch.nRows).toBe(160_000)
    expect(Array.from(batch.columns.key as Float64Array)).toEqual(rows.map((r) => r.key))
    expect(Array.from(batch.columns.ts as Float64Array)).toEqual(rows.map((r) => (r.ts as Date).getTime()))
  })

  it('reads a group written in key order in two slices, in key order', async () => {
    const ordered = await fs.getOrCreateFeatureGroup({
      name: 'big_ordered',
      primaryKey: ['day', 'n'],
      schema: [
        { name: 'day', type: 'timestamp' },
        { name: 'n', type: 'int' },
        { name: 'x', type: 'string' },
      ],
    })
    const commit = await ordered.insert(Array.from({ length: 200_000 }, (_, i) => ({ day: new Date(T0 + Math.floor(i / 7) * MINUTE), n: (i % 7) - 3, x: i % 11 === 0 ? null : `x${i}` })))
    const batch = await ordered.readColumns(['x', 'n', 'day'], { asOf: commit.id })
    const rows = await ordered.read({ asOf: commit.id })
    expect(batch.nRows).toBe(200_000)
    expect(batch.columns.x).toEqual(rows.map((r) => r.x))
    expect(Array.from(batch.columns.n as Float64Array)).toEqual(rows.map((r) => r.n))
    expect(Array.from(batch.columns.day as Float64Array)).toEqual(rows.map((r) => (r.day as Date).getTime()))
  }, 60_000)

  it('reads a joined group’s history (every version as of the commit) in two slices, whole', async () => {
    // Unordered where tables are heaps: split by where the rows lie (PostgreSQL pages), else at a key value.
    const byStorage = fs.db.queryColumnsByStorage !== undefined
    const spy = byStorage ? vi.spyOn(fs.db, 'queryColumnsByStorage') : vi.spyOn(fs.db, 'queryColumns')
    const t = await features.readTimeline(['key'], ['v'], asOf)
    expect(spy.mock.calls.map((c) => (byStorage ? c[3] : c[0].length))).toEqual([2])
    spy.mockRestore()
    const rows = await features.read({ asOf, history: true })
    expect(t.nRows).toBe(rows.length)
    const fromRows = rows.map((r) => `${r.key} ${(r.ts as Date).getTime()} ${r.v ?? 'null'}`).sort()
    const v = t.columns.v as Float64Array
    const fromTimeline = Array.from({ length: t.nRows }, (_, i) => `${t.keys[0][i]} ${t.time[i]} ${Number.isNaN(v[i]) ? 'null' : v[i]}`).sort()
    expect(fromTimeline).toEqual(fromRows)
  })

  it('a view reads all its groups as of one commit, even when another commit lands between their reads', async () => {
    const fv = await fs.getOrCreateFeatureView({ name: 'big', query: labels.select(['id', 'key']).join(features.select(['v']), { on: ['key'] }) })
    const before = await fv.readColumns(['id', 'v'])
    // A writer commits after the view chose its commit and before the joined group is read: new label rows and,
    // for every key, a new version of a feature row (of the labels in the two minutes after it, their as-of match).
    const joined = fv.joinedGroups[0]
    const readTimeline = joined.readTimeline.bind(joined)
    let writes = 0
    joined.readTimeline = async (...args) => {
      if (writes++ === 0) {
        await labels.insert([{ id: 900_000, key: 1, ts: new Date(T0 + 1999 * MINUTE) }])
        await features.insert(Array.from({ length: KEYS }, (_, k) => ({ key: k, ts: new Date(T0 + 1000 * MINUTE), v: -1 })))
      }
      return readTimeline(...args)
    }
    const during = await fv.readColumns(['id', 'v'])
    expect(writes).toBe(1)
    expect(during.nRows).toBe(before.nRows)
    expect(Array.from(during.columns.id as Float64Array)).toEqual(Array.from(before.columns.id as Float64Array))
    expect(Array.from(during.columns.v as Float64Array)).toEqual(Array.from(before.columns.v as Float64Array))
    // The next read sees that commit: the writes did change the result.
    const after = await fv.readColumns(['id', 'v'])
    expect(after.nRows).toBe(before.nRows + 1)
    expect(Array.from(after.columns.v as Float64Array).filter((x) => x === -1).length).toBeGreaterThan(50)
  }, 60_000)
})
