import type { Estimator } from './estimator.js'
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

/** Rebuilds any ml/ estimator from its toJSON() output (an object or a JSON string), picked by `kind`. */
export function loadModel(json: unknown): Estimator {
  const j = typeof json === 'string' ? (JSON.parse(json) as unknown) : json
  const kind = (j as { kind?: unknown } | null)?.kind
  const load = typeof kind === 'string' ? loaders[kind] : undefined
  if (load === undefined) throw new TypeError(`unknown model kind ${JSON.stringify(kind)}; expected one of ${Object.keys(loaders).join(', ')}`)
  return load(j)
}
