import { ValidationError } from './errors.js'

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/** Refuses any name that could not be a plain SQL identifier; no SQL is ever built from other strings. */
export function assertIdentifier(name: unknown, what = 'name'): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new ValidationError(
      `${what} ${JSON.stringify(name)} is not a valid identifier: use lowercase letters, digits and _, starting with a letter or _, at most 63 characters`,
      [{ column: typeof name === 'string' ? name : undefined, reason: 'not a valid identifier (^[a-z_][a-z0-9_]{0,62}$)' }],
    )
  }
  return name
}

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name)
}
