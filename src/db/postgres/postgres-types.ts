import type { ColumnType } from '../column-types.js'

// Timestamps are epoch milliseconds, as on SQLite, so values and "since" comparisons are the same everywhere.
export const POSTGRES_TYPES: Record<ColumnType, string> = {
  int: 'bigint',
  float: 'double precision',
  string: 'text',
  bool: 'boolean',
  timestamp: 'bigint',
}
