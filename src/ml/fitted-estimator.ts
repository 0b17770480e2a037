import { NotFittedError } from './errors.js'

/**
 * The fitted-state half of the estimator contract, shared by every classifier and regressor: learned
 * state is set by fit (or fromJSON) only, and reading it before that throws NotFittedError naming the
 * estimator.
 */
export abstract class FittedEstimator<L extends { readonly nFeatures: number }> {
  #fit: L | undefined

  constructor(private readonly kind: string) {}

  isFitted(): boolean {
    return this.#fit !== undefined
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
