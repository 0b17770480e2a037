import { ValidationError } from '../errors.js'
import { argmax, checkModelJson, type Classifier, type ModelJson } from '../estimator.js'
import type { Label } from '../labels.js'
import type { MatrixLike } from '../matrix.js'
import { Random } from '../random.js'
import { binFeatures } from '../tree/binning.js'
import { normalizeImportance, treeFromJson, treeToJson, type FlatTree, type FlatTreeJson } from '../tree/flat-tree.js'
import { PackedForest } from '../tree/packed-forest.js'
import { buildParams, checkTreeParams, type TreeOptions } from '../tree/tree-options.js'
import { checkPredictMatrix, checkRow, checkXy, estimatorParams } from '../validation.js'
import { fitThreads, trainTrees } from './forest-trainer.js'
import { resolveThreads } from './worker-pool.js'
import { FittedClassifier } from '../fitted-classifier.js'

export interface RandomForestClassifierOptions extends TreeOptions {
  /** Number of trees (default 100). */
  readonly nEstimators?: number
  /** Train each tree on a bootstrap sample (default true). */
  readonly bootstrap?: boolean
  /**
   * Most threads fit uses: -1 every core (default), 1 in-thread only, n ≥ 2 up to that many (worker
   * threads plus the calling one). Small fits (rows × trees × features per split below 300k, e.g.
   * iris or titanic with 100 trees) always train in-thread. The fitted model is the same for any value.
   */
  readonly nJobs?: number
}

export type RandomForestClassifierParams = Required<RandomForestClassifierOptions>

interface ForestLearned {
  readonly classes: Label[]
  readonly nFeatures: number
  readonly trees: FlatTree[]
  /** The same trees repacked for prediction (one buffer, shared leaf probability rows). */
  readonly packed: PackedForest
  /** predictOne's probability row (scratch, so it allocates nothing). */
  readonly scratch: Float64Array
  readonly importances: Float64Array
}

export interface ForestLearnedJson {
  readonly classes: Label[]
  readonly nFeatures: number
  readonly trees: FlatTreeJson[]
}

const KIND = 'RandomForestClassifier'

/**
 * Random forest of histogram CART trees (bootstrap, sqrt features, gini by default), trained across
 * worker threads. Per-tree seeds are drawn from `seed` up front, so the model is identical whatever nJobs is.
 */
export class RandomForestClassifier extends FittedClassifier<ForestLearned> implements Classifier {
  readonly params: Readonly<RandomForestClassifierParams>

  constructor(options: RandomForestClassifierOptions = {}) {
    super(KIND)
    this.params = estimatorParams(KIND, options, {
      nEstimators: options.nEstimators ?? 100,
      criterion: options.criterion ?? 'gini',
      maxDepth: options.maxDepth ?? null,
      minSamplesSplit: options.minSamplesSplit ?? 2,
      minSamplesLeaf: options.minSamplesLeaf ?? 1,
      maxFeatures: options.maxFeatures === undefined ? 'sqrt' : options.maxFeatures,
      bootstrap: options.bootstrap ?? true,
      seed: options.seed ?? 0,
      nJobs: options.nJobs ?? -1,
      maxBins: options.maxBins ?? 255,
    })
  }

  /** Mean decrease in impurity per feature averaged over trees, summing to 1 (sklearn's definition). */
  get featureImportances_(): Float64Array {
    return this.fitted().importances.slice()
  }

  /** The fitted trees' flat arrays (read-only views). */
  get trees_(): readonly FlatTree[] {
    return this.fitted().trees
  }

  fit(x: MatrixLike, y: ArrayLike<Label>): this {
    const p = this.params
    checkTreeParams(p)
    if (!(Number.isInteger(p.nEstimators) && p.nEstimators >= 1)) throw new ValidationError(`nEstimators must be an integer ≥ 1, got ${p.nEstimators}`, 'nEstimators')
    if (!Number.isInteger(p.nJobs)) throw new ValidationError(`nJobs must be an integer, got ${p.nJobs}`, 'nJobs')
    const c = checkXy(x, y)
    const bp = buildParams(p, c.x.nCols, c.classes.length, p.bootstrap)
    const threads = fitThreads(resolveThreads(p.nJobs), c.x.nRows, p.nEstimators, bp.maxFeatures)
    const binned = binFeatures(c.x, p.maxBins, threads > 1)
    const rng = new Random(p.seed)
    const seeds = new Uint32Array(p.nEstimators)
    for (let t = 0; t < seeds.length; t++) seeds[t] = rng.nextUint32()
    const { trees } = trainTrees(binned, c.y, bp, seeds, threads)
    this.setFitted(RandomForestClassifier.#learnedFrom(c.classes, c.x.nCols, trees))
    return this
  }

  static #learnedFrom(classes: Label[], nFeatures: number, trees: FlatTree[]): ForestLearned {
    const k = classes.length
    return { classes, nFeatures, trees, packed: PackedForest.from(trees, k), scratch: new Float64Array(k), importances: forestImportances(trees, nFeatures) }
  }

  predictProba(x: MatrixLike): Float64Array {
    const f = this.fitted()
    const m = checkPredictMatrix(x, f.nFeatures)
    const out = new Float64Array(m.nRows * f.classes.length)
    f.packed.probaRows(m.data, m.nRows, m.nCols, out)
    return out
  }

  predictProbaOne(row: ArrayLike<number>, out?: Float64Array): Float64Array {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    const res = out ?? new Float64Array(f.classes.length)
    f.packed.probaOne(row, res)
    return res
  }

  predictOne(row: ArrayLike<number>): Label {
    const f = this.fitted()
    checkRow(row, f.nFeatures)
    f.packed.probaOne(row, f.scratch)
    return f.classes[argmax(f.scratch, 0, f.scratch.length)]
  }

  toJSON(): ModelJson<RandomForestClassifierParams, ForestLearnedJson> {
    const f = this.fittedOrNone()
    return {
      kind: KIND,
      version: 1,
      params: { ...this.params },
      learned: f === undefined ? null : { classes: f.classes, nFeatures: f.nFeatures, trees: f.trees.map(treeToJson) },
    }
  }

  static fromJSON(json: unknown): RandomForestClassifier {
    const j = checkModelJson(json, KIND)
    const est = new RandomForestClassifier(j.params)
    const l = j.learned as ForestLearnedJson | null
    if (l != null) est.setFitted(RandomForestClassifier.#learnedFrom(l.classes, l.nFeatures, l.trees.map(treeFromJson)))
    return est
  }
}

/** Each tree's normalised importances averaged over the trees that split at all, then normalised (sklearn's feature_importances_). */
export function forestImportances(trees: readonly FlatTree[], nFeatures: number): Float64Array {
  const imp = new Float64Array(nFeatures)
  let used = 0
  for (const t of trees) {
    if (t.feature.length <= 1) continue
    const ti = normalizeImportance(t.importance)
    for (let f = 0; f < nFeatures; f++) imp[f] += ti[f]
    used++
  }
  if (used > 0) for (let f = 0; f < nFeatures; f++) imp[f] /= used
  return normalizeImportance(imp)
}
