import { describe, expect, it } from 'vitest'
import { runEstimatorContract } from './estimator.contract.js'
import { ValidationError } from './errors.js'
import { KNeighborsClassifier } from './knn.js'
import { evenOddSplit, loadIris } from './test-support/datasets.js'

runEstimatorContract('KNeighborsClassifier', () => new KNeighborsClassifier({ nNeighbors: 3 }))
runEstimatorContract('KNeighborsClassifier (distance, manhattan)', () => new KNeighborsClassifier({ nNeighbors: 4, weights: 'distance', metric: 'manhattan' }))

// Produced with scikit-learn 1.2.1 (/usr/bin/python3, Debian):
//   d, y = iris.csv columns 0-3 and variety; tr = np.arange(150) % 2 == 0; te = ~tr
//   KNeighborsClassifier(n_neighbors=k, weights=w).fit(d[tr], y[tr]).predict(d[te])
// Listed as the test indices (into the odd rows) where the prediction differs from "25 Setosa, 25 Versicolor, 25 Virginica".
const SKLEARN_IRIS_DIFFS: Record<string, Record<number, string>> = {
  '5 uniform': { 41: 'Virginica' },
  '5 distance': { 41: 'Virginica' },
  '2 uniform': { 59: 'Versicolor', 66: 'Versicolor' },
}

describe('KNeighborsClassifier', () => {
  const iris = loadIris()
  const x = evenOddSplit(iris.x)
  const y = evenOddSplit(iris.y)

  for (const [key, diffs] of Object.entries(SKLEARN_IRIS_DIFFS)) {
    it(`matches scikit-learn's iris predictions (${key})`, () => {
      const [k, weights] = key.split(' ')
      const knn = new KNeighborsClassifier({ nNeighbors: Number(k), weights: weights as 'uniform' | 'distance' }).fit(x.train, y.train)
      const expected = Array.from({ length: 75 }, (_, i) => diffs[i] ?? ['Setosa', 'Versicolor', 'Virginica'][Math.floor(i / 25)])
      expect(knn.predict(x.test)).toEqual(expected)
    })
  }

  it('refuses k larger than the training set', () => {
    expect(() => new KNeighborsClassifier({ nNeighbors: 4 }).fit([[0], [1], [2]], ['a', 'b', 'a'])).toThrow(ValidationError)
    expect(() => new KNeighborsClassifier({ nNeighbors: 0 }).fit([[0]], ['a'])).toThrow(/nNeighbors must be a positive integer/)
  })

  it('keeps the earlier training row when neighbours are equally distant, and vote ties go to the lower class', () => {
    const knn = new KNeighborsClassifier({ nNeighbors: 1 }).fit([[1], [-1]], ['b', 'a'])
    expect(knn.predictOne([0])).toBe('b')
    const two = new KNeighborsClassifier({ nNeighbors: 2 }).fit([[1], [-1]], ['b', 'a'])
    expect(Array.from(two.predictProbaOne([0]))).toEqual([0.5, 0.5])
    expect(two.predictOne([0])).toBe('a')
  })

  it('distance weights: exact matches take all the weight, others 1/d', () => {
    const knn = new KNeighborsClassifier({ nNeighbors: 2, weights: 'distance' }).fit([[0], [3]], ['a', 'b'])
    expect(Array.from(knn.predictProbaOne([0]))).toEqual([1, 0])
    const p = knn.predictProbaOne([1])
    expect(p[0]).toBeCloseTo(1 / 1 / (1 + 1 / 2), 12)
    expect(p[1]).toBeCloseTo(1 / 2 / (1 + 1 / 2), 12)
  })

  it('manhattan metric ranks by the sum of absolute differences', () => {
    // from the origin: (3, 0) is 3 away in both metrics; (2, 2) is 2.83 euclidean but 4 manhattan
    const x2 = [[3, 0], [2, 2]]
    expect(new KNeighborsClassifier({ nNeighbors: 1, metric: 'manhattan' }).fit(x2, ['m', 'e']).predictOne([0, 0])).toBe('m')
    expect(new KNeighborsClassifier({ nNeighbors: 1 }).fit(x2, ['m', 'e']).predictOne([0, 0])).toBe('e')
  })
})
