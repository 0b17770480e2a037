import { ValidationError } from './errors.js'
import { argmax, checkModelJson, type Classifier, type ModelJson } from './estimator.js'
import type { Label } from './labels.js'
import type { MatrixLike } from './matrix.js'
import { kNearest, neighborIndex, type NeighborIndex } from './neighbors.js'
import { checkPredictMatrix, checkRow, checkXy, estimatorParams } from './validation.js'
import { FittedClassifier } from './fitted-classifier.js'

export interface KNeighborsClassifierOptions {
  /** k, the number of neighbours that vote (default 5). */
  readonly nNeighbors?: number
  /** 'uniform': each neighbour counts 1; 'distance': counts 1/distance (default 'uniform'). */
  readonly weights?: 'uniform' | 'distance'
  readonly metric?: 'euclidean' | 'manhattan'
}

export type KNeighborsClassifierParams = Required<KNeighborsClassifierOptions>

interface KnnLearned extends NeighborIndex {
  readonly classes: Label[]
  /** Class index of each training row. */
  readonly y: Int32Array
  /** predictOne's probability row (scratch, not serialised). */
  readonly scratch: Float64Array
}

function learned(classes: Label[], nFeatures: number, nSamples: number, x: Float64Array, y: Int32Array): KnnLearned {
  return { ...neighborIndex(x, nSamples, nFeatures), classes, y, scratch: new Float64Array(classes.length) }
}

const KIND = 'KNeighborsClassifier'

/**
 * k-nearest-neighbours classifier, brute force with early-abandoned distances and a sorted k-list.
 * Ties between equally distant neighbours keep the lower training index; vote ties go to the lower class.
 */
export class KNeighborsClassifier extends FittedClassifier<KnnLearned> implements Classifier {
  readonly params: Readonly<KNeighborsClassifierParams>
  // scratch for the k-list, reused by every query so predictOne allocates nothing
  #dist = new Float64Array(0)
  #idx = new Int32Array(0)

  constructor(options: KNeighborsClassifierOptions = {}) {
    super(KIND)
    this.params = estimatorParams(KIND, options, {
      nNeighbors: options.nNeighbors ?? 5,
      weights: options.weights ?? 'uniform',
      metric: options.metric ?? 'euclidean',
    })
  }

  fit(x: MatrixLike, y: ArrayLike<Label>): this {
    const { nNeighbors, weights, metric } = this.params
    if (!Number.isInteger(nNeighbors) || nNeighbors < 1) throw new ValidationError(`nNeighbors must be a positive integer, got ${nNeighbors}`, 'nNeighbors')
    if (weights !== 'uniform' && weights !== 'distance') throw new ValidationError(`weights must be 'uniform' or 'distance', got ${String(weights)}`, 'weights')
    if (metric !== 'euclidean' && metric !== 'manhattan') throw new ValidationError(`metric must be 'euclidean' or 'manhattan', got ${String(metric)}`, 'metric')
    const c = checkXy(x, y)
    if (nNeighbors > c.x.nRows) throw new ValidationError(`nNeighbors (${nNeighbors}) is larger than the number of training samples (${c.x.nRows})`, 'nNeighbors')
    this.setFitted(learned(c.classes, c.x.nCols, c.x.nRows, Float64Array.from(c.x.data), c.y))
    return this
  }

  predictProba(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const m = checkPredictMatrix(x, f.nFeatures)
    const k = f.classes.length
    const out = new Float64Array(m.nRows * k)
    for (let i = 0; i < m.nRows; i++) this.#probaAt(f, m.data, i * m.nCols, out, i * k)
    return out
  }

  predictProbaOne(row: ArrayLike<number>, out?: Float64Array): Float64Array {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    const res = out ?? new Float64Array(f.classes.length)
    this.#probaAt(f, row, 0, res, 0)
    return res
  }

  predictOne(row: ArrayLike<number>): Label {
    const f = this.fitted()
    const p = this.predictProbaOne(row, f.scratch)
    return f.classes[argmax(p, 0, p.length)]
  }

  /** Finds the k nearest training rows of q[qOff..] and writes the class vote into out[oOff..]. */
  #probaAt(f: KnnLearned, q: ArrayLike<number>, qOff: number, out: Float64Array, oOff: number): void {
    const kn = this.params.nNeighbors
    if (this.#dist.length !== kn) {
      this.#dist = new Float64Array(kn)
      this.#idx = new Int32Array(kn)
    }
    const dist = this.#dist
    const idx = this.#idx
    const manhattan = this.params.metric === 'manhattan'
    kNearest(f, q, qOff, kn, manhattan, dist, idx)
    const k = f.classes.length
    for (let c = 0; c < k; c++) out[oOff + c] = 0
    if (this.params.weights === 'uniform') {
      for (let t = 0; t < kn; t++) out[oOff + f.y[idx[t]]] += 1
      for (let c = 0; c < k; c++) out[oOff + c] /= kn
      return
    }
    // distance weights; like sklearn, exact matches (distance 0) take all the weight
    let zeros = 0
    for (let t = 0; t < kn; t++) if (dist[t] === 0) zeros++
    let total = 0
    for (let t = 0; t < kn; t++) {
      const w = zeros > 0 ? (dist[t] === 0 ? 1 : 0) : 1 / (manhattan ? dist[t] : Math.sqrt(dist[t]))
      out[oOff + f.y[idx[t]]] += w
      total += w
    }
    for (let c = 0; c < k; c++) out[oOff + c] /= total
  }

  toJSON(): ModelJson<KNeighborsClassifierParams, unknown> {
    const f = this.fittedOrNone()
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params },
      learned: f === undefined ? null : { classes: f.classes, nFeatures: f.nFeatures, nSamples: f.nSamples, x: Array.from(f.x), y: Array.from(f.y) },
    }
  }

  static fromJSON(json: unknown): KNeighborsClassifier {
    const j = checkModelJson(json, KIND)
    const est = new KNeighborsClassifier(j.params)
    const l = j.learned
    if (l != null) {
      est.setFitted(learned(l.classes, l.nFeatures, l.nSamples, Float64Array.from(l.x), Int32Array.from(l.y)))
    }
    return est
  }
}
