/** The value types a feature column can hold; each dialect maps them to SQL types and back. */
export const COLUMN_TYPES = ['int', 'float', 'string', 'bool', 'timestamp'] as const
export type ColumnType = (typeof COLUMN_TYPES)[number]

export function isColumnType(t: unknown): t is ColumnType {
  return typeof t === 'string' && (COLUMN_TYPES as readonly string[]).includes(t)
}
