import type { ColumnType } from '../column-types.js'

// Timestamps are epoch milliseconds and booleans 0/1: SQLite has no native types for either.
export const SQLITE_TYPES: Record<ColumnType, string> = {
  int: 'integer',
  float: 'real',
  string: 'text',
  bool: 'integer',
  timestamp: 'integer',
}
