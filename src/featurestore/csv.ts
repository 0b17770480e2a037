import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { formatIssue, validationError, ValidationError, type ColumnType, type ValidationIssue } from '../db/index.js'
import { parseTimestamp, TIMESTAMP_FORMAT } from './timestamp.js'
import type { FeatureSpec, Row } from './types.js'
import { issueList, MISSING_COLUMN_REASON, UNSAFE_INT } from './validate.js'
import { fileFaultReason } from '../support/file-faults.js'

export interface CsvTable {
  /** Column names, lowercased like Hopsworks does, so `PassengerId` becomes `passengerid`. */
  readonly header: string[]
  readonly records: string[][]
}

/**
 * Parses CSV text with a header row; malformed CSV (ragged rows, bad quotes, no header) is a ValidationError naming the line.
 * Whitespace around a field (outside quotes) is dropped, as exports such as aqicn.org's write `date, pm25, pm10` with a space
 * after every comma; a field of spaces is an empty cell. Spaces inside quotes are kept.
 */
export function parseCsv(input: string | Uint8Array, what = 'CSV'): CsvTable {
  // A NUL never occurs in text: the file is binary (an executable, a zip, a parquet file…), and csv-parse's own
  // message would quote a field of control characters.
  const nul = typeof input === 'string' ? input.indexOf('\u0000') : input.indexOf(0)
  if (nul >= 0) {
    const line = lineAt(input, nul)
    throw new ValidationError(`${what} is not a CSV text file: it holds a NUL byte (line ${line}); is it a binary file?`, [{ row: line, reason: 'NUL byte: not text' }])
  }
  const text = typeof input === 'string' ? input : utf8Text(input, what)
  let records: string[][]
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][]
  } catch (e) {
    const err = e as { message: string; lines?: number; code?: string }
    // csv-parse quotes the offending field whole: a runaway quoted field can be megabytes
    const reason = err.message.length > MAX_REASON ? `${err.message.slice(0, MAX_REASON)}…` : err.message
    throw new ValidationError(`${what} is not valid CSV${err.lines ? ` (line ${err.lines})` : ''}: ${reason}`, [{ row: err.lines, reason }])
  }
  if (records.length === 0) throw new ValidationError(`${what} is empty: expected a header row`, [{ reason: 'empty file' }])
  const header = records[0].map((h) => h.trim().toLowerCase())
  const issues: ValidationIssue[] = []
  const seen = new Set<string>()
  header.forEach((h, i) => {
    if (h === '') issues.push({ column: `#${i + 1}`, reason: 'empty column name in the header' })
    else if (seen.has(h)) issues.push({ column: h, reason: 'duplicate column name in the header' })
    seen.add(h)
  })
  if (issues.length) throw validationError(issues, what)
  return { header, records: records.slice(1) }
}

/** Longest csv-parse message kept in an error (characters). */
const MAX_REASON = 200

/**
 * Bytes as UTF-8 text, refused when they are not (a Latin-1 or UTF-16 export): decoded leniently, each bad byte
 * would become U+FFFD and be stored so, silently. The BOM is left for csv-parse to drop.
 * @throws ValidationError naming the first line that is not UTF-8.
 */
function utf8Text(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    let line = 1
    for (let start = 0; start < bytes.length; line++) {
      let end = bytes.indexOf(0x0a, start)
      if (end < 0) end = bytes.length
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, end))
      } catch {
        break
      }
      start = end + 1
    }
    throw new ValidationError(`${what} is not UTF-8 text (line ${line}): save it as UTF-8`, [{ row: line, reason: 'not UTF-8 text' }])
  }
}

/** 1-based line of the character (text) or byte at `index`. */
function lineAt(input: string | Uint8Array, index: number): number {
  const newline = (from: number) => (typeof input === 'string' ? input.indexOf('\n', from) : input.indexOf(0x0a, from))
  let line = 1
  for (let i = newline(0); i >= 0 && i < index; i = newline(i + 1)) line++
  return line
}

export function readCsvFile(path: string): CsvTable {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (e) {
    const reason = fileFaultReason(e, 'read')
    if (!reason) throw e
    throw new ValidationError(`cannot read ${path}: ${reason}`, [{ path, reason }], { cause: e })
  }
  return parseCsv(bytes, path)
}

/**
 * Cells that other tools write for "no value" in a column of numbers, booleans or timestamps: pandas' `read_csv`
 * default `na_values` (its `STR_NA_VALUES`: `NaN` from pandas, `NA` from R, `#N/A` and `n/a` from spreadsheets).
 * The store does not guess that text means "missing": a missing value in a CSV is an empty cell, and such a cell
 * is refused like any other bad number, with that hint (`csvToRows`). Inference skips them (`inferCsvSchema`), so a
 * column of numbers with a few `NaN` is still a number column, and `sml init` names them before anything is made.
 */
export const CSV_MISSING_MARKERS: ReadonlySet<string> = new Set(['#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null'])

/** True when a CSV cell is a missing-value marker of another tool (CSV_MISSING_MARKERS) in a column of this type (not text). */
export function isMissingMarker(s: string, type: ColumnType): boolean {
  return type !== 'string' && CSV_MISSING_MARKERS.has(s)
}

const INT = /^[+-]?\d+$/
const FLOAT = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/
const BOOL = /^(true|false)$/i

/**
 * A CSV cell's timestamp: ISO 8601 text (`parseTimestamp`), or a year-first date with slashes, `YYYY/M/D` (month and day
 * with one or two digits, as spreadsheet and aqicn.org exports write dates), read as that day's UTC midnight. Year-first
 * keeps it unambiguous (`3/4/2025` is refused: March or April?). Null when the text is neither or not a calendar date.
 */
export function parseCsvTimestamp(text: string): number | null {
  const iso = parseTimestamp(text)
  if (iso !== null) return iso
  const m = SLASHED_DATE.exec(text.trim())
  return m ? parseTimestamp(`${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`) : null
}

const SLASHED_DATE = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/

/** What a timestamp cell of a CSV may hold, for error messages. */
export const CSV_TIMESTAMP_FORMAT = `${TIMESTAMP_FORMAT}; or YYYY/M/D`

/**
 * Infers each column's type from its non-empty cells: int, float, bool, timestamp (see parseCsvTimestamp), else text.
 * Other tools' missing-value markers (`NaN`, `NA`, `n/a`, … CSV_MISSING_MARKERS) are skipped like empty cells, so
 * `NaN, 3, n/a, 5` is an int column (whose marker cells csvToRows then refuses, naming them), not text.
 */
export function inferCsvSchema(table: CsvTable): FeatureSpec[] {
  return table.header.map((name, c) => {
    let isInt = true
    // whole numbers past ±(2^53 − 1) (20-digit ids, say): text keeps their digits, a number would not
    let unsafeInt = false
    let isFloat = true
    let isBool = true
    let isTime = true
    let any = false
    for (const rec of table.records) {
      const s = rec[c]
      if (s === '' || CSV_MISSING_MARKERS.has(s)) continue
      any = true
      if (isInt && !INT.test(s)) isInt = false
      else if (isInt && !Number.isSafeInteger(Number(s))) unsafeInt = true
      if (isFloat && !FLOAT.test(s)) isFloat = false
      if (isBool && !BOOL.test(s)) isBool = false
      if (isTime && parseCsvTimestamp(s) === null) isTime = false
      if (!isInt && !isFloat && !isBool && !isTime) break
    }
    const type: ColumnType = !any || (isInt && unsafeInt) ? 'string' : isInt ? 'int' : isFloat ? 'float' : isBool ? 'bool' : isTime ? 'timestamp' : 'string'
    return { name, type }
  })
}

/**
 * A table of records: column names and one cell per column per record. A `CsvTable` is one (text cells); a JSON
 * or function source gives typed cells (numbers, booleans, null, Date or ISO text).
 */
export interface RecordTable {
  readonly header: readonly string[]
  readonly records: readonly (readonly unknown[])[]
}

/**
 * Converts a table's cells to typed values by the schema. Text cells (CSV) are parsed: '' is a missing value (a
 * marker such as `NaN` or `NA` is refused with that hint: see CSV_MISSING_MARKERS),
 * timestamp text without an offset is UTC (see parseCsvTimestamp). Other cells (JSON, a function's records) are taken as they are when
 * they have the column's type: a finite number for float (an integer for int), a boolean for bool, a Date or
 * timestamp text for timestamp; null and undefined are missing values. Anything else is a ValidationError
 * naming the row and column. Every column of the table must be in the schema, and every column of the schema in
 * a CSV's header (a CSV without a column would otherwise insert nulls over a stored row's values; an empty cell is
 * the missing value); in records (`recordsToTable`) a key no record has is null, as is a key one record lacks.
 * Each row holds every schema column, null where missing. The error counts every bad cell, naming the first 50.
 */
export function csvToRows(table: RecordTable, schema: readonly FeatureSpec[], what = 'CSV'): Row[] {
  const byName = new Map(schema.map((f) => [f.name, f]))
  const issues: ValidationIssue[] = []
  table.header.forEach((h) => {
    if (!byName.has(h)) issues.push({ column: h, reason: 'unknown column (not in the feature group schema)' })
  })
  const records = isRecordTable(table)
  const absent = schema.filter((f) => !table.header.includes(f.name)).map((f) => f.name)
  if (!records && absent.length) {
    // one sentence for all of them: a partial file usually lacks many
    const missing = `missing column${absent.length > 1 ? 's' : ''} ${absent.map((c) => `"${c}"`).join(', ')}: an insert must give every column of the feature group schema (an empty cell is a missing value)`
    throw new ValidationError(`invalid ${what}: ${[...issues.map(formatIssue), missing].join('; ')}`, [...issues, ...absent.map((column) => ({ column, reason: MISSING_COLUMN_REASON }))])
  }
  if (issues.length) throw validationError(issues, what)
  const types = table.header.map((h) => byName.get(h)!.type)
  const rows: Row[] = new Array(table.records.length)
  const { issues: cells, add, found } = issueList()
  for (let r = 0; r < table.records.length; r++) {
    const rec = table.records[r]
    const row: Row = {}
    for (const name of absent) row[name] = null
    for (let c = 0; c < types.length; c++) {
      const s = rec[c]
      const v = typeof s === 'string' ? parseCell(types[c], s) : typedCell(types[c], s)
      if (v === undefined) {
        const expected = types[c] === 'timestamp' ? ` (expected ${typeof s === 'string' ? CSV_TIMESTAMP_FORMAT : TIMESTAMP_FORMAT})` : ''
        const shown = typeof s === 'string' ? JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s) : describeValue(s)
        // A CSV file's line numbers are what people look up; records of a JSON or function source have none.
        const where = records ? '' : ` (line ${r + 2})`
        const hint = typeof s === 'string' && isMissingMarker(s, types[c]) ? ' (a missing value is an empty cell)' : ''
        if (types[c] === 'int' && typeof s === 'string' && INT.test(s.trim())) add({ row: r + 1, column: table.header[c], reason: `${shown} is ${UNSAFE_INT}${where}` })
        else add({ row: r + 1, column: table.header[c], reason: `${shown} is not a valid ${types[c]}${hint}${expected}${where}` })
      }
      else row[table.header[c]] = v
    }
    rows[r] = row
  }
  if (cells.length) throw validationError(cells, what, found())
  return rows
}

/**
 * A ValidationError about rows of a CSV file (from `FeatureGroup.insert` or `validateRows`: duplicate or missing
 * keys, nulls, expectations) with each issue's file line added, as `csvToRows` gives its own: data row r is line
 * r + 1 (the header is line 1). Anything else is returned as it is.
 */
export function withCsvLines(e: unknown, what: string): unknown {
  if (!(e instanceof ValidationError) || !e.issues.some((i) => i.row !== undefined)) return e
  const issues = e.issues.map(({ path: _path, ...i }) => (i.row === undefined || /\(line \d+\)$/.test(i.reason) ? i : { ...i, reason: `${i.reason} (line ${i.row + 1})` }))
  return validationError(issues, what, e.found)
}

/** A non-text cell as it is, when it has the column's type; undefined when it does not. */
function typedCell(type: ColumnType, v: unknown): number | string | boolean | Date | null | undefined {
  if (v === null || v === undefined) return null
  switch (type) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? v : undefined
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined
    case 'bool':
      return typeof v === 'boolean' ? v : undefined
    case 'timestamp':
      return v instanceof Date && !Number.isNaN(v.getTime()) ? v : undefined
    case 'string':
      return undefined
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid Date' : `the Date ${v.toISOString()}`
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') return 'an object'
  if (typeof v === 'string') return JSON.stringify(v)
  return `${typeof v} ${String(v)}`
}

const fromRecords = new WeakSet<object>()
function isRecordTable(table: object): boolean {
  return fromRecords.has(table)
}

/**
 * Records (plain objects, as a JSON or function source returns them) as a table: the union of their keys,
 * lowercased like a CSV header, in first-seen order; a key a record lacks is null.
 * @throws ValidationError when an item is not a plain object, or two keys differ only in case.
 */
export function recordsToTable(records: readonly unknown[], what = 'records'): RecordTable {
  const { issues, add, found } = issueList()
  const index = new Map<string, number>()
  const header: string[] = []
  const keysOf: string[][] = []
  records.forEach((rec, i) => {
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec) || rec instanceof Date) {
      add({ row: i + 1, reason: `${describeValue(rec)} is not a record (a plain object)` })
      keysOf.push([])
      return
    }
    const keys = Object.keys(rec)
    const lower = keys.map((k) => k.trim().toLowerCase())
    lower.forEach((k, j) => {
      if (lower.indexOf(k) !== j) add({ row: i + 1, column: k, reason: `keys ${JSON.stringify(keys[lower.indexOf(k)])} and ${JSON.stringify(keys[j])} are the same column` })
      if (k === '') add({ row: i + 1, reason: 'a key is empty' })
      if (!index.has(k)) {
        index.set(k, header.length)
        header.push(k)
      }
    })
    keysOf.push(keys)
  })
  if (issues.length) throw validationError(issues, what, found())
  const table: RecordTable = {
    header,
    records: records.map((rec, i) => {
      const cells: unknown[] = new Array(header.length).fill(null)
      for (const k of keysOf[i]) {
        const v = (rec as Record<string, unknown>)[k]
        cells[index.get(k.trim().toLowerCase())!] = v === undefined ? null : v
      }
      return cells
    }),
  }
  fromRecords.add(table)
  return table
}

/** A table's records as plain objects keyed by column (the inverse of recordsToTable). */
export function tableRecords(table: RecordTable): Record<string, unknown>[] {
  return table.records.map((rec) => Object.fromEntries(table.header.map((h, c) => [h, rec[c]])))
}

function parseCell(type: ColumnType, s: string): number | string | boolean | Date | null | undefined {
  if (s === '') return null
  switch (type) {
    case 'int': {
      const t = s.trim()
      return INT.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : undefined
    }
    case 'float': {
      // NaN and Infinity are refused: the store keeps finite numbers and null (an empty cell) for "missing".
      const t = s.trim()
      return FLOAT.test(t) ? Number(t) : undefined
    }
    case 'bool':
      return BOOL.test(s.trim()) ? s.trim().toLowerCase() === 'true' : undefined
    case 'timestamp': {
      const ms = parseCsvTimestamp(s)
      return ms === null ? undefined : new Date(ms)
    }
    case 'string':
      return s
  }
}

/**
 * Quotes one CSV field when needed: a quote, comma or line break in it, or whitespace at either end (parseCsv
 * trims unquoted fields, so an unquoted '  x ' would come back as 'x').
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return ''
  const s = v instanceof Date ? v.toISOString() : String(v)
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}
