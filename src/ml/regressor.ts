import type { ModelJson } from './estimator.js'
import type { MatrixLike } from './matrix.js'

/** What every regressor in ml/ offers (scikit-learn's estimator contract for a numeric target). */
export interface Regressor {
  readonly params: Readonly<object>
  /** Width of x seen in fit; throws NotFittedError before fit. */
  readonly nFeaturesIn_: number
  isFitted(): boolean
  /** y: one finite number per row of x. */
  fit(x: MatrixLike, y: ArrayLike<number>): this
  /** One prediction per row of x. */
  predict(x: MatrixLike): Float64Array
  /** The prediction for one row, allocating nothing. */
  predictOne(row: ArrayLike<number>): number
  toJSON(): ModelJson
}
