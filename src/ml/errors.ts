/** Bad input to an estimator or metric; the message names the field and the reason (e.g. "x[3][1] is NaN"). */
export class ValidationError extends RangeError {
  override readonly name = 'ValidationError'
  constructor(
    message: string,
    /** The argument at fault ("x", "y", "yTrue", "row", …). */
    readonly field?: string,
  ) {
    super(message)
  }
}

/** predict / predictProba / learned attributes used before fit(). */
export class NotFittedError extends Error {
  override readonly name = 'NotFittedError'
  constructor(estimator: string) {
    super(`this ${estimator} is not fitted yet: call fit(x, y) before using it`)
  }
}
