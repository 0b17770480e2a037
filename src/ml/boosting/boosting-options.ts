import { ValidationError } from '../errors.js'
import { MAX_BINS } from './bin-mapper.js'

/**
 * Hyper-parameters shared by HistGradientBoostingClassifier and -Regressor: scikit-learn's names
 * (camelCase) and defaults.
 */
export interface HistGradientBoostingOptions {
  /** Shrinkage applied to every leaf value (default 0.1). */
  readonly learningRate?: number
  /** Boosting iterations (default 100); multiclass grows one tree per class per iteration. */
  readonly maxIter?: number
  /** Most leaves per tree, null for no limit (default 31). */
  readonly maxLeafNodes?: number | null
  /** Deepest a leaf may be (root depth 0), null for no limit (default null). */
  readonly maxDepth?: number | null
  /** Fewest training samples per leaf (default 20). */
  readonly minSamplesLeaf?: number
  /** L2 penalty λ on leaf values, in the denominator of every Newton step (default 0). */
  readonly l2Regularization?: number
  /** Non-missing bins per feature, 2..255 (default 255); NaN always has its own extra bin. */
  readonly maxBins?: number
  /** 'auto' (default): on when there are more than 10 000 samples. */
  readonly earlyStopping?: 'auto' | boolean
  /** Share of the training data held out to score early stopping, or null to score the training loss (default 0.1). */
  readonly validationFraction?: number | null
  /** Stop when the last nIterNoChange scores do not beat the one before them by more than tol (default 10). */
  readonly nIterNoChange?: number
  /** Least improvement of the score that counts (default 1e-7). */
  readonly tol?: number
  /** Seeds the binning subsample and the validation split (sklearn's random_state; default 0). */
  readonly seed?: number
  /**
   * Threads building histograms: 1 (default) in-thread, n ≥ 2 up to n (worker threads plus the
   * calling one), negative as scikit-learn's n_jobs (-1 every core, -2 all but one). The fitted
   * model is bit-identical for every value.
   */
  readonly nJobs?: number
}

export interface HistGradientBoostingParams {
  readonly learningRate: number
  readonly maxIter: number
  readonly maxLeafNodes: number | null
  readonly maxDepth: number | null
  readonly minSamplesLeaf: number
  readonly l2Regularization: number
  readonly maxBins: number
  readonly earlyStopping: 'auto' | boolean
  readonly validationFraction: number | null
  readonly nIterNoChange: number
  readonly tol: number
  readonly seed: number
  readonly nJobs: number
}

/** The defaulted parameters, in one fixed key order (it shows in toJSON). */
export function boostingParams(o: HistGradientBoostingOptions): HistGradientBoostingParams {
  return {
    learningRate: o.learningRate ?? 0.1,
    maxIter: o.maxIter ?? 100,
    maxLeafNodes: o.maxLeafNodes === undefined ? 31 : o.maxLeafNodes,
    maxDepth: o.maxDepth ?? null,
    minSamplesLeaf: o.minSamplesLeaf ?? 20,
    l2Regularization: o.l2Regularization ?? 0,
    maxBins: o.maxBins ?? MAX_BINS,
    earlyStopping: o.earlyStopping ?? 'auto',
    validationFraction: o.validationFraction === undefined ? 0.1 : o.validationFraction,
    nIterNoChange: o.nIterNoChange ?? 10,
    tol: o.tol ?? 1e-7,
    seed: o.seed ?? 0,
    nJobs: o.nJobs ?? 1,
  }
}

/** Checks the parameters at fit (constructors only record them), naming the first bad one. */
export function checkBoostingParams(p: HistGradientBoostingParams): void {
  const bad = (field: string, rule: string, value: unknown): never => {
    throw new ValidationError(`${field} must be ${rule}, got ${JSON.stringify(value) ?? String(value)}`, field)
  }
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v)
  if (!(typeof p.learningRate === 'number' && p.learningRate > 0 && Number.isFinite(p.learningRate))) bad('learningRate', 'a number > 0', p.learningRate)
  if (!(isInt(p.maxIter) && p.maxIter >= 1)) bad('maxIter', 'an integer ≥ 1', p.maxIter)
  if (p.maxLeafNodes !== null && !(isInt(p.maxLeafNodes) && p.maxLeafNodes >= 2)) bad('maxLeafNodes', 'an integer ≥ 2 or null', p.maxLeafNodes)
  if (p.maxDepth !== null && !(isInt(p.maxDepth) && p.maxDepth >= 1)) bad('maxDepth', 'an integer ≥ 1 or null', p.maxDepth)
  if (!(isInt(p.minSamplesLeaf) && p.minSamplesLeaf >= 1)) bad('minSamplesLeaf', 'an integer ≥ 1', p.minSamplesLeaf)
  if (!(typeof p.l2Regularization === 'number' && p.l2Regularization >= 0 && Number.isFinite(p.l2Regularization))) bad('l2Regularization', 'a number ≥ 0', p.l2Regularization)
  if (!(isInt(p.maxBins) && p.maxBins >= 2 && p.maxBins <= MAX_BINS)) bad('maxBins', `an integer in [2, ${MAX_BINS}]`, p.maxBins)
  if (!(p.earlyStopping === 'auto' || typeof p.earlyStopping === 'boolean')) bad('earlyStopping', "'auto', true or false", p.earlyStopping)
  if (p.validationFraction !== null && !(typeof p.validationFraction === 'number' && p.validationFraction > 0 && p.validationFraction < 1)) {
    bad('validationFraction', 'a number in (0, 1) or null', p.validationFraction)
  }
  if (!(isInt(p.nIterNoChange) && p.nIterNoChange >= 1)) bad('nIterNoChange', 'an integer ≥ 1', p.nIterNoChange)
  if (!(typeof p.tol === 'number' && p.tol >= 0 && Number.isFinite(p.tol))) bad('tol', 'a number ≥ 0', p.tol)
  if (!(typeof p.seed === 'number' && Number.isFinite(p.seed))) bad('seed', 'a finite number', p.seed)
  if (!(isInt(p.nJobs) && p.nJobs !== 0)) bad('nJobs', 'a non-zero integer', p.nJobs)
}
