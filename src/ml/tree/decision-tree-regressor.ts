import { checkModelJson, type ModelJson, type Regressor } from '../estimator.js'
import { FittedEstimator } from '../fitted-estimator.js'
import type { MatrixLike } from '../matrix.js'
import { checkPredictMatrix, checkRow, checkXyNumeric, estimatorParams } from '../validation.js'
import { binFeatures } from './binning.js'
import { applyTree, normalizeImportance, treeFromJson, treeToJson, type FlatTree, type FlatTreeJson } from './flat-tree.js'
import { buildRegressionTree } from './regression-tree-builder.js'
import { buildParams, checkTreeParams, type RegressionTreeOptions } from './tree-options.js'

export type DecisionTreeRegressorOptions = RegressionTreeOptions
export type DecisionTreeRegressorParams = Required<RegressionTreeOptions>

interface TreeLearned {
  readonly nFeatures: number
  readonly tree: FlatTree
  readonly importances: Float64Array
}

const KIND = 'DecisionTreeRegressor'

/**
 * CART regression tree (squared error) grown on histogram-binned features, exact for ≤ maxBins
 * distinct values per feature; each leaf predicts the mean target of its training rows.
 */
export class DecisionTreeRegressor extends FittedEstimator<TreeLearned> implements Regressor {
  readonly params: Readonly<DecisionTreeRegressorParams>

  constructor(options: DecisionTreeRegressorOptions = {}) {
    super(KIND)
    this.params = estimatorParams(KIND, options, {
      criterion: options.criterion ?? 'squared_error',
      maxDepth: options.maxDepth ?? null,
      minSamplesSplit: options.minSamplesSplit ?? 2,
      minSamplesLeaf: options.minSamplesLeaf ?? 1,
      maxFeatures: options.maxFeatures ?? null,
      seed: options.seed ?? 0,
      maxBins: options.maxBins ?? 255,
    })
  }

  /** Total decrease in squared error per feature, summing to 1 (sklearn's feature_importances_). */
  get featureImportances_(): Float64Array {
    return this.fitted().importances.slice()
  }

  /** The fitted tree's flat arrays (read-only view); `value` holds one mean per leaf. */
  get tree_(): FlatTree {
    return this.fitted().tree
  }

  fit(x: MatrixLike, y: ArrayLike<number>): this {
    checkTreeParams(this.params, 'regression')
    const c = checkXyNumeric(x, y)
    const binned = binFeatures(c.x, this.params.maxBins)
    const tree = buildRegressionTree(binned, c.y, buildParams(this.params, c.x.nCols, 1, false), this.params.seed)
    this.setFitted(learnedFrom(c.x.nCols, tree))
    return this
  }

  predict(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const m = checkPredictMatrix(x, f.nFeatures)
    const out = new Float64Array(m.nRows)
    for (let i = 0; i < m.nRows; i++) out[i] = f.tree.value[applyTree(f.tree, m.data, i * m.nCols)]
    return out
  }

  predictOne(row: ArrayLike<number>): number {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    return f.tree.value[applyTree(f.tree, row, 0)]
  }

  toJSON(): ModelJson<DecisionTreeRegressorParams, { nFeatures: number; tree: FlatTreeJson }> {
    const f = this.fittedOrNone()
    return { kind: KIND, version: 1, params: { ...this.params }, learned: f === undefined ? null : { nFeatures: f.nFeatures, tree: treeToJson(f.tree) } }
  }

  static fromJSON(json: unknown): DecisionTreeRegressor {
    const j = checkModelJson(json, KIND)
    const est = new DecisionTreeRegressor(j.params)
    if (j.learned != null) est.setFitted(learnedFrom(j.learned.nFeatures, treeFromJson(j.learned.tree)))
    return est
  }
}

function learnedFrom(nFeatures: number, tree: FlatTree): TreeLearned {
  return { nFeatures, tree, importances: normalizeImportance(tree.importance) }
}
