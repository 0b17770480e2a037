import { labelsFromProba } from './estimator.js'
import { NotFittedError } from './errors.js'
import type { Label } from './labels.js'
import type { MatrixLike } from './matrix.js'

/** What every fitted classifier learned at least: its sorted classes and input width. */
export interface LearnedBase {
  readonly classes: readonly Label[]
  readonly nFeatures: number
}

/**
 * The fitted-state half of the estimator contract, shared by every classifier: learned state is set by
 * fit (or fromJSON) only, reading it before that throws NotFittedError naming the estimator, and predict
 * is the argmax of predictProba.
 */
export abstract class FittedClassifier<L extends LearnedBase> {
  #fit: L | undefined

  constructor(private readonly kind: string) {}

  isFitted(): boolean {
    return this.#fit !== undefined
  }

  /** n×k row-major class probabilities, columns in classes_ order. */
  abstract predictProba(x: MatrixLike): Float64Array

  /** The most probable class of each row (ties to the lower class index). */
  predict(x: MatrixLike): Label[] {
    return labelsFromProba(this.predictProba(x), this.fitted().classes)
  }

  get classes_(): readonly Label[] {
    return this.fitted().classes
  }

  get nFeaturesIn_(): number {
    return this.fitted().nFeatures
  }

  /** The learned state; throws NotFittedError before fit. */
  protected fitted(): L {
    if (this.#fit === undefined) throw new NotFittedError(this.kind)
    return this.#fit
  }

  /** The learned state, or undefined before fit (for toJSON). */
  protected fittedOrNone(): L | undefined {
    return this.#fit
  }

  protected setFitted(learned: L): void {
    this.#fit = learned
  }
}
