import { afterAll, describe, expect, it } from 'vitest'
import { r2Score, rootMeanSquaredError } from '../metrics/regression.js'
import { runRegressorContract } from '../regressor.contract.js'
import { evenOddSplit, friedmanLike, loadDiabetes } from '../test-support/datasets.js'
import { RandomForestRegressor } from './random-forest-regressor.js'
import { terminateForestWorkers, warmUpForestWorkers, workersAvailable } from './worker-pool.js'

runRegressorContract('RandomForestRegressor', (seed) => new RandomForestRegressor({ nEstimators: 10, seed, nJobs: 1 }), friedmanLike())
runRegressorContract('RandomForestRegressor (no bootstrap, sqrt features, depth 5)', (seed) =>
  new RandomForestRegressor({ nEstimators: 5, seed, nJobs: 1, bootstrap: false, maxFeatures: 'sqrt', maxDepth: 5 }), friedmanLike())

describe('RandomForestRegressor', () => {
  afterAll(() => terminateForestWorkers())
  const diabetes = loadDiabetes()
  const x = evenOddSplit(diabetes.x)
  const y = evenOddSplit(diabetes.y)

  it('fits diabetes as well as scikit-learn (test RMSE 56.3–57.1 for random_state 0–4)', () => {
    const rf = new RandomForestRegressor({ seed: 42, nJobs: 1 }).fit(x.train, y.train)
    expect(rf.trees_.length).toBe(100)
    const rmse = rootMeanSquaredError(y.test, rf.predict(x.test))
    expect(rmse).toBeGreaterThan(54)
    expect(rmse).toBeLessThan(59)
    // importances: bmi (2) and s5 (8) lead, as in sklearn (0.32–0.35 and 0.27–0.29); sex (1) is last (0.009)
    const imp = rf.featureImportances_
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    expect(imp[2]).toBeGreaterThan(0.28)
    expect(imp[8]).toBeGreaterThan(0.22)
    for (let f = 0; f < 10; f++) if (f !== 1) expect(imp[1]).toBeLessThan(imp[f])
  })

  it('predict is the mean of the trees’ predictions', () => {
    const rf = new RandomForestRegressor({ nEstimators: 7, seed: 3, nJobs: 1, maxDepth: 4 }).fit(x.train, y.train)
    const row = x.test[0]
    let s = 0
    for (const t of rf.trees_) {
      let node = 0
      while (t.feature[node] >= 0) node = row[t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node]
      s += t.value[t.left[node]]
    }
    expect(rf.predictOne(row)).toBeCloseTo(s / 7, 10)
  })

  it('without bootstrap and with every feature, each tree interpolates the training set', () => {
    const rf = new RandomForestRegressor({ nEstimators: 3, bootstrap: false, nJobs: 1 }).fit(x.train, y.train)
    expect(r2Score(y.train, rf.predict(x.train))).toBeCloseTo(1, 12)
  })

  it.runIf(workersAvailable())('worker threads build the same forest as one thread', async () => {
    expect(await warmUpForestWorkers(2)).toBe(1)
    const big = { x: [] as number[][], y: [] as number[] }
    for (let r = 0; r < 12; r++) {
      big.x.push(...diabetes.x)
      big.y.push(...diabetes.y.map((v) => v + r))
    }
    const single = new RandomForestRegressor({ nEstimators: 20, seed: 9, nJobs: 1, maxDepth: 8 }).fit(big.x, big.y)
    const multi = new RandomForestRegressor({ nEstimators: 20, seed: 9, nJobs: 2, maxDepth: 8 }).fit(big.x, big.y)
    expect(JSON.stringify(multi.toJSON().learned)).toBe(JSON.stringify(single.toJSON().learned))
  })
})
