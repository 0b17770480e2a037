import { ValidationError } from '../errors.js'
import { checkModelJson, type ModelJson, type Regressor } from '../estimator.js'
import { FittedEstimator } from '../fitted-estimator.js'
import type { MatrixLike } from '../matrix.js'
import { Random } from '../random.js'
import { binFeatures } from '../tree/binning.js'
import { treeFromJson, treeToJson, type FlatTree, type FlatTreeJson } from '../tree/flat-tree.js'
import { PackedForest } from '../tree/packed-forest.js'
import { buildParams, checkTreeParams, type RegressionTreeOptions } from '../tree/tree-options.js'
import { checkPredictMatrix, checkRow, checkXyNumeric, estimatorParams } from '../validation.js'
import { fitThreads, trainTrees } from './forest-trainer.js'
import { forestImportances } from './random-forest.js'
import { resolveThreads } from './worker-pool.js'

export interface RandomForestRegressorOptions extends RegressionTreeOptions {
  /** Number of trees (default 100). */
  readonly nEstimators?: number
  /** Train each tree on a bootstrap sample (default true). */
  readonly bootstrap?: boolean
  /** Most threads fit uses, as RandomForestClassifier's nJobs (default -1, every core); the model is the same for any value. */
  readonly nJobs?: number
}

export type RandomForestRegressorParams = Required<RandomForestRegressorOptions>

interface ForestLearned {
  readonly nFeatures: number
  readonly trees: FlatTree[]
  /** The same trees repacked for prediction (leaf means shared across trees). */
  readonly packed: PackedForest
  readonly scratch: Float64Array
  readonly importances: Float64Array
}

interface ForestLearnedJson {
  readonly nFeatures: number
  readonly trees: FlatTreeJson[]
}

const KIND = 'RandomForestRegressor'

/**
 * Random forest of histogram CART regression trees (squared error, bootstrap), trained across worker
 * threads; predicts the mean of the trees' leaf means. maxFeatures defaults to null, every feature per
 * split — scikit-learn ≥ 1.1's max_features=1.0 (in JavaScript 1.0 is the integer 1, one feature).
 */
export class RandomForestRegressor extends FittedEstimator<ForestLearned> implements Regressor {
  readonly params: Readonly<RandomForestRegressorParams>

  constructor(options: RandomForestRegressorOptions = {}) {
    super(KIND)
    this.params = estimatorParams(KIND, options, {
      nEstimators: options.nEstimators ?? 100,
      criterion: options.criterion ?? 'squared_error',
      maxDepth: options.maxDepth ?? null,
      minSamplesSplit: options.minSamplesSplit ?? 2,
      minSamplesLeaf: options.minSamplesLeaf ?? 1,
      maxFeatures: options.maxFeatures ?? null,
      bootstrap: options.bootstrap ?? true,
      seed: options.seed ?? 0,
      nJobs: options.nJobs ?? -1,
      maxBins: options.maxBins ?? 255,
    })
  }

  /** Mean decrease in squared error per feature averaged over trees, summing to 1 (sklearn's definition). */
  get featureImportances_(): Float64Array {
    return this.fitted().importances.slice()
  }

  /** The fitted trees' flat arrays (read-only views); `value` holds one mean per leaf. */
  get trees_(): readonly FlatTree[] {
    return this.fitted().trees
  }

  fit(x: MatrixLike, y: ArrayLike<number>): this {
    const p = this.params
    checkTreeParams(p, 'regression')
    if (!(Number.isInteger(p.nEstimators) && p.nEstimators >= 1)) throw new ValidationError(`nEstimators must be an integer ≥ 1, got ${p.nEstimators}`, 'nEstimators')
    if (!Number.isInteger(p.nJobs)) throw new ValidationError(`nJobs must be an integer, got ${p.nJobs}`, 'nJobs')
    const c = checkXyNumeric(x, y)
    const bp = buildParams(p, c.x.nCols, 1, p.bootstrap)
    const threads = fitThreads(resolveThreads(p.nJobs), c.x.nRows, p.nEstimators, bp.maxFeatures)
    const binned = binFeatures(c.x, p.maxBins, threads > 1)
    const rng = new Random(p.seed)
    const seeds = new Uint32Array(p.nEstimators)
    for (let t = 0; t < seeds.length; t++) seeds[t] = rng.nextUint32()
    const { trees } = trainTrees(binned, c.y, bp, seeds, threads)
    this.setFitted(learnedFrom(c.x.nCols, trees))
    return this
  }

  predict(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const m = checkPredictMatrix(x, f.nFeatures)
    const out = new Float64Array(m.nRows)
    f.packed.probaRows(m.data, m.nRows, m.nCols, out)
    return out
  }

  predictOne(row: ArrayLike<number>): number {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    f.packed.probaOne(row, f.scratch)
    return f.scratch[0]
  }

  toJSON(): ModelJson<RandomForestRegressorParams, ForestLearnedJson> {
    const f = this.fittedOrNone()
    return { kind: KIND, version: 1, params: { ...this.params }, learned: f === undefined ? null : { nFeatures: f.nFeatures, trees: f.trees.map(treeToJson) } }
  }

  static fromJSON(json: unknown): RandomForestRegressor {
    const j = checkModelJson(json, KIND)
    const est = new RandomForestRegressor(j.params)
    const l = j.learned as ForestLearnedJson | null
    if (l != null) est.setFitted(learnedFrom(l.nFeatures, l.trees.map(treeFromJson)))
    return est
  }
}

function learnedFrom(nFeatures: number, trees: FlatTree[]): ForestLearned {
  return { nFeatures, trees, packed: PackedForest.from(trees, 1, true), scratch: new Float64Array(1), importances: forestImportances(trees, nFeatures) }
}
