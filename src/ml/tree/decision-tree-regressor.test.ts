import { describe, expect, it } from 'vitest'
import { r2Score } from '../metrics/regression.js'
import { runRegressorContract } from '../regressor.contract.js'
import { evenOddSplit, friedmanLike, loadDiabetes, loadIris } from '../test-support/datasets.js'
import { DecisionTreeClassifier } from './decision-tree.js'
import { DecisionTreeRegressor } from './decision-tree-regressor.js'

runRegressorContract('DecisionTreeRegressor', (seed) => new DecisionTreeRegressor({ seed }), friedmanLike())
runRegressorContract('DecisionTreeRegressor (depth 4, 2 features per split)', (seed) => new DecisionTreeRegressor({ seed, maxDepth: 4, maxFeatures: 2 }), friedmanLike())

// scikit-learn 1.2.1 (/usr/bin/python3): d = diabetes.csv; tr = even rows, te = odd rows;
// m = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X[tr], y[tr]) — the same tree for every random_state.
const SKLEARN_DEPTH3 = {
  importances: [0.0, 0.0, 0.6622724576605704, 0.1084473935982531, 0.0, 0.01655865004454464, 0.04048561310756021, 0.0, 0.17223588558907169, 0.0],
  features: [2, 8, 3, -2, -2, 6, -2, -2, 2, 3, -2, -2, 5, -2, -2],
  firstPredictions: [93.60493827160494, 192.88, 93.60493827160494, 234.5, 163.51612903225808, 93.60493827160494, 141.6, 192.88, 192.88, 141.6, 93.60493827160494, 225.92857142857142],
  leafValues: [93.60493827160494, 141.6, 163.51612903225808, 192.88, 225.92857142857142, 234.5, 241.14285714285714, 295.52941176470586],
}

describe('DecisionTreeRegressor', () => {
  const diabetes = loadDiabetes()
  const x = evenOddSplit(diabetes.x)
  const y = evenOddSplit(diabetes.y)

  it('grows scikit-learn’s depth-3 tree on diabetes: same splits, leaf means, importances', () => {
    const m = new DecisionTreeRegressor({ maxDepth: 3 }).fit(x.train, y.train)
    expect(Array.from(m.tree_.feature).map((f) => (f < 0 ? -2 : f))).toEqual(SKLEARN_DEPTH3.features)
    expect([...new Set(m.tree_.value)].sort((a, b) => a - b)).toEqual(SKLEARN_DEPTH3.leafValues)
    const imp = Array.from(m.featureImportances_)
    for (let f = 0; f < 10; f++) expect(imp[f]).toBeCloseTo(SKLEARN_DEPTH3.importances[f], 12)
    expect(Array.from(m.predict(x.test).subarray(0, 12))).toEqual(SKLEARN_DEPTH3.firstPredictions)
  })

  it('fully grown, it reproduces the training targets (averaging duplicated rows only)', () => {
    const m = new DecisionTreeRegressor().fit(x.train, y.train)
    expect(r2Score(y.train, m.predict(x.train))).toBe(1)
    const imp = m.featureImportances_
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
  })

  it('minSamplesLeaf and maxDepth limit the tree', () => {
    const m = new DecisionTreeRegressor({ minSamplesLeaf: 20 }).fit(x.train, y.train)
    expect(m.tree_.nLeaves).toBeLessThanOrEqual(Math.floor(x.train.length / 20))
    expect(new DecisionTreeRegressor({ maxDepth: 1 }).fit(x.train, y.train).tree_.nLeaves).toBe(2)
  })

  it('a constant target gives one leaf and all-zero importances', () => {
    const m = new DecisionTreeRegressor().fit(x.train, new Array<number>(x.train.length).fill(3.5))
    expect(m.tree_.nLeaves).toBe(1)
    expect(Array.from(m.predict(x.test.slice(0, 3)))).toEqual([3.5, 3.5, 3.5])
    expect(Array.from(m.featureImportances_)).toEqual(new Array(10).fill(0))
  })

  it('rejects a classification criterion', () => {
    expect(() => new DecisionTreeRegressor({ criterion: 'gini' as 'squared_error' }).fit(x.train, y.train)).toThrow("criterion must be 'squared_error'")
  })
})

describe('DecisionTreeClassifier featureImportances_', () => {
  it('equals scikit-learn’s on iris without petal length, depth 3 (a tree without ties)', () => {
    // DecisionTreeClassifier(max_depth=3, random_state=0).fit(X[:, [0, 1, 3]], y).feature_importances_, 9 nodes
    const iris = loadIris()
    const m = new DecisionTreeClassifier({ maxDepth: 3 }).fit(
      iris.x.map((r) => [r[0], r[1], r[3]]),
      iris.y,
    )
    expect(m.tree_.feature.length).toBe(9)
    const imp = Array.from(m.featureImportances_)
    const expected = [0.02112547588074947, 0.0, 0.9788745241192505]
    for (let f = 0; f < 3; f++) expect(imp[f]).toBeCloseTo(expected[f], 14)
  })
})
