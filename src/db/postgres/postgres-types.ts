import type { ColumnType } from '../column-types.js'

// Timestamps are epoch milliseconds, as on SQLite, so values and "since" comparisons are the same everywhere.
// Text is compared by code point (the "C" collation, SQLite's BINARY), never by the database's default
// collation: with an ICU or libc locale, 'B' < 'a' < '_x' would reorder keys, splits and min/max.
export const POSTGRES_TYPES: Record<ColumnType, string> = {
  int: 'bigint',
  float: 'double precision',
  string: 'text COLLATE "C"',
  bool: 'boolean',
  timestamp: 'bigint',
}
