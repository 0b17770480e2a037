import { SmlError } from '../errors/index.js'

/** Bad input to an estimator or metric: the one ValidationError, its issue's path naming the argument ("x", "yTrue"). */
export { ValidationError } from '../errors/index.js'

/**
 * predict / predictProba / learned attributes used before fit(). Kind `invalid`: calling a method out of order
 * is the caller's mistake, as scikit-learn's NotFittedError is a ValueError (`sklearn/exceptions.py`).
 */
export class NotFittedError extends SmlError {
  override readonly name: string = 'NotFittedError'
  constructor(estimator: string) {
    super('invalid', `this ${estimator} is not fitted yet: call fit(x, y) before using it`)
  }
}
