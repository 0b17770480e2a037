import { validationError, type ColumnType, type ValidationIssue } from '../db/index.js'
import type { Matrix } from '../ml/matrix.js'
import type { ColumnBatch } from './feature-group.js'
import { applyTransformation, outputNames } from './transformations.js'
import type { FittedTransformation, Row, TransformationKind } from './types.js'
import { coerceValue, describe, issueList } from './validate.js'

// The one conversion from feature values to model inputs. Training (trainTestSplit), batch inference
// (getBatchData), online lookups (getFeatureVector) and prediction requests (transformRows) all end in
// `transformColumns`, so a value becomes the same numbers whichever way it was read (no training/serving skew).
//
// A value's model-input form, by column type (what a columnar read of the store already delivers):
//   int, float   the number; missing (null) → NaN
//   bool         true → 1, false → 0; missing → NaN
//   timestamp    epoch milliseconds, UTC (the stored form); missing → NaN. A Date, a number of ms or
//                ISO 8601 text is accepted, read as insert reads it.
//   string       the text; missing → null. Text becomes numbers only through label_encoder or
//                one_hot_encoder; without one the column is refused (`checkModelInputs`).

/** A value in its model-input form: a number (NaN when missing) or, for a text column, text or null. */
export type ModelValue = number | string | null

/**
 * Brings one row value (a stored row's Date or boolean, or a request's number or text) to its
 * model-input form. Throws ValidationError naming the column when the value does not fit the type.
 */
export function toModelValue(column: string, type: ColumnType, v: unknown): ModelValue {
  if (v === null || v === undefined) return type === 'string' ? null : NaN
  switch (type) {
    case 'string':
      if (typeof v === 'string') return v
      break
    case 'bool':
      if (typeof v === 'boolean') return v ? 1 : 0
      break
    case 'int':
    case 'float':
      if (typeof v === 'number') return v
      break
    case 'timestamp': {
      const r = coerceValue('timestamp', v)
      if (r.ok) return r.value as number
      throw validationError([{ column, reason: r.reason }], 'features')
    }
  }
  throw validationError([{ column, reason: `expected a ${type} value, got ${describe(v)}` }], 'features')
}

/** The inverse for a key column: a model-input value back as a row value (Date, boolean), for `lookup`. */
export function fromModelValue(type: ColumnType, v: ModelValue): Row[string] {
  if (v === null || (typeof v === 'number' && Number.isNaN(v))) return null
  if (type === 'timestamp') return new Date(v as number)
  if (type === 'bool') return v === 1
  return v
}

/**
 * Row objects as a ColumnBatch in model-input form (the shape a columnar read returns). A row without one
 * of the columns is refused (null, not absence, means missing), naming the row and column.
 */
export function rowsToColumns(rows: readonly Row[], columns: readonly string[], types: Readonly<Record<string, ColumnType>>): ColumnBatch {
  const out: ColumnBatch['columns'] = {}
  const { issues, add, found } = issueList()
  for (const c of columns) {
    const type = types[c]
    const col: Float64Array | (string | null)[] = type === 'string' ? new Array<string | null>(rows.length) : new Float64Array(rows.length)
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r]?.[c]
      if (v === undefined) {
        add({ row: r + 1, column: c, reason: 'missing (use null for a missing value)' })
        continue
      }
      col[r] = toModelValue(c, type, v) as never
    }
    out[c] = col
  }
  if (issues.length) throw validationError(issues, 'features', found())
  return { nRows: rows.length, columns: out, types: { ...types } }
}

/**
 * Refuses text input columns that no encoder turns into numbers, naming each; `transformations` maps a
 * column to its transformation (kind, or fitted). Called before a split reads or records anything, and
 * by every transform, so training, batch and online refuse alike.
 */
export function checkModelInputs(
  columns: readonly string[],
  types: Readonly<Record<string, ColumnType>>,
  transformations: Readonly<Record<string, TransformationKind | FittedTransformation | undefined>>,
): void {
  const issues: ValidationIssue[] = []
  for (const c of columns) {
    const t = transformations[c]
    const kind = typeof t === 'string' ? t : t?.kind
    if (types[c] === 'string' && kind !== 'label_encoder' && kind !== 'one_hot_encoder')
      issues.push({ column: c, reason: `text column needs a label_encoder or one_hot_encoder transformation to be a model input${kind ? ` (${kind} needs numbers)` : ''}` })
  }
  if (issues.length) throw validationError(issues, 'features')
}

/**
 * The one transform: rows `idx` of model-input columns → an idx.length × (sum of output widths) row-major
 * matrix, each column through its fitted transformation (or as is). Throws ValidationError naming the column
 * for a text column without an encoder or a value a label_encoder did not see in training.
 */
export function transformColumns(
  data: ColumnBatch,
  idx: ArrayLike<number>,
  columns: readonly string[],
  fitted: Readonly<Record<string, FittedTransformation>>,
): Matrix {
  checkModelInputs(columns, data.types, fitted)
  const widths = columns.map((c) => outputNames(c, fitted[c]).length)
  const nCols = widths.reduce((a, b) => a + b, 0)
  const out = new Float64Array(idx.length * nCols)
  let offset = 0
  columns.forEach((c, j) => {
    const values = data.columns[c]
    const t = fitted[c]
    if (!t && values instanceof Float64Array) {
      for (let i = 0; i < idx.length; i++) out[i * nCols + offset] = values[idx[i]]
    } else {
      for (let i = 0; i < idx.length; i++) applyTransformation(c, t, values[idx[i]], out, i * nCols + offset)
    }
    offset += widths[j]
  })
  return { data: out, nRows: idx.length, nCols }
}
