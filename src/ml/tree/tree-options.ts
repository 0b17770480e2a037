import { ValidationError } from '../errors.js'
import { MAX_BINS } from './binning.js'
import type { TreeBuildParams } from './tree-builder.js'

export type MaxFeatures = 'sqrt' | 'log2' | number | null

/** Hyperparameters shared by the tree and forest estimators (classifiers use these, regressors RegressionTreeOptions). */
export interface TreeOptions {
  readonly criterion?: 'gini' | 'entropy'
  /** null grows until leaves are pure (default). */
  readonly maxDepth?: number | null
  readonly minSamplesSplit?: number
  readonly minSamplesLeaf?: number
  /** Features tried per split: 'sqrt', 'log2', a count (integer ≥ 1), a fraction in (0, 1), or null for all. */
  readonly maxFeatures?: MaxFeatures
  /** Seeds every random choice made in fit (feature order, bootstrap). */
  readonly seed?: number
  /** Histogram bins per feature (2..255); features with fewer distinct values are binned exactly. */
  readonly maxBins?: number
}

/** The regressors' hyperparameters: the same, with the squared-error criterion (sklearn's default and ours only). */
export interface RegressionTreeOptions extends Omit<TreeOptions, 'criterion'> {
  readonly criterion?: 'squared_error'
}

type AnyTreeParams = Required<TreeOptions> | Required<RegressionTreeOptions>

export function checkTreeParams(o: AnyTreeParams, task: 'classification' | 'regression' = 'classification'): void {
  if (task === 'regression') {
    if (o.criterion !== 'squared_error') throw new ValidationError(`criterion must be 'squared_error', got ${String(o.criterion)}`, 'criterion')
  } else if (o.criterion !== 'gini' && o.criterion !== 'entropy') throw new ValidationError(`criterion must be 'gini' or 'entropy', got ${String(o.criterion)}`, 'criterion')
  if (o.maxDepth !== null && !(Number.isInteger(o.maxDepth) && o.maxDepth >= 1)) throw new ValidationError(`maxDepth must be null or an integer ≥ 1, got ${o.maxDepth}`, 'maxDepth')
  if (!(Number.isInteger(o.minSamplesSplit) && o.minSamplesSplit >= 2)) throw new ValidationError(`minSamplesSplit must be an integer ≥ 2, got ${o.minSamplesSplit}`, 'minSamplesSplit')
  if (!(Number.isInteger(o.minSamplesLeaf) && o.minSamplesLeaf >= 1)) throw new ValidationError(`minSamplesLeaf must be an integer ≥ 1, got ${o.minSamplesLeaf}`, 'minSamplesLeaf')
  if (!Number.isFinite(o.seed)) throw new ValidationError(`seed must be a finite number, got ${o.seed}`, 'seed')
  if (!(Number.isInteger(o.maxBins) && o.maxBins >= 2 && o.maxBins <= MAX_BINS)) throw new ValidationError(`maxBins must be an integer in [2, ${MAX_BINS}], got ${o.maxBins}`, 'maxBins')
  const mf = o.maxFeatures
  if (!(mf === null || mf === 'sqrt' || mf === 'log2' || (typeof mf === 'number' && mf > 0 && (Number.isInteger(mf) || mf < 1)))) {
    throw new ValidationError(`maxFeatures must be 'sqrt', 'log2', null, an integer ≥ 1 or a fraction in (0, 1), got ${String(mf)}`, 'maxFeatures')
  }
}

/** Number of features examined per split for nFeatures columns (sklearn's rules). */
export function resolveMaxFeatures(mf: MaxFeatures, nFeatures: number): number {
  if (mf === null) return nFeatures
  if (mf === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)))
  if (mf === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)))
  if (Number.isInteger(mf)) {
    if (mf > nFeatures) throw new ValidationError(`maxFeatures (${mf}) is larger than the number of features (${nFeatures})`, 'maxFeatures')
    return mf
  }
  return Math.max(1, Math.floor(mf * nFeatures))
}

export function buildParams(o: AnyTreeParams, nFeatures: number, nClasses: number, bootstrap: boolean): TreeBuildParams {
  return {
    nClasses,
    criterion: o.criterion,
    maxDepth: o.maxDepth ?? Infinity,
    minSamplesSplit: o.minSamplesSplit,
    minSamplesLeaf: o.minSamplesLeaf,
    maxFeatures: resolveMaxFeatures(o.maxFeatures, nFeatures),
    bootstrap,
  }
}
