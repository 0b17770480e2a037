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

/** The longest store schema name: its job queue lives beside it in `<schema>_boss`, itself an identifier (≤ 63). */
export const MAX_SCHEMA_NAME_LENGTH = 58

/**
 * Why `name` cannot be a store's PostgreSQL schema, else undefined: a plain identifier (lowercase letters,
 * digits and _), because PostgreSQL folds an unquoted name to lowercase and the store names its schema both
 * quoted (CREATE SCHEMA) and unquoted (search_path), which must agree.
 */
export function schemaNameProblem(name: string): string | undefined {
  if (name.length > MAX_SCHEMA_NAME_LENGTH) return `must be at most ${MAX_SCHEMA_NAME_LENGTH} characters (its job queue's schema adds _boss)`
  if (!IDENTIFIER.test(name)) return 'must be lowercase letters, digits and _, starting with a letter or _'
  // PostgreSQL refuses to create them ("unacceptable schema name")
  if (name.startsWith('pg_')) return 'must not start with pg_ (PostgreSQL reserves those names)'
  return undefined
}
