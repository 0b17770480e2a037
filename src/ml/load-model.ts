import type { Classifier } from './estimator.js'
import { RandomForestClassifier } from './forest/random-forest.js'
import { KNeighborsClassifier } from './knn.js'
import { DecisionTreeClassifier } from './tree/decision-tree.js'

const loaders: Record<string, (json: unknown) => Classifier> = {
  KNeighborsClassifier: (j) => KNeighborsClassifier.fromJSON(j),
  DecisionTreeClassifier: (j) => DecisionTreeClassifier.fromJSON(j),
  RandomForestClassifier: (j) => RandomForestClassifier.fromJSON(j),
}

/** Rebuilds any ml/ estimator from its toJSON() output (an object or a JSON string), picked by `kind`. */
export function loadModel(json: unknown): Classifier {
  const j = typeof json === 'string' ? (JSON.parse(json) as unknown) : json
  const kind = (j as { kind?: unknown } | null)?.kind
  const load = typeof kind === 'string' ? loaders[kind] : undefined
  if (load === undefined) throw new TypeError(`unknown model kind ${JSON.stringify(kind)}; expected one of ${Object.keys(loaders).join(', ')}`)
  return load(j)
}
