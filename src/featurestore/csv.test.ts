import { describe, expect, it } from 'vitest'
import { ValidationError } from '../db/index.js'
import { csvField, csvToRows, inferCsvSchema, parseCsv, parseCsvTimestamp, readCsvFile, recordsToTable, tableRecords, withCsvLines } from './csv.js'
import { validateRows } from './validate.js'
import { AIR_QUALITY_CSV, IRIS_CSV, TITANIC_CSV } from './test-support/data.js'
import { TIMESTAMP_FORMAT } from './timestamp.js'

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
    ['binary file', 'a,b\n1,2\n\u007fELF\u0002\u0001\u0000\u0000"x', /^CSV is not a CSV text file: it holds a NUL byte \(line 3\); is it a binary file\?$/],
    ['long field before a stray quote, message capped', `a,b\n1,${'y'.repeat(5000)}"x\n`, /^CSV is not valid CSV \(line 2\): .{200}…$/],
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
    expect(() => csvToRows(parseCsv('id,x\n1,NaN\n'), schema)).toThrow(/column "x": "NaN" is not a valid float \(a missing value is an empty cell\) \(line 2\)/)
    expect(() => csvToRows(parseCsv('id,x\n1,Infinity\n'), schema)).toThrow(/column "x": "Infinity" is not a valid float/)
    expect(() => csvToRows(parseCsv('id,x\n1.5,1\n'), schema)).toThrow(/column "id": "1.5" is not a valid int/)
    expect(() => csvToRows(parseCsv('id,x,y\n1,1,1\n'), schema)).toThrow(/column "y": unknown column/)
  })

  it('refuses a file without some of the schema columns, naming each (it would insert nulls over stored values)', () => {
    const schema = [
      { name: 'id', type: 'int' as const },
      { name: 'x', type: 'float' as const },
      { name: 'y', type: 'string' as const },
    ]
    const err = (() => {
      try {
        csvToRows(parseCsv('ID\n1\n'), schema, 'partial.csv')
      } catch (e) {
        return e as ValidationError
      }
    })()
    expect(err).toBeInstanceOf(ValidationError)
    expect(err?.issues.map((i) => i.column)).toEqual(['x', 'y'])
    expect(err?.message).toBe('invalid partial.csv: missing columns "x", "y": an insert must give every column of the feature group schema (an empty cell is a missing value)')
    expect(() => csvToRows(parseCsv('id,z\n1,2\n'), schema, 'p.csv')).toThrow('invalid p.csv: column "z": unknown column (not in the feature group schema); missing columns "x", "y": an insert')
    // an empty cell is the way to say "missing": every row then names every column
    expect(csvToRows(parseCsv('id,x,y\n1,,\n'), schema)).toEqual([{ id: 1, x: null, y: null }])
  })

  it('counts every bad cell of a large file, naming the first 50, and adds file lines to a batch\'s row issues', () => {
    const schema = [
      { name: 'id', type: 'int' as const },
      { name: 'x', type: 'float' as const },
    ]
    const n = 1000
    const text = 'id,x\n' + Array.from({ length: n }, (_, i) => `${i},bad`).join('\n')
    const e = (() => {
      try {
        csvToRows(parseCsv(text), schema, 'f.csv')
      } catch (err) {
        return err as ValidationError
      }
    })()
    expect(e?.issues).toHaveLength(50)
    expect(e?.found).toBe(n)
    expect(e?.message).toMatch(new RegExp(`\\(and ${n - 5} more\\)$`))

    const rows = csvToRows(parseCsv('id,x\n1,1\n1,2\n'), schema)
    const dup = (() => {
      try {
        validateRows(rows, schema, ['id'], null, [])
      } catch (err) {
        return withCsvLines(err, 'f.csv') as ValidationError
      }
    })()
    expect(dup?.message).toBe('invalid f.csv: row 2, column "id": duplicate primary key 1 (also in row 1) (line 3)')
    expect(dup?.issues[0]).toMatchObject({ row: 2, column: 'id', path: 'row 2.id' })
    const other = new Error('not ours')
    expect(withCsvLines(other, 'f.csv')).toBe(other)
  })

  it('infers types past other tools’ missing markers (NaN, NA, n/a, …) but refuses them in a typed column, saying a missing value is an empty cell; a text column keeps them as text', () => {
    const t = parseCsv('id,x,ok,at,name\n1,NaN,NA,n/a,NA\n2,3,true,2025-01-02,None\n3,n/a,NULL,#N/A,x\n4,5,null,None,\n')
    const schema = inferCsvSchema(t)
    expect(schema).toEqual([
      { name: 'id', type: 'int' },
      { name: 'x', type: 'int' },
      { name: 'ok', type: 'bool' },
      { name: 'at', type: 'timestamp' },
      { name: 'name', type: 'string' },
    ])
    const err = (() => {
      try {
        csvToRows(t, schema)
      } catch (e) {
        return e as ValidationError
      }
    })()
    expect(err).toBeInstanceOf(ValidationError)
    expect(err?.issues.map((i) => `${i.row} ${i.column}`)).toEqual(['1 x', '1 ok', '1 at', '3 x', '3 ok', '3 at', '4 ok', '4 at'])
    expect(err?.message).toMatch(/^invalid CSV: row 1, column "x": "NaN" is not a valid int \(a missing value is an empty cell\) \(line 2\); row 1, column "ok": "NA" is not a valid bool \(a missing value is an empty cell\)/)
    // The same rows with empty cells are missing values; text keeps "NA" and "None" as written.
    const clean = parseCsv('id,x,name\n1,,NA\n2,3,None\n')
    expect(csvToRows(clean, inferCsvSchema(clean))).toEqual([
      { id: 1, x: null, name: 'NA' },
      { id: 2, x: 3, name: 'None' },
    ])
    // Other text is a bad number without the hint.
    expect(() => csvToRows(parseCsv('id,x\n1,NaNa\n'), [{ name: 'id', type: 'int' }, { name: 'x', type: 'float' }])).toThrow(/column "x": "NaNa" is not a valid float \(line 2\)/)
  })

  it('reads a semicolon file as one text column rather than guessing, so the schema check catches it', () => {
    const t = parseCsv('id;x\n1;2\n')
    expect(t.header).toEqual(['id;x'])
  })

  it('reads the aqicn export as it is: spaces after commas, YYYY/M/D dates, empty cells', () => {
    const t = readCsvFile(AIR_QUALITY_CSV)
    expect(t.header).toEqual(['date', 'pm25', 'pm10', 'no2'])
    // 2,814 data lines (the data README says 2,813: the file has no final newline, so `wc -l` counts one line short).
    expect(t.records).toHaveLength(2814)
    expect(inferCsvSchema(t)).toEqual([
      { name: 'date', type: 'timestamp' },
      { name: 'pm25', type: 'int' },
      { name: 'pm10', type: 'int' },
      { name: 'no2', type: 'int' },
    ])
    const rows = csvToRows(t, inferCsvSchema(t))
    // The file's first data line: `2025/7/1, 14, 19, 8`; its fourth ends in an empty no2 cell (`2025/7/4, 9, 6, `).
    expect(rows[0]).toEqual({ date: new Date('2025-07-01T00:00:00Z'), pm25: 14, pm10: 19, no2: 8 })
    expect(rows[3]).toEqual({ date: new Date('2025-07-04T00:00:00Z'), pm25: 9, pm10: 6, no2: null })
    expect(new Set(rows.map((r) => (r.date as Date).getTime())).size).toBe(2814)
  })

  it('trims whitespace around unquoted fields but keeps it inside quotes; a field of spaces is empty', () => {
    const t = parseCsv('id , name, x\n 1 , " a b ",  \n')
    expect(t.header).toEqual(['id', 'name', 'x'])
    expect(csvToRows(t, [{ name: 'id', type: 'int' }, { name: 'name', type: 'string' }, { name: 'x', type: 'float' }])).toEqual([{ id: 1, name: ' a b ', x: null }])
  })

  it('writes fields that read back as written: quotes, commas, line breaks and whitespace at either end quoted', () => {
    const values = ['  spaced  ', 'trailing tab\t', '\tleading tab', 'a "quoted" word', 'one, two', 'line\nbreak', 'cr\r\nlf', 'plain', 'in side']
    const text = `v\n${values.map(csvField).join('\n')}\n`
    expect(parseCsv(text).records.map((r) => r[0])).toEqual(values)
    expect(csvField('plain')).toBe('plain')
    expect(csvField(' x')).toBe('" x"')
  })

  it('infers whole numbers past ±(2^53 − 1) as text (their digits kept) and refuses them in an int column, quoting the cell', () => {
    const t = parseCsv('id,big,mixed\n1,12345678901234567890123,9007199254740993\n2,-9223372036854775807,1.5\n')
    expect(inferCsvSchema(t)).toEqual([
      { name: 'id', type: 'int' },
      { name: 'big', type: 'string' },
      { name: 'mixed', type: 'float' },
    ])
    expect(csvToRows(t, inferCsvSchema(t)).map((r) => r.big)).toEqual(['12345678901234567890123', '-9223372036854775807'])
    const asInt = () => csvToRows(t, [{ name: 'id', type: 'int' }, { name: 'big', type: 'int' }, { name: 'mixed', type: 'float' }])
    expect(asInt).toThrow(ValidationError)
    expect(asInt).toThrow(/row 1, column "big": "12345678901234567890123" is outside the integers a number holds exactly \(±9007199254740991\): a column of such values can be stored as string \(line 2\)/)
    expect(asInt).toThrow(/row 2, column "big": "-9223372036854775807" is outside/)
    // the largest exact ones are integers as ever
    expect(csvToRows(parseCsv('n\n9007199254740991\n-9007199254740991\n'), [{ name: 'n', type: 'int' }])).toEqual([{ n: Number.MAX_SAFE_INTEGER }, { n: -Number.MAX_SAFE_INTEGER }])
    // a typed record (JSON) of such a number: refused with the same reason
    expect(() => validateRows([{ n: 2 ** 60 }], [{ name: 'n', type: 'int' }], [], null, [])).toThrow(/column "n": 1152921504606847000 is outside the integers a number holds exactly/)
  })

  it('reads bytes as UTF-8 and refuses bytes that are not, naming the line (a Latin-1 export would be stored with U+FFFD)', () => {
    const utf8 = Buffer.from('\ufeffname,n\ncafé,1\n日本,2\n')
    expect(parseCsv(utf8).records).toEqual([['café', '1'], ['日本', '2']])
    expect(parseCsv(utf8).header).toEqual(['name', 'n'])
    const latin1 = Buffer.from('name,n\nplain,1\ncaf\xe9,2\n', 'latin1')
    expect(() => parseCsv(latin1, 'l.csv')).toThrow(ValidationError)
    expect(() => parseCsv(latin1, 'l.csv')).toThrow(/^l\.csv is not UTF-8 text \(line 3\): save it as UTF-8$/)
    // a NUL byte still says binary, with its line
    expect(() => parseCsv(Buffer.from('a\nb\0\n'), 'b.bin')).toThrow(/b\.bin is not a CSV text file: it holds a NUL byte \(line 2\)/)
  })

  it('reads year-first slashed dates as UTC midnight, whatever the machine’s zone, and refuses ambiguous or impossible ones', () => {
    expect(parseCsvTimestamp('2024/2/29')).toBe(Date.UTC(2024, 1, 29))
    expect(parseCsvTimestamp('2017/10/03')).toBe(Date.UTC(2017, 9, 3))
    expect(parseCsvTimestamp('2026-03-01T06:00:00Z')).toBe(Date.UTC(2026, 2, 1, 6))
    for (const bad of ['2023/2/29', '2023/13/1', '3/4/2025', '2023/1/1 10:00', '2023/1']) expect(parseCsvTimestamp(bad)).toBeNull()
    expect(() => csvToRows(parseCsv('d\n4/3/2025\n'), [{ name: 'd', type: 'timestamp' }])).toThrow(/"4\/3\/2025" is not a valid timestamp \(expected .*or YYYY\/M\/D\)/)
  })
})

describe('record tables (JSON and function sources)', () => {
  const schema = [
    { name: 'id', type: 'int' as const },
    { name: 'ts', type: 'timestamp' as const },
    { name: 'x', type: 'float' as const },
    { name: 'ok', type: 'bool' as const },
    { name: 'name', type: 'string' as const },
  ]

  it('takes the union of keys, lowercased in first-seen order, and typed cells as they are', () => {
    const t = recordsToTable([{ ID: 1, ts: '2026-01-01', x: 1.5 }, { id: 2, ts: new Date(0), ok: true, Name: 'b', x: null }])
    expect(t.header).toEqual(['id', 'ts', 'x', 'ok', 'name'])
    expect(tableRecords(t)).toEqual([
      { id: 1, ts: '2026-01-01', x: 1.5, ok: null, name: null },
      { id: 2, ts: new Date(0), x: null, ok: true, name: 'b' },
    ])
    expect(csvToRows(t, schema)).toEqual([
      { id: 1, ts: new Date('2026-01-01T00:00:00Z'), x: 1.5, ok: null, name: null },
      { id: 2, ts: new Date(0), x: null, ok: true, name: 'b' },
    ])
  })

  it('refuses cells of the wrong type by record and column, without CSV line numbers', () => {
    const t = recordsToTable([{ id: 1.5, x: '2.5', ok: 'yes', name: 3 }, { id: 2, x: Infinity, ts: {} }])
    const e = (() => {
      try {
        csvToRows(t, schema, 'feed')
      } catch (err) {
        return err as ValidationError
      }
    })()
    expect(e?.issues.map((i) => `${i.path}: ${i.reason}`)).toEqual([
      'row 1.id: number 1.5 is not a valid int',
      'row 1.ok: "yes" is not a valid bool',
      'row 1.name: number 3 is not a valid string',
      'row 2.x: number Infinity is not a valid float',
      `row 2.ts: an object is not a valid timestamp (expected ${TIMESTAMP_FORMAT})`,
    ])
  })

  it('gives a schema column that no record has as null (records leave out a missing key)', () => {
    expect(csvToRows(recordsToTable([{ id: 1 }]), schema)).toEqual([{ id: 1, ts: null, x: null, ok: null, name: null }])
  })

  it('refuses items that are not records, and keys equal but for case', () => {
    expect(() => recordsToTable([{ a: 1 }, [1], null], 'feed')).toThrow(/invalid feed: row 2: an array is not a record \(a plain object\); row 3: null is not a record/)
    expect(() => recordsToTable([{ a: 1, A: 2 }], 'feed')).toThrow(/row 1, column "a": keys "a" and "A" are the same column/)
  })
})
