import { ValidationError } from '../errors.js'
import { checkModelJson, type Classifier, type ModelJson } from '../estimator.js'
import { FittedClassifier } from '../fitted-classifier.js'
import type { Label } from '../labels.js'
import type { MatrixLike } from '../matrix.js'
import { checkPredictShape, checkRow, checkXy, estimatorParams } from '../validation.js'
import { lbfgs } from './lbfgs.js'
import { LogisticLoss } from './logistic-loss.js'
import { dotPairs } from './kernels.js'
import { columnMeanStd } from './linalg.js'
import { checkedDecision } from './linear-model.js'

export interface LogisticRegressionOptions {
  /** Inverse of the L2 penalty strength: the objective is Σ log-loss + ‖coef‖² / (2C) (default 1, sklearn's). */
  readonly C?: number
  /** Fit (unpenalised) intercepts (default true). */
  readonly fitIntercept?: boolean
  /** Most solver iterations (default 100). */
  readonly maxIter?: number
  /** Stop when every entry of the objective's gradient is at most this (default 1e-4, sklearn's lbfgs gtol). */
  readonly tol?: number
  /**
   * 'newton-cholesky': Newton's method with the exact Hessian, converging to machine precision in a few
   * steps — used by 'auto' (default) for up to 64 coefficients; 'lbfgs' for more.
   */
  readonly solver?: 'auto' | 'newton-cholesky' | 'lbfgs'
}

export type LogisticRegressionParams = Required<LogisticRegressionOptions>

interface LogisticLearned {
  readonly classes: Label[]
  readonly nFeatures: number
  /** K × nFeatures row-major, K = 1 for two classes (the larger one's weights), else one row per class. */
  readonly coef: Float64Array
  /** K intercepts. */
  readonly intercept: Float64Array
  /** Solver iterations used by the last fit (0 after fromJSON). */
  readonly nIter: number
  /** predictOne's probability row (scratch). */
  readonly scratch: Float64Array
}

const KIND = 'LogisticRegression'
const NEWTON_MAX_COEFS = 64

/**
 * L2-regularised logistic regression, scikit-learn's LogisticRegression (lbfgs, multi_class 'auto'):
 * binomial for two classes, multinomial (softmax) for more, minimising
 * Σᵢ −log p(yᵢ | xᵢ) + ‖coef‖² / (2C) with intercepts unpenalised.
 *
 * No scaling is needed: the solver works on internally standardised features (zero mean, unit
 * variance) with the penalty still on the original coefficients, so the optimum is exactly
 * scikit-learn's on the raw data, and it is reached in a few Newton steps whatever the feature scales.
 *
 * @throws ValidationError for bad hyperparameters, bad x / y, or a y with a single class.
 */
export class LogisticRegression extends FittedClassifier<LogisticLearned> implements Classifier {
  readonly params: Readonly<LogisticRegressionParams>

  constructor(options: LogisticRegressionOptions = {}) {
    super(KIND)
    this.params = estimatorParams(KIND, options, {
      C: options.C ?? 1,
      fitIntercept: options.fitIntercept ?? true,
      maxIter: options.maxIter ?? 100,
      tol: options.tol ?? 1e-4,
      solver: options.solver ?? 'auto',
    })
  }

  /** Weights, K × nFeaturesIn_ row-major (K = 1 for binary problems), like sklearn's coef_. */
  get coef_(): Float64Array {
    return this.fitted().coef.slice()
  }

  /** K intercepts, like sklearn's intercept_. */
  get intercept_(): Float64Array {
    return this.fitted().intercept.slice()
  }

  /** Iterations the solver took in fit. */
  get nIter_(): number {
    return this.fitted().nIter
  }

  fit(x: MatrixLike, y: ArrayLike<Label>): this {
    const { C, fitIntercept, maxIter, tol, solver } = this.params
    if (typeof C !== 'number' || !(C > 0) || !Number.isFinite(C)) throw new ValidationError(`C must be a finite number > 0, got ${C}`, 'C')
    if (typeof fitIntercept !== 'boolean') throw new ValidationError(`fitIntercept must be true or false, got ${String(fitIntercept)}`, 'fitIntercept')
    if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new ValidationError(`maxIter must be an integer ≥ 1, got ${maxIter}`, 'maxIter')
    if (typeof tol !== 'number' || !(tol > 0)) throw new ValidationError(`tol must be a number > 0, got ${tol}`, 'tol')
    if (solver !== 'auto' && solver !== 'newton-cholesky' && solver !== 'lbfgs') throw new ValidationError(`solver must be 'auto', 'newton-cholesky' or 'lbfgs', got ${String(solver)}`, 'solver')
    const c = checkXy(x, y)
    const k = c.classes.length
    if (k < 2) {
      throw new ValidationError(`y has a single class (${JSON.stringify(c.classes[0])}): logistic regression needs samples of at least 2 classes`, 'y')
    }
    const { nRows: n, nCols: d } = c.x
    // standardise: z = (x − mean) / std, a change of variables only (the penalty stays on the raw coefficients)
    const { mean, std } = columnMeanStd(c.x.data, n, d)
    const scale = new Float64Array(d)
    for (let j = 0; j < d; j++) scale[j] = std[j] > 0 ? std[j] : 1
    if (!fitIntercept) mean.fill(0)
    // z with the intercept's column of ones appended, as the loss reads it (built once: a fresh
    // n×d array costs a page fault per 4 KB on top of the copy)
    const d1 = d + (fitIntercept ? 1 : 0)
    const z = new Float64Array(n * d1)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) z[i * d1 + j] = (c.x.data[i * d + j] - mean[j]) / scale[j]
      if (fitIntercept) z[i * d1 + d] = 1
    }
    const penalty = new Float64Array(d)
    for (let j = 0; j < d; j++) penalty[j] = 1 / (C * scale[j] * scale[j])
    const loss = new LogisticLoss(z, n, d, c.y, k === 2 ? 1 : k, penalty, fitIntercept)
    const useNewton = solver === 'newton-cholesky' || (solver === 'auto' && loss.nCoefs <= NEWTON_MAX_COEFS)
    const theta = new Float64Array(loss.nCoefs)
    const nIter = useNewton ? loss.newton(theta, maxIter, tol) : lbfgsFit(loss, theta, maxIter, tol)
    // back to raw features: w = v / scale, b = β − w·mean
    const K = loss.K
    const coef = new Float64Array(K * d)
    const intercept = new Float64Array(K)
    for (let r = 0; r < K; r++) {
      let b = fitIntercept ? theta[r * d1 + d] : 0
      for (let j = 0; j < d; j++) {
        const w = theta[r * d1 + j] / scale[j]
        coef[r * d + j] = w
        b -= w * mean[j]
      }
      intercept[r] = b
    }
    this.setFitted({ classes: c.classes, nFeatures: d, coef, intercept, nIter, scratch: new Float64Array(k) })
    return this
  }

  /**
   * Decision values x·coefᵀ + intercept, n × K row-major (K = 1 for binary: the larger class's log-odds).
   * @throws ValidationError for a wrong width or a non-finite value in x (naming its cell).
   */
  decisionFunction(x: MatrixLike): Float64Array {
    return this.#decisions(x).eta
  }

  /** n × k class probabilities, columns in classes_ order (sklearn's predict_proba). */
  predictProba(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const { eta, n } = this.#decisions(x)
    const K = f.intercept.length
    const k = f.classes.length
    const out = new Float64Array(n * k)
    for (let i = 0; i < n; i++) probaFromDecision(eta, i * K, k, out, i * k)
    return out
  }

  /**
   * The most probable class of each row: the argmax of predictProba (ties to the lower class),
   * read off the decision values without computing every probability (see labelAt).
   */
  override predict(x: MatrixLike): Label[] {
    const f = this.fitted()
    const { eta, n } = this.#decisions(x)
    const K = f.intercept.length
    const out = new Array<Label>(n)
    if (K === 1) {
      // labelAt's clear cases inline: this loop is a good part of a binary predict
      const [c0, c1] = f.classes
      for (let i = 0; i < n; i++) {
        const v = eta[i]
        out[i] = v > CLEAR_MARGIN ? c1 : v <= 0 ? c0 : f.classes[labelAt(f, eta, i)]
      }
    } else for (let i = 0; i < n; i++) out[i] = f.classes[labelAt(f, eta, i * K)]
    return out
  }

  /** Decision values of every row (the batch kernel; single rows use the same sums, see decision()). */
  #decisions(x: MatrixLike): { eta: Float64Array; n: number } {
    const f = this.fitted()
    const m = checkPredictShape(x, f.nFeatures)
    return { eta: checkedDecision(m, f.coef, f.intercept), n: m.nRows }
  }

  predictProbaOne(row: ArrayLike<number>, out?: Float64Array): Float64Array {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    const res = out ?? new Float64Array(f.classes.length)
    probaAt(f, row, 0, res, 0)
    return res
  }

  predictOne(row: ArrayLike<number>): Label {
    const f = this.fitted()
    const p = this.predictProbaOne(row, f.scratch)
    let best = 0
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c
    return f.classes[best]
  }

  toJSON(): ModelJson<LogisticRegressionParams, unknown> {
    const f = this.fittedOrNone()
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params },
      learned: f === undefined ? null : { classes: f.classes, nFeatures: f.nFeatures, coef: Array.from(f.coef), intercept: Array.from(f.intercept) },
    }
  }

  static fromJSON(json: unknown): LogisticRegression {
    const j = checkModelJson(json, KIND)
    const est = new LogisticRegression(j.params)
    const l = j.learned
    if (l != null) {
      est.setFitted({ classes: l.classes, nFeatures: l.nFeatures, coef: Float64Array.from(l.coef), intercept: Float64Array.from(l.intercept), nIter: 0, scratch: new Float64Array(l.classes.length) })
    }
    return est
  }
}

/** intercept + coef row r · x, summed as the batch kernel sums (dotPairs), so one row predicts as a batch does. */
function decision(f: LogisticLearned, x: ArrayLike<number>, off: number, r: number): number {
  return f.intercept[r] + dotPairs(f.coef, r * f.nFeatures, x, off, f.nFeatures)
}

/** sklearn's predict_proba: [1 − σ(η), σ(η)] for two classes, softmax for more. */
function probaAt(f: LogisticLearned, x: ArrayLike<number>, off: number, out: Float64Array, o: number): void {
  const k = f.classes.length
  if (k === 2) {
    out[o] = decision(f, x, off, 0)
  } else {
    for (let c = 0; c < k; c++) out[o + c] = decision(f, x, off, c)
  }
  probaFromDecision(out, o, k, out, o)
}

/** Probabilities of k classes from the decision values at eta[e…] (1 for two classes, else k) into out[o…o+k); eta may be out. */
function probaFromDecision(eta: Float64Array, e: number, k: number, out: Float64Array, o: number): void {
  if (k === 2) {
    const p = 1 / (1 + Math.exp(-eta[e]))
    out[o] = 1 - p
    out[o + 1] = p
    return
  }
  let max = -Infinity
  for (let c = 0; c < k; c++) if (eta[e + c] > max) max = eta[e + c]
  let s = 0
  for (let c = 0; c < k; c++) {
    out[o + c] = Math.exp(eta[e + c] - max)
    s += out[o + c]
  }
  for (let c = 0; c < k; c++) out[o + c] /= s
}

/** Below this margin of the top decision value over the next the probabilities are computed to break the tie exactly as predictProba's argmax would. */
const CLEAR_MARGIN = 1e-6

/**
 * Index of the argmax of the probabilities from the decision values at eta[e…], without computing
 * them when the answer is clear: probabilities increase with the decision value, and a margin of
 * more than 1e-6 keeps them apart after rounding (two classes: η > 1e-6 gives σ(η) > ½ > 1 − σ(η),
 * η ≤ 0 gives σ(η) ≤ ½ ≤ 1 − σ(η), a tie going to class 0). Closer calls, and NaN, take the
 * probabilities' own argmax, so predict always agrees with predictProba.
 */
function labelAt(f: LogisticLearned, eta: Float64Array, e: number): number {
  const k = f.classes.length
  if (k === 2) {
    const v = eta[e]
    if (v > CLEAR_MARGIN) return 1
    if (v <= 0) return 0
  } else {
    let best = 0
    for (let c = 1; c < k; c++) if (eta[e + c] > eta[e + best]) best = c
    let clear = true
    for (let c = 0; c < k && clear; c++) if (c !== best && !(eta[e + best] - eta[e + c] > CLEAR_MARGIN)) clear = false
    if (clear) return best
  }
  const p = f.scratch
  probaFromDecision(eta, e, k, p, 0)
  let best = 0
  for (let c = 1; c < k; c++) if (p[c] > p[best]) best = c
  return best
}

function lbfgsFit(loss: LogisticLoss, theta: Float64Array, maxIter: number, tol: number): number {
  const r = lbfgs((t, g) => loss.evaluate(t, g), theta, { maxIter, gtol: tol })
  theta.set(r.x)
  return r.iterations
}
