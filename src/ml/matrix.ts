/** A dense row-major matrix of float64 features: row i, column j is data[i * nCols + j]. */
export interface Matrix {
  readonly data: Float64Array
  readonly nRows: number
  readonly nCols: number
}

/** Builds a Matrix from an array of rows, checking that every row has the same width. */
export function matrixFromRows(rows: ArrayLike<ArrayLike<number>>): Matrix {
  const nRows = rows.length
  const nCols = nRows === 0 ? 0 : rows[0].length
  const data = new Float64Array(nRows * nCols)
  for (let i = 0; i < nRows; i++) {
    const r = rows[i]
    if (r.length !== nCols) throw new RangeError(`row ${i} has ${r.length} values, expected ${nCols} (ragged rows)`)
    for (let j = 0; j < nCols; j++) data[i * nCols + j] = r[j]
  }
  return { data, nRows, nCols }
}

/** Accepts either a Matrix or an array of rows. */
export type MatrixLike = Matrix | ArrayLike<ArrayLike<number>>

export function isMatrix(x: unknown): x is Matrix {
  return typeof x === 'object' && x !== null && (x as Matrix).data instanceof Float64Array && typeof (x as Matrix).nCols === 'number'
}

export function toMatrix(x: MatrixLike): Matrix {
  return isMatrix(x) ? x : matrixFromRows(x)
}

/** Picks rows by index into a new matrix (used for splits and bootstraps). */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const { nCols } = m
  const data = new Float64Array(idx.length * nCols)
  for (let i = 0; i < idx.length; i++) data.set(m.data.subarray(idx[i] * nCols, idx[i] * nCols + nCols), i * nCols)
  return { data, nRows: idx.length, nCols }
}
