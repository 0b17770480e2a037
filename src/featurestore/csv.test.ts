import { describe, expect, it } from 'vitest'
import { ValidationError } from '../db/index.js'
import { csvToRows, inferCsvSchema, parseCsv, readCsvFile } from './csv.js'
import { IRIS_CSV, TITANIC_CSV } from './test-support/data.js'

describe('CSV sources', () => {
  it('reads the real iris and titanic files with inferred types', () => {
    const iris = readCsvFile(IRIS_CSV)
    expect(iris.records).toHaveLength(150)
    expect(inferCsvSchema(iris)).toEqual([
      { name: 'sepal_length', type: 'float' },
      { name: 'sepal_width', type: 'float' },
      { name: 'petal_length', type: 'float' },
      { name: 'petal_width', type: 'float' },
      { name: 'variety', type: 'string' },
    ])
    const titanic = readCsvFile(TITANIC_CSV)
    const schema = Object.fromEntries(inferCsvSchema(titanic).map((f) => [f.name, f.type]))
    expect(schema).toMatchObject({ passengerid: 'int', survived: 'int', pclass: 'int', age: 'float', sex: 'string', embarked: 'string' })
    const rows = csvToRows(titanic, inferCsvSchema(titanic))
    expect(rows).toHaveLength(891)
    expect(rows.filter((r) => r.age === null)).toHaveLength(177)
    expect(rows.filter((r) => r.embarked === null)).toHaveLength(2)
  })

  it('strips a BOM and lowercases header names', () => {
    const t = parseCsv('\uFEFFId,Value\n1,2.5\n')
    expect(t.header).toEqual(['id', 'value'])
    expect(csvToRows(t, inferCsvSchema(t))).toEqual([{ id: 1, value: 2.5 }])
  })

  it('infers bool and timestamp columns', () => {
    const t = parseCsv('id,ok,at\n1,true,2026-01-02T03:04:05Z\n2,FALSE,2026-01-03\n')
    expect(inferCsvSchema(t).map((f) => f.type)).toEqual(['int', 'bool', 'timestamp'])
    expect(csvToRows(t, inferCsvSchema(t))[1]).toEqual({ id: 2, ok: false, at: new Date('2026-01-03') })
  })

  const bad: [string, string, RegExp][] = [
    ['empty file', '', /is empty: expected a header row/],
    ['ragged row', 'a,b\n1,2\n3\n', /not valid CSV \(line 3\).*Invalid Record Length/],
    ['unclosed quote', 'a,b\n1,"2\n', /not valid CSV.*Quote Not Closed/i],
    ['duplicate header', 'a,A\n1,2\n', /column "a": duplicate column name/],
    ['empty header name', 'a,\n1,2\n', /column "#2": empty column name/],
  ]
  it.each(bad)('rejects %s with the line and reason', (_name, text, message) => {
    const err = (() => {
      try {
        parseCsv(text)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(ValidationError)
    expect((err as Error).message).toMatch(message)
  })

  it('names row, line and column of a bad number, and refuses NaN, Infinity and unknown columns', () => {
    const schema = [
      { name: 'id', type: 'int' as const },
      { name: 'x', type: 'float' as const },
    ]
    expect(() => csvToRows(parseCsv('id,x\n1,2\n2,abc\n'), schema)).toThrow(/row 2, column "x": "abc" is not a valid float \(line 3\)/)
    expect(() => csvToRows(parseCsv('id,x\n1,NaN\n'), schema)).toThrow(/column "x": "NaN" is not a valid float/)
    expect(() => csvToRows(parseCsv('id,x\n1,Infinity\n'), schema)).toThrow(/column "x": "Infinity" is not a valid float/)
    expect(() => csvToRows(parseCsv('id,x\n1.5,1\n'), schema)).toThrow(/column "id": "1.5" is not a valid int/)
    expect(() => csvToRows(parseCsv('id,x,y\n1,1,1\n'), schema)).toThrow(/column "y": unknown column/)
  })

  it('reads a semicolon file as one text column rather than guessing, so the schema check catches it', () => {
    const t = parseCsv('id;x\n1;2\n')
    expect(t.header).toEqual(['id;x'])
  })
})
