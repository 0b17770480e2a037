import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { workersAvailable } from '../forest/worker-pool.js'
import { blobs, runEstimatorContract } from '../estimator.contract.js'
import { Random } from '../random.js'
import { regressionData, runRegressorContract } from '../regressor.contract.js'
import { friedmanLike } from '../test-support/datasets.js'
import { shouldStop } from './fit-boosting.js'
import { boostingBytesPosted, boostingThreads, boostingWorkersRecycled, lastFitSplitTasks, lastFitWorkerChunks, MIN_THREADED_CELLS, terminateBoostingWorkers, warmUpBoostingWorkers, WORKER_RECYCLE_BYTES } from './threads.js'
import { HistGradientBoostingClassifier } from './hist-gradient-boosting-classifier.js'
import { HistGradientBoostingRegressor } from './hist-gradient-boosting-regressor.js'

runEstimatorContract('HistGradientBoostingClassifier', (seed) => new HistGradientBoostingClassifier({ seed, maxIter: 20, minSamplesLeaf: 5 }), { acceptsNaN: true })
runEstimatorContract('HistGradientBoostingClassifier (early stopping, depth 2)', (seed) =>
  new HistGradientBoostingClassifier({ seed, maxIter: 30, maxDepth: 2, minSamplesLeaf: 3, earlyStopping: true, nIterNoChange: 3 }), { acceptsNaN: true })
runRegressorContract('HistGradientBoostingRegressor', (seed) => new HistGradientBoostingRegressor({ seed, maxIter: 50, minSamplesLeaf: 5 }), friedmanLike(), { acceptsNaN: true })
runRegressorContract('HistGradientBoostingRegressor (absolute error, early stopping)', (seed) =>
  new HistGradientBoostingRegressor({ seed, loss: 'absolute_error', maxIter: 80, minSamplesLeaf: 5, earlyStopping: true }), friedmanLike(), { acceptsNaN: true })

/** A numeric CSV of ../shared/data (header skipped), the last column the target. */
function loadNumericCsv(name: string): { x: number[][]; y: number[] } {
  const text = readFileSync(new URL(`../../../../shared/data/${name}`, import.meta.url), 'utf8')
  const rows = text.trim().split('\n').slice(1).map((l) => l.split(',').map(Number))
  return { x: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]) }
}

describe('HistGradientBoosting matches scikit-learn 1.2.1 (same binning, same trees)', () => {
  // sklearn: HistGradientBoosting*(max_iter=20, early_stopping=False) on the whole file
  const wine = loadNumericCsv('wine.csv')
  const diabetes = loadNumericCsv('diabetes.csv')
  const rows = [0, 60, 130, 177]

  it('wine, three classes (softmax)', () => {
    const est = new HistGradientBoostingClassifier({ maxIter: 20, earlyStopping: false }).fit(wine.x, wine.y)
    const proba = est.predictProba(rows.map((i) => wine.x[i]))
    const sklearn = [
      [0.9861444050834595, 0.008037707366530755, 0.005817887550009902],
      [0.00778153020240571, 0.9366728663427255, 0.055545603454868794],
      [0.023422781479955274, 0.0915092532401664, 0.8850679652798782],
      [0.007355046288372333, 0.009294303226772759, 0.983350650484855],
    ].flat()
    for (let i = 0; i < sklearn.length; i++) expect(proba[i]).toBeCloseTo(sklearn[i], 12)
  })

  it('wine, cultivar 2 against the rest (binary log loss)', () => {
    const est = new HistGradientBoostingClassifier({ maxIter: 20, earlyStopping: false }).fit(wine.x, wine.y.map((c) => (c === 2 ? 1 : 0)))
    const proba = est.predictProba(rows.map((i) => wine.x[i]))
    const sklearn = [0.06457124877122283, 0.9080218173290517, 0.27871875436286425, 0.07096752921196378]
    for (let i = 0; i < 4; i++) expect(proba[2 * i + 1]).toBeCloseTo(sklearn[i], 12)
  })

  it('diabetes regression, features with more than 255 values (percentile bins)', () => {
    const est = new HistGradientBoostingRegressor({ maxIter: 20, earlyStopping: false }).fit(diabetes.x, diabetes.y)
    const pred = est.predict([0, 100, 441].map((i) => diabetes.x[i]))
    const sklearn = [196.7250235084633, 162.13013938746124, 89.27419408897593]
    for (let i = 0; i < 3; i++) expect(pred[i]).toBeCloseTo(sklearn[i], 9)
  })

  it('diabetes with NaN cells (x[i][j] NaN where (7i + 3j) % 10 = 0), λ = 1, 15 leaves, 10 per leaf', () => {
    const x = diabetes.x.map((r, i) => r.map((v, j) => ((i * 7 + j * 3) % 10 === 0 ? NaN : v)))
    const est = new HistGradientBoostingRegressor({ maxIter: 20, earlyStopping: false, l2Regularization: 1, maxLeafNodes: 15, minSamplesLeaf: 10 }).fit(x, diabetes.y)
    const pred = est.predict([0, 100, 441].map((i) => x[i]))
    const sklearn = [176.0483099099044, 158.2148586519293, 91.8200577896304]
    for (let i = 0; i < 3; i++) expect(pred[i]).toBeCloseTo(sklearn[i], 9)
    expect(x[0][0]).toBeNaN()
  })
})

describe('HistGradientBoosting trees (hand-computed)', () => {
  it('one iteration at learning rate 1 fits a step exactly', () => {
    const est = new HistGradientBoostingRegressor({ maxIter: 1, learningRate: 1, minSamplesLeaf: 1 }).fit([[1], [2], [3], [4]], [0, 0, 10, 10])
    // baseline 5; gradients 5, 5, −5, −5; leaves −10/2 and 10/2
    // (up to the 1e-15 sklearn adds to every hessian sum)
    const pred = est.predict([[1], [2.4], [2.6], [4]])
    ;[0, 0, 10, 10].forEach((v, i) => expect(pred[i]).toBeCloseTo(v, 12))
    const tree = est.toJSON().learned!.trees[0]
    expect({ ...tree, threshold: tree.threshold.map((v) => Math.round(v * 1e9) / 1e9) }).toEqual({
      feature: [0, -1, -1],
      threshold: [2.5, -5, 5],
      missingLeft: [0, 0, 0], // no NaN in training: NaN follows the larger child, right on a tie (sklearn's n_left > n_right)
      right: [2, -1, -1],
    })
  })

  it('learns where NaN goes: left with the low values, or alone on the right', () => {
    const low = new HistGradientBoostingRegressor({ maxIter: 1, learningRate: 1, minSamplesLeaf: 1 }).fit([[NaN], [NaN], [1], [2], [3], [4]], [0, 0, 0, 0, 10, 10])
    expect(low.toJSON().learned!.trees[0].missingLeft[0]).toBe(1)
    expect(low.predictOne([NaN])).toBeCloseTo(0, 6) // gradients are float32, as in sklearn
    expect(low.predictOne([3.5])).toBeCloseTo(10, 6)
    const alone = new HistGradientBoostingRegressor({ maxIter: 1, learningRate: 1, minSamplesLeaf: 1 }).fit([[NaN], [NaN], [1], [2], [3], [4]], [10, 10, 0, 0, 0, 0])
    const t = alone.toJSON().learned!.trees[0]
    expect(t.missingLeft[0]).toBe(0)
    expect(t.threshold[0]).toBe(Number.MAX_VALUE) // every number left, NaN right
    expect(alone.predictOne([NaN])).toBeCloseTo(10, 6)
    expect(alone.predictOne([1e300])).toBeCloseTo(0, 6)
  })

  it('NaN at predict time for a feature without NaN in training follows the larger child', () => {
    const est = new HistGradientBoostingRegressor({ maxIter: 1, learningRate: 1, minSamplesLeaf: 1 }).fit([[1], [2], [3], [4], [5], [6]], [0, 0, 0, 0, 10, 10])
    expect(est.predictOne([NaN])).toBeCloseTo(0, 6)
    const cls = new HistGradientBoostingClassifier({ maxIter: 5, minSamplesLeaf: 1 }).fit([[1], [2], [3], [4], [5], [6]], ['a', 'a', 'a', 'a', 'b', 'b'])
    expect(cls.predictOne([NaN])).toBe('a')
  })

  it('maxLeafNodes, maxDepth and minSamplesLeaf bound every tree', () => {
    const { x, y } = regressionData(400, 5)
    const count = (est: HistGradientBoostingRegressor, pick: (t: { feature: number[] }) => number) => Math.max(...est.toJSON().learned!.trees.map(pick))
    const leaves = (t: { feature: number[] }) => t.feature.filter((f) => f < 0).length
    expect(count(new HistGradientBoostingRegressor({ maxIter: 5, maxLeafNodes: 4, minSamplesLeaf: 1 }).fit(x, y), leaves)).toBe(4)
    expect(count(new HistGradientBoostingRegressor({ maxIter: 5, maxLeafNodes: null, maxDepth: 2, minSamplesLeaf: 1 }).fit(x, y), leaves)).toBe(4)
    expect(count(new HistGradientBoostingRegressor({ maxIter: 5, minSamplesLeaf: 150 }).fit(x, y), leaves)).toBe(2)
  })

  it('feature importances sum to 1 and rank the informative features first', () => {
    const { x, y } = regressionData(400, 5)
    const imp = new HistGradientBoostingRegressor({ maxIter: 30 }).fit(x, y).featureImportances_
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    expect(imp[0]).toBeGreaterThan(imp[2])
    expect(imp[1]).toBeGreaterThan(imp[2])
  })
})

describe('HistGradientBoosting early stopping', () => {
  it("'auto' turns on above 10 000 samples and stops when the validation loss stalls", () => {
    const r = new Random(4)
    const x = Array.from({ length: 12_000 }, () => [r.uniform(0, 1), r.uniform(0, 1)])
    const y = x.map(() => r.uniform(0, 1)) // pure noise: nothing to learn, validation loss stalls at once
    const est = new HistGradientBoostingRegressor({ maxIter: 100, seed: 1 }).fit(x, y)
    expect(est.nIter_).toBeLessThan(40)
    expect(est.validationScore_.length).toBe(est.nIter_ + 1)
    expect(shouldStop(est.validationScore_, 10, 1e-7)).toBe(true)
    expect(est.toJSON().learned!.trees.length).toBe(est.nIter_)
    const small = new HistGradientBoostingRegressor({ maxIter: 30 }).fit(x.slice(0, 10_000), y.slice(0, 10_000))
    expect(small.nIter_).toBe(30)
    expect(small.validationScore_).toEqual([])
  })

  it('earlyStopping true with validationFraction null scores the training loss; multiclass grows k trees per iteration', () => {
    const { x, y } = blobs(150, 2)
    const est = new HistGradientBoostingClassifier({ maxIter: 200, earlyStopping: true, validationFraction: null, nIterNoChange: 2, tol: 1e-3, minSamplesLeaf: 5 }).fit(x, y)
    expect(est.nIter_).toBeLessThan(200)
    expect(est.toJSON().learned!.trees.length).toBe(3 * est.nIter_)
    const scores = est.validationScore_
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeGreaterThanOrEqual(scores[i - 1] - 1e-12) // training loss only falls
  })
})

describe('HistGradientBoosting bad input', () => {
  const { x, y } = regressionData(50, 1)
  it('refuses bad hyperparameters at fit, naming them', () => {
    expect(() => new HistGradientBoostingRegressor({ maxIter: 0 }).fit(x, y)).toThrow(/maxIter must be an integer ≥ 1, got 0/)
    expect(() => new HistGradientBoostingRegressor({ learningRate: -1 }).fit(x, y)).toThrow(/learningRate/)
    expect(() => new HistGradientBoostingRegressor({ maxBins: 256 }).fit(x, y)).toThrow(/maxBins must be an integer in \[2, 255\]/)
    expect(() => new HistGradientBoostingRegressor({ maxLeafNodes: 1 }).fit(x, y)).toThrow(/maxLeafNodes/)
    expect(() => new HistGradientBoostingRegressor({ validationFraction: 1 }).fit(x, y)).toThrow(/validationFraction/)
    expect(() => new HistGradientBoostingRegressor({ loss: 'huber' as 'squared_error' }).fit(x, y)).toThrow(/loss must be/)
    expect(() => new HistGradientBoostingClassifier({ nJobs: 0 }).fit(x, y)).toThrow(/nJobs/)
  })

  it('refuses NaN and Infinity in y, Infinity in x; a regressor needs numbers', () => {
    expect(() => new HistGradientBoostingRegressor().fit(x, y.map((v, i) => (i === 3 ? NaN : v)))).toThrow('y[3] is NaN')
    expect(() => new HistGradientBoostingClassifier().fit(x, y.map((v, i) => (i === 3 ? NaN : v)))).toThrow(/y\[3\] is NaN; labels must be finite/)
    expect(() => new HistGradientBoostingRegressor().fit([[1, -Infinity]], [1])).toThrow('x[0][1] is -Infinity')
    expect(() => new HistGradientBoostingRegressor().fit([], [])).toThrow(/x is empty/)
  })
})

describe('HistGradientBoosting worker threads', () => {
  afterAll(() => terminateBoostingWorkers())

  it('small fits build in-thread; large ones use up to nJobs threads, never more than features', () => {
    expect(boostingThreads(2, 712, 7)).toBe(1) // titanic
    expect(boostingThreads(2, MIN_THREADED_CELLS / 20, 20)).toBe(2)
    expect(boostingThreads(8, 200_000, 3)).toBe(3)
    expect(boostingThreads(1, 100_000, 20)).toBe(1)
  })

  it.runIf(workersAvailable())('gives bit-identical models for 1, 2 and 3 threads (NaN, multiclass, regression)', async () => {
    expect(await warmUpBoostingWorkers(3)).toBe(2)
    const r = new Random(11)
    const n = 25_000
    const p = 16
    const data = new Float64Array(n * p)
    const y = new Float64Array(n)
    const yc: number[] = []
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) data[i * p + j] = r.next() < 0.1 ? NaN : r.uniform(-1, 1)
      // column 12 copies column 0: every split on either ties exactly, across feature chunks with 2 and 3 threads, and must go to feature 0
      data[i * p + 12] = data[i * p]
      const v = (j: number) => (Number.isNaN(data[i * p + j]) ? 0.5 : data[i * p + j])
      y[i] = 2 * v(0) + Math.sin(3 * v(1)) + v(2) * v(3) + r.uniform(-0.3, 0.3)
      yc.push(y[i] < -0.5 ? 0 : y[i] < 0.5 ? 1 : 2)
    }
    const x = { data, nRows: n, nCols: p }
    // binary: one tree an iteration with hessians, whose threaded raw update takes the next iteration's gradients in the same task
    const yb = yc.map((c) => (c === 2 ? 1 : 0))
    const fit = (nJobs: number) => [
      JSON.stringify(new HistGradientBoostingClassifier({ maxIter: 8, nJobs, earlyStopping: true }).fit(x, yc).toJSON().learned),
      JSON.stringify(new HistGradientBoostingClassifier({ maxIter: 8, nJobs, earlyStopping: false }).fit(x, yb).toJSON().learned),
      JSON.stringify(new HistGradientBoostingRegressor({ maxIter: 8, nJobs, earlyStopping: false }).fit(x, y).toJSON().learned),
    ]
    const one = fit(1)
    expect(new HistGradientBoostingRegressor({ maxIter: 8, nJobs: 2, earlyStopping: false }).fit(x, y).featureImportances_[12]).toBe(0)
    expect(fit(2)).toEqual(one)
    expect(lastFitWorkerChunks()).toBeGreaterThan(0) // the worker really built some histograms
    expect(lastFitSplitTasks()).toBeGreaterThan(0) // some splits moved and built their children in one task
    expect(fit(3)).toEqual(one)
    expect(lastFitSplitTasks()).toBeGreaterThan(0)
  }, 60_000)

  it.runIf(workersAvailable())('keeps a fit\'s buffers for the next fit: same-size fits post the workers nothing new, and a smaller fit in a larger fit\'s memory gives its own model', async () => {
    await warmUpBoostingWorkers(2)
    const data = (n: number, p: number, seed: number) => {
      const r = new Random(seed)
      const values = Float64Array.from({ length: n * p }, () => r.uniform(-1, 1))
      return { x: { data: values, nRows: n, nCols: p }, y: Float64Array.from({ length: n }, (_, i) => values[i * p] + values[i * p + 1] * values[i * p + 2]) }
    }
    const fit = (d: ReturnType<typeof data>, nJobs: number) => JSON.stringify(new HistGradientBoostingRegressor({ maxIter: 3, nJobs, earlyStopping: false }).fit(d.x, d.y).toJSON().learned)
    const large = data(40_000, 16, 5)
    const small = data(25_000, 16, 6)
    const smallModel = fit(small, 1)
    const largeModel = fit(large, 1)
    expect(fit(large, 2)).toEqual(largeModel)
    const posted = boostingBytesPosted()
    for (let i = 0; i < 3; i++) expect(fit(large, 2)).toEqual(largeModel)
    expect(boostingBytesPosted()).toBe(posted)
    // the small fits run in the memory (written all over) of the large ones, on one thread and on two
    expect(fit(small, 1)).toEqual(smallModel)
    expect(fit(small, 2)).toEqual(smallModel)
    expect(lastFitWorkerChunks()).toBeGreaterThan(0)
    expect(boostingBytesPosted()).toBe(posted)
  }, 60_000)

  it.runIf(workersAvailable())('replaces its workers once the new buffers posted to them pass WORKER_RECYCLE_BYTES (their heaps keep them), with the same models after', async () => {
    await warmUpBoostingWorkers(2)
    const r = new Random(5)
    const p = 16
    const rows = 120_000
    const data = Float64Array.from({ length: rows * p }, () => r.uniform(-1, 1))
    const y = Float64Array.from({ length: rows }, (_, i) => data[i * p] + data[i * p + 1] * data[i * p + 2])
    // each fit larger than the last needs new buffers (~6 MB more than the kept ones at first)
    const fit = (n: number, nJobs: number) => JSON.stringify(new HistGradientBoostingRegressor({ maxIter: 2, nJobs, earlyStopping: false }).fit({ data: data.subarray(0, n * p), nRows: n, nCols: p }, y.subarray(0, n)).toJSON().learned)
    const before = boostingWorkersRecycled()
    let n = 25_000
    while (boostingWorkersRecycled() === before && n < rows) {
      n += 5_000
      expect(fit(n, 2)).toEqual(fit(n, 1))
    }
    expect(boostingWorkersRecycled()).toBe(before + 1)
    expect(n).toBeGreaterThan(30_000)
    // the fresh workers load and take part
    expect(await warmUpBoostingWorkers(2)).toBe(1)
    expect(fit(n, 2)).toEqual(fit(n, 1))
    expect(lastFitWorkerChunks()).toBeGreaterThan(0)
  }, 60_000)
})
