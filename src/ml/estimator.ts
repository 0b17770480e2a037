import { ValidationError } from './errors.js'
import type { MatrixLike } from './matrix.js'
import type { Label } from './labels.js'

/** The serialised form of every estimator: `kind` picks the class in loadModel(). */
export interface ModelJson<P = unknown, L = unknown> {
  readonly kind: string
  readonly version: 1
  readonly params: P
  readonly learned: L | null
}

/** What every classifier in ml/ offers (scikit-learn's estimator contract in TypeScript shape). */
export interface Classifier {
  readonly params: Readonly<object>
  /** Sorted class labels; throws NotFittedError before fit. */
  readonly classes_: readonly Label[]
  readonly nFeaturesIn_: number
  isFitted(): boolean
  fit(x: MatrixLike, y: ArrayLike<Label>): this
  predict(x: MatrixLike): Label[]
  /** n×k row-major probabilities, columns in classes_ order. */
  predictProba(x: MatrixLike): Float64Array
  predictOne(row: ArrayLike<number>): Label
  /** Writes into `out` (length k) when given, so a request loop allocates nothing. */
  predictProbaOne(row: ArrayLike<number>, out?: Float64Array): Float64Array
  toJSON(): ModelJson
}

/** What every regressor in ml/ offers: the same contract as Classifier, with one number per row. */
export interface Regressor {
  readonly params: Readonly<object>
  readonly nFeaturesIn_: number
  isFitted(): boolean
  /** y: one finite number per row of x. */
  fit(x: MatrixLike, y: ArrayLike<number>): this
  /** One prediction per row of x. */
  predict(x: MatrixLike): Float64Array
  predictOne(row: ArrayLike<number>): number
  toJSON(): ModelJson
}

/** Any estimator loadModel() can rebuild. */
export type Estimator = Classifier | Regressor

/** Whether an estimator is a classifier (has predictProba and classes_), like sklearn's is_classifier. */
export function isClassifier(est: Estimator): est is Classifier {
  return typeof (est as Classifier).predictProba === 'function'
}

/** Index of the largest value in p[offset .. offset+k), ties to the lower index (like numpy argmax). */
export function argmax(p: ArrayLike<number>, offset: number, k: number): number {
  let best = 0
  let bestV = p[offset]
  for (let c = 1; c < k; c++) {
    const v = p[offset + c]
    if (v > bestV) {
      bestV = v
      best = c
    }
  }
  return best
}

/** Row-wise argmax of an n×k probability matrix, mapped to labels. */
export function labelsFromProba(proba: Float64Array, classes: readonly Label[]): Label[] {
  const k = classes.length
  const n = k === 0 ? 0 : proba.length / k
  const out = new Array<Label>(n)
  for (let i = 0; i < n; i++) out[i] = classes[argmax(proba, i * k, k)]
  return out
}

/**
 * Checks the top-level shape of a parsed model JSON before a fromJSON() trusts it: an object of this `kind`,
 * version 1, `params` an object, `learned` an object or null (unfitted).
 * @throws ValidationError naming the field and what is wrong (a caller's input, not a bug: HTTP 400, not 500).
 */
export function checkModelJson(json: unknown, kind: string): ModelJson<any, any> {
  const j = json as ModelJson
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (!isObject(j)) throw new ValidationError(`model JSON must be an object, got ${j === null ? 'null' : Array.isArray(j) ? 'an array' : typeof j}`, 'json')
  if (j.kind !== kind) throw new ValidationError(`model JSON has kind ${JSON.stringify(j.kind)}, expected ${JSON.stringify(kind)}`, 'kind')
  if (j.version !== 1) throw new ValidationError(`model JSON version ${JSON.stringify(j.version)} is not supported (expected 1)`, 'version')
  if (!isObject(j.params)) throw new ValidationError(`model JSON params must be an object, got ${JSON.stringify(j.params) ?? 'nothing'}`, 'params')
  if (j.learned !== null && j.learned !== undefined && !isObject(j.learned))
    throw new ValidationError(`model JSON learned must be an object (null when unfitted), got ${JSON.stringify(j.learned)}`, 'learned')
  return j
}
