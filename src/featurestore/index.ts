export { FeatureStore, openFeatureStore, type FeatureViewOptions } from './feature-store.js'
export { FeatureGroup, createGroupTable, type ColumnBatch, type FeatureQuery, type InsertOptions } from './feature-group.js'
export { toGroupMetadata } from './catalog.js'
export {
  FeatureView,
  splitIndices,
  type BatchData,
  type BatchDataOptions,
  type FeatureViewMetadata,
  type LabelArray,
  type TrainingDatasetMetadata,
  type TrainTestSplit,
  type TrainTestSplitOptions,
} from './feature-view.js'
export { parseCsv, parseCsvTimestamp, readCsvFile, inferCsvSchema, csvToRows, csvField, type CsvTable } from './csv.js'
export { applyTransformation, fitTransformation, outputNames, inverseLabel } from './transformations.js'
export { inferSchema, validateRows, describeExpectation } from './validate.js'
export { parseTimestamp, TIMESTAMP_FORMAT } from './timestamp.js'
export * from './types.js'
