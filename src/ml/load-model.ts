import type { Estimator } from './estimator.js'
import { SmlError, ValidationError } from '../errors/index.js'
import { HistGradientBoostingClassifier } from './boosting/hist-gradient-boosting-classifier.js'
import { HistGradientBoostingRegressor } from './boosting/hist-gradient-boosting-regressor.js'
import { RandomForestClassifier } from './forest/random-forest.js'
import { RandomForestRegressor } from './forest/random-forest-regressor.js'
import { KNeighborsClassifier } from './knn.js'
import { KNeighborsRegressor } from './knn-regressor.js'
import { LinearRegression, Ridge } from './linear/linear-regression.js'
import { LogisticRegression } from './linear/logistic-regression.js'
import { DecisionTreeClassifier } from './tree/decision-tree.js'
import { DecisionTreeRegressor } from './tree/decision-tree-regressor.js'

const loaders: Record<string, (json: unknown) => Estimator> = {
  KNeighborsClassifier: (j) => KNeighborsClassifier.fromJSON(j),
  DecisionTreeClassifier: (j) => DecisionTreeClassifier.fromJSON(j),
  RandomForestClassifier: (j) => RandomForestClassifier.fromJSON(j),
  DecisionTreeRegressor: (j) => DecisionTreeRegressor.fromJSON(j),
  RandomForestRegressor: (j) => RandomForestRegressor.fromJSON(j),
  KNeighborsRegressor: (j) => KNeighborsRegressor.fromJSON(j),
  LogisticRegression: (j) => LogisticRegression.fromJSON(j),
  LinearRegression: (j) => LinearRegression.fromJSON(j),
  Ridge: (j) => Ridge.fromJSON(j),
  HistGradientBoostingClassifier: (j) => HistGradientBoostingClassifier.fromJSON(j),
  HistGradientBoostingRegressor: (j) => HistGradientBoostingRegressor.fromJSON(j),
}

/**
 * Rebuilds any ml/ estimator from its toJSON() output (an object or a JSON string), picked by `kind`.
 * @throws ValidationError when the text is not JSON, the value is not an object, its kind is not one of the known
 *   kinds (listed), or its fields do not have the shape that kind's toJSON() writes.
 */
export function loadModel(json: unknown): Estimator {
  let j: unknown = json
  if (typeof json === 'string') {
    try {
      j = JSON.parse(json)
    } catch (e) {
      throw new ValidationError(`model JSON is not JSON: ${(e as Error).message}`, 'json', { cause: e })
    }
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new ValidationError(`model JSON must be an object with a kind, got ${j === null ? 'null' : Array.isArray(j) ? 'an array' : typeof j}`, 'json')
  const kind = (j as { kind?: unknown }).kind
  const load = typeof kind === 'string' && Object.hasOwn(loaders, kind) ? loaders[kind] : undefined
  if (load === undefined) throw new ValidationError(`unknown model kind ${JSON.stringify(kind) ?? '(none)'}; expected one of ${Object.keys(loaders).join(', ')}`, 'kind')
  try {
    return load(j)
  } catch (e) {
    if (e instanceof SmlError) throw e
    // reading a learned state of the wrong shape (a missing array, a wrong type) fails inside fromJSON
    throw new ValidationError(`model JSON of kind ${kind} is malformed: ${(e as Error)?.message ?? String(e)}`, 'learned', { cause: e })
  }
}
