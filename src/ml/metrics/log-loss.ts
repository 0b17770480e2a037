import { ValidationError } from '../errors.js'
import { checkLabels, uniqueLabels, type Label } from '../labels.js'
import { average, checkSampleWeight, pairwiseSum } from './regression.js'

export interface LogLossOptions {
  /** The classes yProba's columns stand for, in any order (sorted here); default: the sorted labels of yTrue. */
  readonly labels?: readonly Label[]
  /** Probabilities are clipped to [eps, 1 − eps] (default: float64 machine epsilon, sklearn's "auto"). */
  readonly eps?: number
  /** false: the summed loss instead of its mean (default true). */
  readonly normalize?: boolean
  readonly sampleWeight?: ArrayLike<number>
}

/**
 * Cross-entropy −Σ log p(true class) / n (natural log), as scikit-learn 1.2's log_loss: probabilities
 * are clipped to [eps, 1 − eps], then each row is divided by its sum.
 *
 * `yProba` is what predictProba returns — an n×k row-major array, columns in sorted label order — or an
 * array of n rows, or (binary only) n probabilities of the larger label.
 *
 * scikit-learn ≥ 1.5 differs only for rows that are not probabilities: it has no `eps` argument,
 * clips to machine epsilon without renormalising (warning instead when rows do not sum to 1). For
 * proper probability rows both versions give the same value.
 *
 * @throws ValidationError for lengths that disagree, a single label without `labels`, a yTrue label
 *   missing from `labels`, a column count that is not the number of labels, or non-finite probabilities.
 */
export function logLoss(yTrue: ArrayLike<Label>, yProba: ArrayLike<number> | ArrayLike<ArrayLike<number>>, options: LogLossOptions = {}): number {
  if (yTrue == null || typeof yTrue.length !== 'number') throw new ValidationError('yTrue must be an array of labels', 'yTrue')
  const n = yTrue.length
  if (n === 0) throw new ValidationError('yTrue is empty', 'yTrue')
  checkLabels(yTrue, 'yTrue')
  let classes: Label[]
  if (options.labels !== undefined) {
    checkLabels(options.labels, 'labels')
    classes = uniqueLabels(options.labels)
    if (classes.length < 2) throw new ValidationError(`labels must hold at least two labels for logLoss, got ${JSON.stringify(classes)}`, 'labels')
  } else {
    classes = uniqueLabels(yTrue)
    if (classes.length < 2) {
      throw new ValidationError(`yTrue contains only one label (${JSON.stringify(classes[0])}): pass the labels explicitly through options.labels`, 'yTrue')
    }
  }
  const k = classes.length
  const p = probaMatrix(yProba, n, k)
  const eps = options.eps ?? Number.EPSILON
  if (!(eps >= 0 && eps < 0.5)) throw new ValidationError(`eps must be in [0, 0.5), got ${eps}`, 'eps')
  const index = new Map<Label, number>()
  classes.forEach((c, i) => index.set(c, i))
  const loss = new Float64Array(n)
  const row = new Float64Array(k)
  for (let i = 0; i < n; i++) {
    const c = index.get(yTrue[i])
    if (c === undefined) throw new ValidationError(`yTrue[${i}] = ${JSON.stringify(yTrue[i])} is not one of the labels ${JSON.stringify(classes)}`, 'yTrue')
    for (let j = 0; j < k; j++) row[j] = Math.min(Math.max(p[i * k + j], eps), 1 - eps)
    const s = pairwiseSum(row, 0, k)
    loss[i] = -Math.log(row[c] / s)
  }
  const w = checkSampleWeight(options.sampleWeight, n)
  if (options.normalize === false) {
    if (w === null) return pairwiseSum(loss, 0, n)
    let s = 0
    for (let i = 0; i < n; i++) s += loss[i] * w[i]
    return s
  }
  return average(loss, w)
}

/** yProba as an n×k row-major Float64Array, from any of the accepted shapes. */
function probaMatrix(yProba: ArrayLike<number> | ArrayLike<ArrayLike<number>>, n: number, k: number): Float64Array {
  if (yProba == null || typeof yProba.length !== 'number') throw new ValidationError('yProba must be an array of probabilities', 'yProba')
  const out = new Float64Array(n * k)
  const first = yProba[0]
  if (yProba.length > 0 && typeof first === 'object' && first !== null) {
    const rows = yProba as ArrayLike<ArrayLike<number>>
    if (rows.length !== n) throw new ValidationError(`yProba has ${rows.length} rows but yTrue has ${n} labels`, 'yProba')
    for (let i = 0; i < n; i++) {
      const r = rows[i]
      if (r == null || r.length !== k) throw new ValidationError(`yProba[${i}] has ${r?.length} columns, expected ${k} (one per label)`, 'yProba')
      for (let j = 0; j < k; j++) out[i * k + j] = finite(r[j], `yProba[${i}][${j}]`)
    }
    return out
  }
  const flat = yProba as ArrayLike<number>
  if (flat.length === n * k) {
    for (let t = 0; t < n * k; t++) out[t] = finite(flat[t], `yProba[${t}]`)
    return out
  }
  if (flat.length === n && k === 2) {
    // binary: the probability of the larger label
    for (let i = 0; i < n; i++) {
      const v = finite(flat[i], `yProba[${i}]`)
      out[2 * i] = 1 - v
      out[2 * i + 1] = v
    }
    return out
  }
  throw new ValidationError(`yProba has ${flat.length} values; expected ${n}×${k} (one column per label${k === 2 ? `) or ${n} (binary)` : ')'}`, 'yProba')
}

function finite(v: number, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`${name} is ${typeof v === 'number' ? v : JSON.stringify(v)}; expected a finite probability`, 'yProba')
  return v
}
