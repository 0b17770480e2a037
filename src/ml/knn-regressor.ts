import { ValidationError } from './errors.js'
import { checkModelJson, type ModelJson, type Regressor } from './estimator.js'
import { FittedEstimator } from './fitted-estimator.js'
import type { MatrixLike } from './matrix.js'
import { pairwiseSum } from './metrics/regression.js'
import { kNearest, neighborIndex, type NeighborIndex } from './neighbors.js'
import { checkPredictMatrix, checkRow, checkXyNumeric, estimatorParams } from './validation.js'
import type { KNeighborsClassifierOptions } from './knn.js'

export type KNeighborsRegressorOptions = KNeighborsClassifierOptions
export type KNeighborsRegressorParams = Required<KNeighborsRegressorOptions>

interface KnnLearned extends NeighborIndex {
  /** Target of each training row. */
  readonly y: Float64Array
}

const KIND = 'KNeighborsRegressor'

/**
 * k-nearest-neighbours regression: the mean target of the k nearest training rows, or with
 * weights 'distance' their 1/distance-weighted mean (rows at distance 0 take all the weight, as in
 * sklearn). Neighbour search and tie-breaking are KNeighborsClassifier's.
 */
export class KNeighborsRegressor extends FittedEstimator<KnnLearned> implements Regressor {
  readonly params: Readonly<KNeighborsRegressorParams>
  // scratch for the k-list and the neighbours' targets, reused by every query
  #dist = new Float64Array(0)
  #idx = new Int32Array(0)
  #vals = new Float64Array(0)

  constructor(options: KNeighborsRegressorOptions = {}) {
    super(KIND)
    this.params = estimatorParams(KIND, options, {
      nNeighbors: options.nNeighbors ?? 5,
      weights: options.weights ?? 'uniform',
      metric: options.metric ?? 'euclidean',
    })
  }

  fit(x: MatrixLike, y: ArrayLike<number>): this {
    const { nNeighbors, weights, metric } = this.params
    if (!Number.isInteger(nNeighbors) || nNeighbors < 1) throw new ValidationError(`nNeighbors must be a positive integer, got ${nNeighbors}`, 'nNeighbors')
    if (weights !== 'uniform' && weights !== 'distance') throw new ValidationError(`weights must be 'uniform' or 'distance', got ${String(weights)}`, 'weights')
    if (metric !== 'euclidean' && metric !== 'manhattan') throw new ValidationError(`metric must be 'euclidean' or 'manhattan', got ${String(metric)}`, 'metric')
    const c = checkXyNumeric(x, y)
    if (nNeighbors > c.x.nRows) throw new ValidationError(`nNeighbors (${nNeighbors}) is larger than the number of training samples (${c.x.nRows})`, 'nNeighbors')
    this.setFitted({ ...neighborIndex(Float64Array.from(c.x.data), c.x.nRows, c.x.nCols), y: c.y })
    return this
  }

  predict(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const m = checkPredictMatrix(x, f.nFeatures)
    const out = new Float64Array(m.nRows)
    for (let i = 0; i < m.nRows; i++) out[i] = this.#predictAt(f, m.data, i * m.nCols)
    return out
  }

  predictOne(row: ArrayLike<number>): number {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    return this.#predictAt(f, row, 0)
  }

  #predictAt(f: KnnLearned, q: ArrayLike<number>, qOff: number): number {
    const kn = this.params.nNeighbors
    if (this.#dist.length !== kn) {
      this.#dist = new Float64Array(kn)
      this.#idx = new Int32Array(kn)
      this.#vals = new Float64Array(kn)
    }
    const dist = this.#dist
    const idx = this.#idx
    const vals = this.#vals
    const manhattan = this.params.metric === 'manhattan'
    kNearest(f, q, qOff, kn, manhattan, dist, idx)
    if (this.params.weights === 'uniform') {
      for (let t = 0; t < kn; t++) vals[t] = f.y[idx[t]]
      return pairwiseSum(vals, 0, kn) / kn
    }
    let zeros = 0
    for (let t = 0; t < kn; t++) if (dist[t] === 0) zeros++
    // dist holds the weights from here on
    for (let t = 0; t < kn; t++) {
      dist[t] = zeros > 0 ? (dist[t] === 0 ? 1 : 0) : 1 / (manhattan ? dist[t] : Math.sqrt(dist[t]))
      vals[t] = f.y[idx[t]] * dist[t]
    }
    return pairwiseSum(vals, 0, kn) / pairwiseSum(dist, 0, kn)
  }

  toJSON(): ModelJson<KNeighborsRegressorParams, unknown> {
    const f = this.fittedOrNone()
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params },
      learned: f === undefined ? null : { nFeatures: f.nFeatures, nSamples: f.nSamples, x: Array.from(f.x), y: Array.from(f.y) },
    }
  }

  static fromJSON(json: unknown): KNeighborsRegressor {
    const j = checkModelJson(json, KIND)
    const est = new KNeighborsRegressor(j.params)
    const l = j.learned
    if (l != null) est.setFitted({ ...neighborIndex(Float64Array.from(l.x), l.nSamples, l.nFeatures), y: Float64Array.from(l.y) })
    return est
  }
}
