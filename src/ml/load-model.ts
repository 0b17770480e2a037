import { HistGradientBoostingClassifier } from './boosting/hist-gradient-boosting-classifier.js'
import { HistGradientBoostingRegressor } from './boosting/hist-gradient-boosting-regressor.js'
import type { Classifier } from './estimator.js'
import { RandomForestClassifier } from './forest/random-forest.js'
import { KNeighborsClassifier } from './knn.js'
import type { Regressor } from './regressor.js'
import { DecisionTreeClassifier } from './tree/decision-tree.js'

/** Any fitted ml/ model loadModel can rebuild. */
export type Estimator = Classifier | Regressor

const loaders: Record<string, (json: unknown) => Estimator> = {
  KNeighborsClassifier: (j) => KNeighborsClassifier.fromJSON(j),
  DecisionTreeClassifier: (j) => DecisionTreeClassifier.fromJSON(j),
  RandomForestClassifier: (j) => RandomForestClassifier.fromJSON(j),
  HistGradientBoostingClassifier: (j) => HistGradientBoostingClassifier.fromJSON(j),
  HistGradientBoostingRegressor: (j) => HistGradientBoostingRegressor.fromJSON(j),
}

/** Whether a loaded model is a classifier (has class probabilities) rather than a regressor. */
export function isClassifier(model: Estimator): model is Classifier {
  return typeof (model as Partial<Classifier>).predictProba === 'function'
}

/** Rebuilds any ml/ estimator from its toJSON() output (an object or a JSON string), picked by `kind`. */
export function loadModel(json: unknown): Estimator {
  const j = typeof json === 'string' ? (JSON.parse(json) as unknown) : json
  const kind = (j as { kind?: unknown } | null)?.kind
  const load = typeof kind === 'string' ? loaders[kind] : undefined
  if (load === undefined) throw new TypeError(`unknown model kind ${JSON.stringify(kind)}; expected one of ${Object.keys(loaders).join(', ')}`)
  return load(j)
}
