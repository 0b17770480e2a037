import { describe, expect, it } from 'vitest'
import { runEstimatorContract } from '../estimator.contract.js'
import { evenOddSplit, loadIris } from '../test-support/datasets.js'
import { accuracyScore } from '../metrics/classification.js'
import { DecisionTreeClassifier } from './decision-tree.js'

runEstimatorContract('DecisionTreeClassifier', (seed) => new DecisionTreeClassifier({ seed }))
runEstimatorContract('DecisionTreeClassifier (entropy, sqrt, depth 6)', (seed) => new DecisionTreeClassifier({ seed, criterion: 'entropy', maxFeatures: 'sqrt', maxDepth: 6 }))

describe('DecisionTreeClassifier', () => {
  const iris = loadIris()

  it('finds the same root split as scikit-learn on iris (petal width <= 0.8)', () => {
    // sklearn 1.2.1: DecisionTreeClassifier(max_depth=1, random_state=0).fit(d, y).tree_ → feature 3, threshold 0.8000000119 (float32)
    const stump = new DecisionTreeClassifier({ maxDepth: 1, seed: 0 }).fit(iris.x, iris.y)
    const t = stump.tree_
    expect(t.feature.length).toBe(3)
    // petal length <= 2.45 separates Setosa equally well; either is a correct gini optimum
    expect([`3 0.8`, `2 2.45`]).toContain(`${t.feature[0]} ${t.threshold[0]}`)
  })

  it('grows pure leaves on iris and generalises like scikit-learn (0.96 on the even/odd split)', () => {
    const x = evenOddSplit(iris.x)
    const y = evenOddSplit(iris.y)
    const tree = new DecisionTreeClassifier({ seed: 0 }).fit(x.train, y.train)
    expect(accuracyScore(y.train, tree.predict(x.train))).toBe(1)
    expect(accuracyScore(y.test, tree.predict(x.test))).toBeGreaterThanOrEqual(0.93)
    const imp = tree.featureImportances_
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    // petal measurements dominate, as in sklearn (importances [0, 0.03, 0.047, 0.923])
    expect(imp[2] + imp[3]).toBeGreaterThan(0.9)
  })

  it('respects maxDepth and minSamplesLeaf', () => {
    const tree = new DecisionTreeClassifier({ maxDepth: 2, minSamplesLeaf: 10 }).fit(iris.x, iris.y)
    const t = tree.tree_
    const depth = (node: number): number => (t.feature[node] < 0 ? 0 : 1 + Math.max(depth(t.left[node]), depth(t.right[node])))
    expect(depth(0)).toBeLessThanOrEqual(2)
    for (let l = 0; l < t.nLeaves; l++) expect(t.value[l * 3] + t.value[l * 3 + 1] + t.value[l * 3 + 2]).toBeGreaterThanOrEqual(10)
  })

  it('rejects bad hyperparameters at fit', () => {
    expect(() => new DecisionTreeClassifier({ maxDepth: 0 }).fit(iris.x, iris.y)).toThrow(/maxDepth/)
    expect(() => new DecisionTreeClassifier({ maxFeatures: 9 }).fit(iris.x, iris.y)).toThrow(/maxFeatures \(9\) is larger/)
    expect(() => new DecisionTreeClassifier({ criterion: 'mse' as 'gini' }).fit(iris.x, iris.y)).toThrow(/criterion/)
  })
})
