import { argmax, checkModelJson, type Classifier, type ModelJson } from '../estimator.js'
import type { Label } from '../labels.js'
import type { MatrixLike } from '../matrix.js'
import { checkPredictMatrix, checkRow, checkXy, estimatorParams } from '../validation.js'
import { binFeatures } from './binning.js'
import { applyTree, leafProba, normalizeImportance, treeFromJson, treeToJson, type FlatTree, type FlatTreeJson } from './flat-tree.js'
import { buildTree } from './tree-builder.js'
import { buildParams, checkTreeParams, type TreeOptions } from './tree-options.js'
import { FittedClassifier } from '../fitted-classifier.js'

export type DecisionTreeClassifierOptions = TreeOptions
export type DecisionTreeClassifierParams = Required<TreeOptions>

interface TreeLearned {
  readonly classes: Label[]
  readonly nFeatures: number
  readonly tree: FlatTree
  readonly proba: Float64Array
  readonly importances: Float64Array
}

const KIND = 'DecisionTreeClassifier'

/** CART classifier grown on histogram-binned features (exact for ≤ maxBins distinct values per feature). */
export class DecisionTreeClassifier extends FittedClassifier<TreeLearned> implements Classifier {
  readonly params: Readonly<DecisionTreeClassifierParams>

  constructor(options: DecisionTreeClassifierOptions = {}) {
    super(KIND)
    this.params = estimatorParams(KIND, options, {
      criterion: options.criterion ?? 'gini',
      maxDepth: options.maxDepth ?? null,
      minSamplesSplit: options.minSamplesSplit ?? 2,
      minSamplesLeaf: options.minSamplesLeaf ?? 1,
      maxFeatures: options.maxFeatures ?? null,
      seed: options.seed ?? 0,
      maxBins: options.maxBins ?? 255,
    })
  }

  /** Mean decrease in impurity per feature, summing to 1. */
  get featureImportances_(): Float64Array {
    return this.fitted().importances.slice()
  }

  /** The fitted tree's flat arrays (read-only view). */
  get tree_(): FlatTree {
    return this.fitted().tree
  }

  fit(x: MatrixLike, y: ArrayLike<Label>): this {
    checkTreeParams(this.params)
    const c = checkXy(x, y)
    const binned = binFeatures(c.x, this.params.maxBins)
    const bp = buildParams(this.params, c.x.nCols, c.classes.length, false)
    const tree = buildTree(binned, c.y, bp, this.params.seed)
    this.setFitted(DecisionTreeClassifier.#learnedFrom(c.classes, c.x.nCols, tree))
    return this
  }

  static #learnedFrom(classes: Label[], nFeatures: number, tree: FlatTree): TreeLearned {
    return { classes, nFeatures, tree, proba: leafProba(tree, classes.length), importances: normalizeImportance(tree.importance) }
  }

  predictProba(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const m = checkPredictMatrix(x, f.nFeatures)
    const k = f.classes.length
    const out = new Float64Array(m.nRows * k)
    for (let i = 0; i < m.nRows; i++) {
      const leaf = applyTree(f.tree, m.data, i * m.nCols)
      for (let c = 0; c < k; c++) out[i * k + c] = f.proba[leaf * k + c]
    }
    return out
  }

  predictProbaOne(row: ArrayLike<number>, out?: Float64Array): Float64Array {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    const k = f.classes.length
    const res = out ?? new Float64Array(k)
    const leaf = applyTree(f.tree, row, 0)
    for (let c = 0; c < k; c++) res[c] = f.proba[leaf * k + c]
    return res
  }

  predictOne(row: ArrayLike<number>): Label {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    const leaf = applyTree(f.tree, row, 0)
    return f.classes[argmax(f.proba, leaf * f.classes.length, f.classes.length)]
  }

  toJSON(): ModelJson<DecisionTreeClassifierParams, { classes: Label[]; nFeatures: number; tree: FlatTreeJson }> {
    const f = this.fittedOrNone()
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params },
      learned: f === undefined ? null : { classes: f.classes, nFeatures: f.nFeatures, tree: treeToJson(f.tree) },
    }
  }

  static fromJSON(json: unknown): DecisionTreeClassifier {
    const j = checkModelJson(json, KIND)
    const est = new DecisionTreeClassifier(j.params)
    if (j.learned != null) est.setFitted(DecisionTreeClassifier.#learnedFrom(j.learned.classes, j.learned.nFeatures, treeFromJson(j.learned.tree)))
    return est
  }
}
