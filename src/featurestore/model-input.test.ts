import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ValidationError, type ColumnType, type SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from './feature-store.js'
import { fromModelValue, toModelValue } from './model-input.js'
import type { FeatureSpec, Row, TransformationKind } from './types.js'

describe('model-input form (pure)', () => {
  it('makes booleans 0/1, timestamps epoch ms UTC and missing NaN (text: null)', () => {
    expect(toModelValue('b', 'bool', true)).toBe(1)
    expect(toModelValue('b', 'bool', false)).toBe(0)
    expect(toModelValue('t', 'timestamp', new Date(Date.UTC(2026, 0, 1)))).toBe(1767225600000)
    expect(toModelValue('t', 'timestamp', 1767225600000)).toBe(1767225600000)
    expect(toModelValue('t', 'timestamp', '2026-01-01T00:00:00Z')).toBe(1767225600000)
    expect(toModelValue('t', 'timestamp', '2026-01-01T01:00:00+01:00')).toBe(1767225600000)
    expect(toModelValue('x', 'float', null)).toBeNaN()
    expect(toModelValue('b', 'bool', null)).toBeNaN()
    expect(toModelValue('s', 'string', null)).toBeNull()
    expect(fromModelValue('timestamp', 1767225600000)).toEqual(new Date(Date.UTC(2026, 0, 1)))
    expect(fromModelValue('bool', 1)).toBe(true)
    expect(fromModelValue('int', NaN)).toBeNull()
  })

  it('refuses a value of the wrong type, naming the column', () => {
    expect(() => toModelValue('age', 'int', '30')).toThrow(/column "age": expected a int value, got "30"/)
    expect(() => toModelValue('flag', 'bool', 1)).toThrow(/column "flag": expected a bool value, got 1/)
    expect(() => toModelValue('when', 'timestamp', 'soon')).toThrow(/column "when": expected a timestamp/)
    expect(() => toModelValue('when', 'timestamp', 1.5)).toThrow(/column "when": epoch ms must be a whole number/)
  })
})

const TYPES: readonly ColumnType[] = ['int', 'float', 'bool', 'string', 'timestamp']
/** Valid transformations per column type (text needs an encoder); undefined is "none". */
const TRANSFORMS: Record<ColumnType, readonly (TransformationKind | undefined)[]> = {
  int: [undefined, 'label_encoder', 'min_max_scaler', 'standard_scaler', 'one_hot_encoder'],
  float: [undefined, 'label_encoder', 'min_max_scaler', 'standard_scaler', 'one_hot_encoder'],
  bool: [undefined, 'label_encoder', 'min_max_scaler', 'standard_scaler', 'one_hot_encoder'],
  timestamp: [undefined, 'label_encoder', 'min_max_scaler', 'standard_scaler', 'one_hot_encoder'],
  string: ['label_encoder', 'one_hot_encoder'],
}

const valueOf: Record<ColumnType, fc.Arbitrary<Row[string]>> = {
  int: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_000_000)),
  float: fc.oneof(fc.constantFrom(0, -0, 0.1, 1.5, 5e-324, 1e-300, 1e15, -1e15), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
  bool: fc.boolean(),
  // PostgreSQL text cannot hold NUL; everything else, including astral characters, can.
  string: fc.oneof(fc.constantFrom('', 'a', 'B', 'é', '1', ' ', 'ß', '😀'), fc.string({ maxLength: 3 }).filter((s) => !s.includes('\u0000'))),
  timestamp: fc.oneof(
    fc.constantFrom(new Date(0), new Date(-1), new Date(8.64e15), new Date(-8.64e15), new Date(Date.UTC(2026, 0, 1))),
    fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }),
  ),
}

/** Two values per type, for encoders: with many distinct values a label_encoder mostly meets one only held-out rows hold. */
const fewValuesOf: Record<ColumnType, fc.Arbitrary<Row[string]>> = {
  int: fc.constantFrom(0, -2),
  float: fc.constantFrom(-0, 0.5),
  bool: fc.boolean(),
  string: fc.constantFrom('', 'é'),
  timestamp: fc.constantFrom(new Date(-8.64e15), new Date(Date.UTC(2026, 0, 1))),
}

const column = fc
  .constantFrom(...TYPES)
  .chain((type) => fc.record({ type: fc.constant(type), transform: fc.constantFrom(...TRANSFORMS[type]), nullable: fc.boolean(), few: fc.boolean() }))
  .map((c) => ({ ...c, values: c.transform === 'label_encoder' || c.few ? fewValuesOf[c.type] : valueOf[c.type] }))

/** A random feature group (1–5 feature columns, maybe a label and an event time), rows and split options. */
const scenario = fc
  .record({
    columns: fc.array(column, { minLength: 1, maxLength: 5 }),
    label: fc.boolean(),
    eventTime: fc.boolean(),
    nRows: fc.integer({ min: 2, max: 16 }),
    testSize: fc.constantFrom(0.2, 0.25, 0.5),
    seed: fc.integer({ min: 0, max: 1000 }),
    stratify: fc.boolean(),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      rows: fc.array(
        fc.tuple(
          fc.tuple(...s.columns.map((c) => (c.nullable ? fc.option(c.values, { nil: null, freq: 4 }) : c.values))),
          fc.integer({ min: 0, max: 1 }),
          valueOf.timestamp,
        ),
        { minLength: s.nRows, maxLength: s.nRows },
      ),
    }),
  )

const RUNS = Number(process.env.SML_PROPERTY_RUNS ?? 25)

describe.each(testDialectNames())('online = offline on %s', (dialect) => {
  let fs: FeatureStore
  let db: SqlDialect
  useTestDatabase(dialect, (_tdb, opened) => {
    db = opened
    fs = new FeatureStore(db)
  })
  let groups = 0

  it('a bool one-hot, a bool label_encoder and a timestamp input give the same vector online and in batch (the issue\'s case)', async () => {
    const fg = await fs.getOrCreateFeatureGroup({
      name: 'skew_case',
      primaryKey: ['id'],
      schema: [
        { name: 'id', type: 'int' },
        { name: 'a', type: 'int' },
        { name: 'b', type: 'bool' },
        { name: 'c', type: 'int' },
        { name: 'd', type: 'bool' },
        { name: 'when', type: 'timestamp' },
      ],
    })
    const when = new Date(Date.UTC(2026, 0, 1))
    await fg.insert([0, 1, 2, 3, 4, 5].map((id) => ({ id, a: 4, b: id % 2 === 1, c: 24, d: id % 2 === 0, when })))
    const fv = await fs.getOrCreateFeatureView({ name: 'skew_case', query: fg.selectExcept(['id']), transformations: { b: 'one_hot_encoder', d: 'label_encoder' } })
    const split = await fv.trainTestSplit({ testSize: 0.5, seed: 0 })
    expect(split.featureNames).toEqual(['a', 'b_0', 'b_1', 'c', 'd', 'when'])
    const batch = await fv.getBatchData()
    expect(batch.keys[1]).toEqual({ id: 1 })
    expect(Array.from(batch.x.data.subarray(6, 12))).toEqual([4, 0, 1, 24, 0, 1767225600000])
    expect(await fv.getFeatureVector({ id: 1 })).toEqual([4, 0, 1, 24, 0, 1767225600000])
    expect(await fv.getFeatureVector({ id: 0 })).toEqual([4, 1, 0, 24, 1, 1767225600000])
    // A prediction request (stored codes as a person sends them) goes through the same transform.
    expect(Array.from(fv.transformRows([{ a: 4, b: true, c: 24, d: false, when: '2026-01-01T00:00:00Z' }], batch.trainingDataset).data)).toEqual([4, 0, 1, 24, 0, 1767225600000])
    expect(() => fv.transformRows([{ a: 4, b: 'yes', c: 24, d: false, when }], batch.trainingDataset)).toThrow(/column "b": expected a bool value, got "yes"/)
    expect(() => fv.transformRows([{ a: 4, b: true, d: false, when }], batch.trainingDataset)).toThrow(/row 1, column "c": missing/)
  })

  it('keys of a timestamp or bool primary key round-trip from getBatchData to getFeatureVector', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'skew_keys', primaryKey: ['at', 'on'], schema: [{ name: 'at', type: 'timestamp' }, { name: 'on', type: 'bool' }, { name: 'x', type: 'float' }] })
    await fg.insert([0, 1, 2, 3].map((i) => ({ at: new Date(Date.UTC(2026, 0, 1 + (i >> 1))), on: i % 2 === 1, x: i / 4 })))
    const fv = await fs.getOrCreateFeatureView({ name: 'skew_keys', query: fg.select(['x']) })
    await fv.trainTestSplit({ testSize: 0.5 })
    const batch = await fv.getBatchData()
    expect(batch.keys[3]).toEqual({ at: new Date(Date.UTC(2026, 0, 2)), on: true })
    expect(await fv.getFeatureVectors(batch.keys)).toEqual([[0], [0.25], [0.5], [0.75]])
    expect(await fv.getFeatureVector({ at: Date.UTC(2026, 0, 2), on: true })).toEqual([0.75])
    await expect(fv.getFeatureVector({ at: Date.UTC(2026, 0, 2), on: 1 })).rejects.toThrow(/column "on": expected a bool value, got 1/)
  })

  it('getFeatureVector equals the matching row of getBatchData for random schemas, rows and transformations', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ s, rows }) => {
        const name = `prop_${groups++}`
        const schema: FeatureSpec[] = [{ name: 'id', type: 'int' }, ...s.columns.map((c, j) => ({ name: `c${j}`, type: c.type, nullable: c.nullable }))]
        if (s.label) schema.push({ name: 'y', type: 'int' })
        if (s.eventTime) schema.push({ name: 'ts', type: 'timestamp' })
        const fg = await fs.getOrCreateFeatureGroup({ name, primaryKey: ['id'], eventTime: s.eventTime ? 'ts' : undefined, schema })
        await fg.insert(
          rows.map(([values, y, ts], id) => {
            const row: Row = { id }
            values.forEach((v, j) => (row[`c${j}`] = v))
            if (s.label) row.y = y
            if (s.eventTime) row.ts = ts
            return row
          }),
        )
        const transformations = Object.fromEntries(s.columns.flatMap((c, j) => (c.transform ? [[`c${j}`, c.transform]] : [])))
        const fv = await fs.getOrCreateFeatureView({ name, query: fg.selectExcept(['id']), labels: s.label ? ['y'] : [], transformations })
        let split
        try {
          split = await fv.trainTestSplit({ testSize: s.testSize, seed: s.seed, stratify: s.label && s.stratify })
        } catch (e) {
          // Refused (too few rows or class members, a value only the test rows hold): a ValidationError, nothing recorded.
          expect(e).toBeInstanceOf(ValidationError)
          expect(await fv.trainingDatasets()).toEqual([])
          return
        }
        const batch = await fv.getBatchData()
        const { nCols } = batch.x
        const batchRow = (i: number) => Array.from(batch.x.data.subarray(i * nCols, (i + 1) * nCols))
        expect(batch.x.nRows).toBe(s.nRows)
        // Online, one key at a time and all at once: exactly the batch row (NaN and -0 included).
        for (let i = 0; i < s.nRows; i++) expect(await fv.getFeatureVector(batch.keys[i])).toEqual(batchRow(i))
        expect(await fv.getFeatureVectors(batch.keys)).toEqual(Array.from({ length: s.nRows }, (_, i) => batchRow(i)))
        // Serving (batch inference and predict requests transform row objects): the same numbers.
        expect(Array.from(fv.transformRows(await fg.read(), batch.trainingDataset).data)).toEqual(Array.from(batch.x.data))
        // Training: each split row is the batch row of the same index.
        split.trainIndex.forEach((r, i) => expect(Array.from(split.xTrain.data.subarray(i * nCols, (i + 1) * nCols))).toEqual(batchRow(r)))
        split.testIndex.forEach((r, i) => expect(Array.from(split.xTest.data.subarray(i * nCols, (i + 1) * nCols))).toEqual(batchRow(r)))
      }),
      { numRuns: RUNS },
    )
  })
})
