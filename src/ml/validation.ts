import { ValidationError } from './errors.js'
import { isMatrix, type Matrix, type MatrixLike } from './matrix.js'
import { checkLabels, encodeLabels, uniqueLabels, type Label } from './labels.js'

/**
 * Turns x into a Matrix, refusing empty, ragged and non-finite input with a message naming the cell.
 * `allowNaN` lets NaN through (missing values, for estimators that route them); ±Infinity is always refused.
 */
export function checkMatrix(x: MatrixLike, name = 'x', allowEmpty = false, allowNaN = false): Matrix {
  const m = checkMatrixShape(x, name, allowEmpty)
  checkFinite(m, name, allowNaN)
  return m
}

/**
 * checkMatrix without its scan for non-finite values (typed rows are still checked for numbers),
 * for estimators that see a NaN or ±Infinity in what they compute anyway (a column sum, an
 * output) and then call checkFinite for checkMatrix's message: one pass over the data less.
 */
export function checkMatrixShape(x: MatrixLike, name = 'x', allowEmpty = false): Matrix {
  let m: Matrix
  if (isMatrix(x)) {
    if (x.data.length !== x.nRows * x.nCols) {
      throw new ValidationError(`${name} has ${x.data.length} values but is declared ${x.nRows}×${x.nCols}`, name)
    }
    m = x
  } else {
    if (x == null || typeof x.length !== 'number') throw new ValidationError(`${name} must be a Matrix or an array of rows`, name)
    const nRows = x.length
    const nCols = nRows === 0 ? 0 : x[0]?.length ?? 0
    const data = new Float64Array(nRows * nCols)
    for (let i = 0; i < nRows; i++) {
      const r = x[i]
      if (r == null || typeof r.length !== 'number') throw new ValidationError(`${name}[${i}] is not a row`, name)
      if (r.length !== nCols) throw new ValidationError(`${name}[${i}] has ${r.length} values, expected ${nCols} (ragged rows)`, name)
      for (let j = 0; j < nCols; j++) {
        const v = r[j]
        if (typeof v !== 'number') throw new ValidationError(`${name}[${i}][${j}] is not a number (${JSON.stringify(v)})`, name)
        data[i * nCols + j] = v
      }
    }
    m = { data, nRows, nCols }
  }
  if (!allowEmpty && m.nRows === 0) throw new ValidationError(`${name} is empty (0 samples)`, name)
  if (!allowEmpty && m.nCols === 0) throw new ValidationError(`${name} has 0 features`, name)
  return m
}

/** Throws checkMatrix's ValidationError for the first non-finite cell of m (row-major order); NaN passes with allowNaN. */
export function checkFinite(m: Matrix, name = 'x', allowNaN = false): void {
  const d = m.data
  for (let k = 0; k < d.length; k++) {
    if (!Number.isFinite(d[k]) && !(allowNaN && d[k] !== d[k])) {
      const i = Math.floor(k / m.nCols)
      const j = k - i * m.nCols
      throw new ValidationError(`${name}[${i}][${j}] is ${d[k]}: ${nonFiniteReason(d[k], j)}`, name)
    }
  }
}

/** Why a non-finite feature value is refused, naming its column (scikit-learn's "Input X contains NaN"). */
function nonFiniteReason(v: number, column: number): string {
  return Number.isNaN(v)
    ? `feature column ${column} has a missing value, which this estimator does not accept (impute it first)`
    : `feature column ${column} must hold finite numbers`
}

/** Validates x against the number of features seen in fit. */
export function checkPredictMatrix(x: MatrixLike, nFeatures: number, name = 'x', allowNaN = false): Matrix {
  const m = checkMatrix(x, name, true, allowNaN)
  checkWidth(m, nFeatures, name)
  return m
}

/**
 * checkPredictMatrix without the scan for non-finite values (see checkMatrixShape): the caller
 * checks its outputs, which a NaN or ±Infinity input always makes non-finite, and calls
 * checkFinite on the matrix when one is.
 */
export function checkPredictShape(x: MatrixLike, nFeatures: number, name = 'x'): Matrix {
  const m = checkMatrixShape(x, name, true)
  checkWidth(m, nFeatures, name)
  return m
}

function checkWidth(m: Matrix, nFeatures: number, name: string): void {
  if (m.nRows > 0 && m.nCols !== nFeatures) {
    throw new ValidationError(`${name} has ${m.nCols} features, but the model was fitted with ${nFeatures}`, name)
  }
}

/** Validates one row for predictOne without copying it. */
export function checkRow(row: ArrayLike<number>, nFeatures: number, allowNaN = false): void {
  if (row == null || row.length !== nFeatures) {
    throw new ValidationError(`row has ${row?.length} values, but the model was fitted with ${nFeatures} features`, 'row')
  }
  for (let j = 0; j < nFeatures; j++) {
    const v = row[j]
    if (typeof v !== 'number') throw new ValidationError(`row[${j}] is not a number (${JSON.stringify(v)})`, 'row')
    if (!Number.isFinite(v) && !(allowNaN && v !== v)) throw new ValidationError(`row[${j}] is ${v}: ${nonFiniteReason(v, j)}`, 'row')
  }
}

export interface CheckedXy {
  readonly x: Matrix
  /** Class index of each sample into `classes`. */
  readonly y: Int32Array
  readonly classes: Label[]
}

/** The validation opening every fit(): x finite and rectangular, y labels of one kind, same length. */
export function checkXy(x: MatrixLike, y: ArrayLike<Label>, allowNaN = false): CheckedXy {
  const m = checkMatrix(x, 'x', false, allowNaN)
  if (y == null || typeof y.length !== 'number') throw new ValidationError('y must be an array of labels', 'y')
  if (y.length !== m.nRows) throw new ValidationError(`y has ${y.length} labels but x has ${m.nRows} rows`, 'y')
  checkLabels(y, 'y')
  const classes = uniqueLabels(y)
  return { x: m, y: encodeLabels(y, classes), classes }
}

/** The validation opening every regressor's fit(): x as in checkXy, y one finite number per row (sklearn's y_numeric). */
export function checkXyNumeric(x: MatrixLike, y: ArrayLike<number>, allowNaN = false): { readonly x: Matrix; readonly y: Float64Array } {
  const m = checkMatrix(x, 'x', false, allowNaN)
  return { x: m, y: checkTargetNumeric(y, m.nRows) }
}

/** checkXyNumeric's check of y against x's nRows rows: a copy of y as float64. */
export function checkTargetNumeric(y: ArrayLike<number>, nRows: number): Float64Array {
  checkTargetLength(y, nRows)
  const out = new Float64Array(y.length)
  for (let i = 0; i < y.length; i++) out[i] = checkTargetValue(y[i], i)
  return out
}

/** checkTargetNumeric without the copy, for a fit that only reads y before it returns: y itself. */
export function checkTargetValues(y: ArrayLike<number>, nRows: number): ArrayLike<number> {
  checkTargetLength(y, nRows)
  for (let i = 0; i < y.length; i++) checkTargetValue(y[i], i)
  return y
}

function checkTargetLength(y: ArrayLike<number>, nRows: number): void {
  if (y == null || typeof y.length !== 'number') throw new ValidationError('y must be an array of numbers', 'y')
  if (y.length !== nRows) throw new ValidationError(`y has ${y.length} values but x has ${nRows} rows`, 'y')
}

function checkTargetValue(v: unknown, i: number): number {
  if (typeof v !== 'number') throw new ValidationError(`y[${i}] is ${v === null ? 'null' : `a ${typeof v}`}; regression targets must be numbers`, 'y')
  if (!Number.isFinite(v)) throw new ValidationError(`y[${i}] is ${v}; regression targets must be finite`, 'y')
  return v
}

/**
 * An estimator's parameters, frozen, once the options it was given are checked for names it does not
 * have: `params` holds every option (defaulted), so any other key of `options` is a misspelt or
 * foreign one, which would otherwise be ignored and its default used. scikit-learn refuses it too
 * (TypeError: unexpected keyword argument). Throws ValidationError naming the option and listing the
 * estimator's own, or when `options` is not an object.
 */
export function estimatorParams<P extends object>(kind: string, options: unknown, params: P): Readonly<P> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(`${kind} options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`, 'options')
  }
  const known = Object.keys(params)
  const unknown = Object.keys(options).filter((k) => !known.includes(k))
  if (unknown.length > 0) {
    const names = unknown.map((k) => JSON.stringify(k)).join(', ')
    throw new ValidationError(
      `${kind} has no option ${names} (its options: ${known.join(', ')})`,
      unknown.map((k) => ({ path: k, reason: `not an option of ${kind}` })),
    )
  }
  return Object.freeze(params)
}
