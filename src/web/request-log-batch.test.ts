import { describe, expect, it } from 'vitest'
import type { FeatureSpec } from '../featurestore/index.js'
import { BufferPool, RequestRowsBuffer, requestRowObjects, transferList } from './request-log-batch.js'

const columns: FeatureSpec[] = [
  { name: 'age', type: 'float' },
  { name: 'sex', type: 'string' },
  { name: 'alone', type: 'bool' },
  { name: 'predicted', type: 'string', nullable: false },
  { name: 'probability', type: 'float', nullable: false },
  { name: 'model_version', type: 'int', nullable: false },
]
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('RequestRowsBuffer', () => {
  it('carries each request in typed columns and gives back the same rows, with time-ordered ids made on the writer', () => {
    const b = new RequestRowsBuffer(columns, 10)
    b.append(1_000, { age: 28.5, sex: 'female', alone: true }, 'Survived', 0.75, 3)
    b.append(1_000, { age: null, sex: 'male', alone: false }, 'Died', 0.5, 3)
    b.append(1_001, { age: 0, sex: null, alone: null }, 'Survived', 1, 4)
    expect(b.length).toBe(3)
    const sealed = b.seal()
    expect(b.length).toBe(0)
    expect(sealed.ts).toBeInstanceOf(Float64Array)
    expect(sealed.columns.map((c) => c.kind)).toEqual(['number', 'text', 'bool', 'text', 'number', 'number'])
    const rows = requestRowObjects(sealed)
    expect(rows.map(({ request_id, ...r }) => r)).toEqual([
      { ts: 1_000, age: 28.5, sex: 'female', alone: true, predicted: 'Survived', probability: 0.75, model_version: 3 },
      { ts: 1_000, age: null, sex: 'male', alone: false, predicted: 'Died', probability: 0.5, model_version: 3 },
      { ts: 1_001, age: 0, sex: null, alone: null, predicted: 'Survived', probability: 1, model_version: 4 },
    ])
    const ids = rows.map((r) => r.request_id as string)
    for (const id of ids) expect(id).toMatch(ID)
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(3)
  })

  it('sends a value the columns cannot carry unchanged (NaN, text in a number column) as its row, for the store to judge', () => {
    const b = new RequestRowsBuffer(columns, 10)
    b.append(5, { age: NaN, sex: 'male', alone: true }, 'Died', 0.5, 1)
    b.append(6, { age: 30, sex: 'male', alone: true }, 'Died', 0.5, 1)
    b.append(7, { age: '30', sex: 'male', alone: true }, 'Died', 0.5, 1)
    b.append(8, { age: 30, sex: 'male', alone: 'yes' }, 'Died', 0.5, 1)
    const sealed = b.seal()
    expect(sealed.columnarRows).toBe(1)
    expect(sealed.length).toBe(4)
    const rows = requestRowObjects(sealed).map(({ request_id, ...r }) => r)
    expect(rows[0]).toEqual({ ts: 6, age: 30, sex: 'male', alone: true, predicted: 'Died', probability: 0.5, model_version: 1 })
    expect(rows.slice(1).map((r) => [r.ts, r.age, r.alone])).toEqual([
      [5, NaN, true],
      [7, '30', true],
      [8, 30, 'yes'],
    ])
  })

  it('hands over its buffers for transfer and starts on new ones; a regression answer has no probability column', () => {
    const b = new RequestRowsBuffer(
      [
        { name: 'x', type: 'float' },
        { name: 'predicted', type: 'float', nullable: false },
        { name: 'model_version', type: 'int', nullable: false },
      ],
      4,
    )
    for (let i = 0; i < 4; i++) b.append(i, { x: i }, i * 2.5, null, 1)
    expect(b.full).toBe(true)
    const first = b.seal()
    const buffers = transferList(first)
    expect(buffers).toHaveLength(4)
    structuredClone(first, { transfer: buffers }) // what postMessage does: the sender's arrays are detached
    expect(first.ts.byteLength).toBe(0)
    b.append(9, { x: 1 }, 3, null, 2)
    expect(requestRowObjects(b.seal()).map(({ request_id, ...r }) => r)).toEqual([{ ts: 9, x: 1, predicted: 3, model_version: 2 }])
  })

  it('takes its buffers from the pool the writer hands them back to, instead of allocating per batch', () => {
    const pool = new BufferPool()
    const b = new RequestRowsBuffer([{ name: 'x', type: 'float' }, { name: 'predicted', type: 'string' }, { name: 'model_version', type: 'int' }], 8, pool)
    b.append(1, { x: 1 }, 'a', null, 1)
    const first = b.seal()
    const firstBuffers = new Set(transferList(first))
    pool.give(transferList(first)) // the writer is done with them
    b.append(2, { x: 2 }, 'b', null, 1)
    const second = b.seal() // the next columns come from the pool: `first`'s buffers
    expect(transferList(second).some((x) => firstBuffers.has(x))).toBe(false)
    b.append(3, { x: 3 }, 'c', null, 1)
    const third = b.seal()
    expect(transferList(third).every((x) => firstBuffers.has(x))).toBe(true)
    expect(requestRowObjects(third).map(({ request_id, ...r }) => r)).toEqual([{ ts: 3, x: 3, predicted: 'c', model_version: 1 }])
  })
})
