import { ValidationError } from '../errors.js'
import { PackedBoostedTrees, type BoostedTreeJson } from './boosted-trees.js'
import type { BoostingResult } from './fit-boosting.js'

/** What both boosters learn, in JSON form (version 1). */
export interface BoostedLearnedJson {
  readonly nFeatures: number
  readonly baseline: number[]
  readonly nIter: number
  readonly featureImportances: number[]
  readonly validationScore: number[]
  readonly trees: BoostedTreeJson[]
}

/** The learned booster with its prediction form. */
export interface BoostedModel {
  readonly nFeatures: number
  readonly nIter: number
  readonly importances: Float64Array
  readonly validationScore: readonly number[]
  readonly trees: readonly BoostedTreeJson[]
  readonly packed: PackedBoostedTrees
  /** Raw scores of predictOne (scratch, so single-row prediction allocates nothing). */
  readonly rawScratch: Float64Array
}

export function boostedModel(nFeatures: number, r: Pick<BoostingResult, 'baseline' | 'trees' | 'nIter' | 'importances' | 'validationScore'>): BoostedModel {
  const k = r.baseline.length
  return {
    nFeatures,
    nIter: r.nIter,
    importances: r.importances,
    validationScore: r.validationScore,
    trees: r.trees,
    packed: new PackedBoostedTrees(r.trees, k, r.baseline),
    rawScratch: new Float64Array(k),
  }
}

export function boostedToJson(m: BoostedModel): BoostedLearnedJson {
  return {
    nFeatures: m.nFeatures,
    baseline: Array.from(m.packed.baseline),
    nIter: m.nIter,
    featureImportances: Array.from(m.importances),
    validationScore: [...m.validationScore],
    trees: [...m.trees],
  }
}

export function boostedFromJson(j: BoostedLearnedJson): BoostedModel {
  if (!Array.isArray(j.trees) || !Array.isArray(j.baseline) || j.baseline.length === 0) throw new ValidationError('model JSON learned state needs trees and a baseline', 'learned')
  return boostedModel(j.nFeatures, {
    baseline: Float64Array.from(j.baseline),
    trees: j.trees,
    nIter: j.nIter,
    importances: Float64Array.from(j.featureImportances),
    validationScore: j.validationScore,
  })
}
