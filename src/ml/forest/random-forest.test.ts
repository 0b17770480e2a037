import { afterAll, describe, expect, it } from 'vitest'
import { runEstimatorContract } from '../estimator.contract.js'
import { accuracyScore } from '../metrics/classification.js'
import { Random } from '../random.js'
import { binFeatures } from '../tree/binning.js'
import { buildParams } from '../tree/tree-options.js'
import { evenOddSplit, loadIris } from '../test-support/datasets.js'
import { fitThreads, MIN_THREADED_WORK, trainTrees } from './forest-trainer.js'
import { RandomForestClassifier } from './random-forest.js'
import { terminateForestWorkers, warmUpForestWorkers, workersAvailable } from './worker-pool.js'

runEstimatorContract('RandomForestClassifier', (seed) => new RandomForestClassifier({ nEstimators: 15, seed, nJobs: 1 }))
runEstimatorContract('RandomForestClassifier (entropy, no bootstrap, depth 4)', (seed) =>
  new RandomForestClassifier({ nEstimators: 5, seed, nJobs: 1, criterion: 'entropy', bootstrap: false, maxDepth: 4 }),
)

/** Two informative features out of six, some label noise. */
function synthetic(n: number, seed: number): { x: { data: Float64Array; nRows: number; nCols: number }; y: number[] } {
  const r = new Random(seed)
  const p = 6
  const data = new Float64Array(n * p)
  const y: number[] = []
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) data[i * p + j] = r.uniform(-1, 1)
    y.push(data[i * p] + 0.5 * data[i * p + 1] + r.uniform(-0.3, 0.3) > 0 ? 1 : 0)
  }
  return { x: { data, nRows: n, nCols: p }, y }
}

describe('RandomForestClassifier', () => {
  afterAll(() => terminateForestWorkers())
  const iris = loadIris()

  it('classifies iris like scikit-learn (≥ 0.93 on the even/odd split)', () => {
    const x = evenOddSplit(iris.x)
    const y = evenOddSplit(iris.y)
    const rf = new RandomForestClassifier({ seed: 42, nJobs: 1 }).fit(x.train, y.train)
    expect(accuracyScore(y.test, rf.predict(x.test))).toBeGreaterThanOrEqual(0.93)
    expect(rf.trees_.length).toBe(100)
    const imp = rf.featureImportances_
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    expect(imp[2] + imp[3]).toBeGreaterThan(imp[0] + imp[1])
  })

  it('learns a noisy synthetic boundary and ranks the informative features first', () => {
    const train = synthetic(3000, 1)
    const test = synthetic(1000, 2)
    const rf = new RandomForestClassifier({ nEstimators: 30, seed: 1, nJobs: 1 }).fit(train.x, train.y)
    expect(accuracyScore(test.y, rf.predict(test.x))).toBeGreaterThan(0.85)
    const imp = rf.featureImportances_
    for (let f = 2; f < 6; f++) expect(imp[1]).toBeGreaterThan(imp[f])
  })

  it('different seeds give different forests', () => {
    const a = JSON.stringify(new RandomForestClassifier({ nEstimators: 5, seed: 1, nJobs: 1 }).fit(iris.x, iris.y))
    const b = JSON.stringify(new RandomForestClassifier({ nEstimators: 5, seed: 2, nJobs: 1 }).fit(iris.x, iris.y))
    expect(a).not.toBe(b)
  })

  it.runIf(workersAvailable())('worker threads build the same trees as one thread', async () => {
    expect(await warmUpForestWorkers(2)).toBe(1)
    const { x, y } = synthetic(4000, 3)
    const single = new RandomForestClassifier({ nEstimators: 40, seed: 9, nJobs: 1 }).fit(x, y)
    const multi = new RandomForestClassifier({ nEstimators: 40, seed: 9, nJobs: 2 }).fit(x, y)
    expect(JSON.stringify(multi.toJSON().learned)).toBe(JSON.stringify(single.toJSON().learned))

    // and the worker really took part
    const binned = binFeatures(x, 255, true)
    const params = buildParams({ ...single.params }, 6, 2, true)
    const seeds = Uint32Array.from({ length: 40 }, (_, i) => i + 1)
    const yEnc = Int32Array.from(y)
    const threaded = trainTrees(binned, yEnc, params, seeds, 2)
    expect(threaded.builtByWorkers).toBeGreaterThan(0)
    const inThread = trainTrees(binned, yEnc, params, seeds, 1)
    expect(inThread.builtByWorkers).toBe(0)
    expect(threaded.trees.map((t) => Array.from(t.threshold))).toEqual(inThread.trees.map((t) => Array.from(t.threshold)))
  })

  it('small fits train in-thread whatever nJobs allows; large ones use up to nJobs threads', () => {
    // iris (120 rows) and titanic (~710 rows), 100 trees, 2 features per split
    expect(fitThreads(2, 120, 100, 2)).toBe(1)
    expect(fitThreads(8, 712, 100, 2)).toBe(1)
    expect(fitThreads(2, MIN_THREADED_WORK, 1, 1)).toBe(1) // never more threads than trees
    expect(fitThreads(2, 8000, 100, 3)).toBe(2)
    expect(fitThreads(1, 80_000, 100, 3)).toBe(1)
    expect(fitThreads(8, 80_000, 5, 3)).toBe(5)
  })

  it.runIf(workersAvailable())('a small fit with nJobs 2 gives the same model as nJobs 1', () => {
    const a = new RandomForestClassifier({ nEstimators: 20, seed: 4, nJobs: 1 }).fit(iris.x, iris.y)
    const b = new RandomForestClassifier({ nEstimators: 20, seed: 4, nJobs: 2 }).fit(iris.x, iris.y)
    expect(JSON.stringify(b)).toBe(JSON.stringify(a).replace('"nJobs":1', '"nJobs":2'))
  })

  it('rejects bad hyperparameters at fit', () => {
    expect(() => new RandomForestClassifier({ nEstimators: 0 }).fit(iris.x, iris.y)).toThrow(/nEstimators/)
    expect(() => new RandomForestClassifier({ nJobs: 1.5 }).fit(iris.x, iris.y)).toThrow(/nJobs/)
    expect(() => new RandomForestClassifier({ maxBins: 300 }).fit(iris.x, iris.y)).toThrow(/maxBins/)
  })
})
