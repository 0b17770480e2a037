export { FeatureStore, type FeatureViewOptions } from './feature-store.js'
export { FeatureGroup, createGroupTable, type ColumnBatch, type InsertOptions } from './feature-group.js'
export { FeatureQuery, type FeatureJoin, type JoinOptions } from './feature-query.js'
export type { SourcePosition, SourcePositionMove } from './source-positions.js'
export { toGroupMetadata } from './catalog.js'
export {
  FeatureView,
  splitIndices,
  type BatchData,
  type BatchDataOptions,
  type FeatureViewMetadata,
  type FeatureViewJoin,
  type SplitKind,
  type LabelArray,
  type TrainingDatasetMetadata,
  type TrainTestSplit,
  type TrainTestSplitOptions,
} from './feature-view.js'
export { SchemaChangedError, ViewChangedError, storedShapeDifferences, viewDifferences, type StoredShape, type ViewShape } from './definition-drift.js'
export { timeSplitIndices } from './splits.js'
export { asOfIndex, gather, type AsOfSide, type AsOfRight, type KeyColumn } from './point-in-time.js'
export { parseCsv, parseCsvTimestamp, readCsvFile, inferCsvSchema, isMissingMarker, CSV_MISSING_MARKERS, csvToRows, csvField, recordsToTable, withCsvLines, tableRecords, type CsvTable, type RecordTable } from './csv.js'
export { applyTransformation, fitTransformation, outputNames, inverseLabel } from './transformations.js'
export { inferSchema, isNotNull, MAX_FEATURE_COLUMNS, validateRows, validateColumns, describeExpectation, type ColumnValues } from './validate.js'
export { parseTimestamp, TIMESTAMP_FORMAT } from './timestamp.js'
export * from './types.js'
