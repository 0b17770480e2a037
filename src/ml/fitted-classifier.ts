import { labelsFromProba } from './estimator.js'
import { FittedEstimator } from './fitted-estimator.js'
import type { Label } from './labels.js'
import type { MatrixLike } from './matrix.js'

/** What every fitted classifier learned at least: its sorted classes and input width. */
export interface LearnedBase {
  readonly classes: readonly Label[]
  readonly nFeatures: number
}

/** FittedEstimator for classifiers: classes_ from the learned state, predict as the argmax of predictProba. */
export abstract class FittedClassifier<L extends LearnedBase> extends FittedEstimator<L> {
  /** n×k row-major class probabilities, columns in classes_ order. */
  abstract predictProba(x: MatrixLike): Float64Array

  /** The most probable class of each row (ties to the lower class index). */
  predict(x: MatrixLike): Label[] {
    return labelsFromProba(this.predictProba(x), this.fitted().classes)
  }

  get classes_(): readonly Label[] {
    return this.fitted().classes
  }
}
