/** ml/: estimators, metrics and helpers on typed arrays — pure, no storage or HTTP. */
export { NotFittedError, ValidationError } from './errors.js'
export type { Classifier, ModelJson } from './estimator.js'
export { compareLabels, uniqueLabels, type Label } from './labels.js'
export { Random } from './random.js'
export { isMatrix, matrixFromRows, takeRows, toMatrix, type Matrix, type MatrixLike } from './matrix.js'
export { checkMatrix, checkRegressionXy, checkXy } from './validation.js'
export { KNeighborsClassifier, type KNeighborsClassifierOptions, type KNeighborsClassifierParams } from './knn.js'
export { DecisionTreeClassifier, type DecisionTreeClassifierOptions, type DecisionTreeClassifierParams } from './tree/decision-tree.js'
export type { MaxFeatures, TreeOptions } from './tree/tree-options.js'
export type { FlatTree } from './tree/flat-tree.js'
export { RandomForestClassifier, type RandomForestClassifierOptions, type RandomForestClassifierParams } from './forest/random-forest.js'
export { terminateForestWorkers, warmUpForestWorkers } from './forest/worker-pool.js'
export {
  HistGradientBoostingClassifier,
  type HistGradientBoostingClassifierOptions,
  type HistGradientBoostingClassifierParams,
} from './boosting/hist-gradient-boosting-classifier.js'
export {
  HistGradientBoostingRegressor,
  type HistGradientBoostingRegressorOptions,
  type HistGradientBoostingRegressorParams,
} from './boosting/hist-gradient-boosting-regressor.js'
export type { HistGradientBoostingOptions, HistGradientBoostingParams } from './boosting/boosting-options.js'
export { terminateBoostingWorkers, warmUpBoostingWorkers } from './boosting/threads.js'
export { isClassifier, loadModel, type Estimator } from './load-model.js'
export type { Regressor } from './regressor.js'
export {
  accuracyScore,
  checkTargets,
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  precisionRecallFscoreSupport,
  type AccuracyOptions,
  type Average,
  type AveragedScores,
  type CheckedTargets,
  type ClassificationReport,
  type ClassificationReportOptions,
  type ClassReportRow,
  type ConfusionMatrixOptions,
  type PerLabelScores,
  type PrecisionRecallFscoreOptions,
  type ReportRow,
  type ZeroDivision,
} from './metrics/classification.js'
export { rocAucScore } from './metrics/ranking.js'
export { populationStabilityIndex, ksTwoSample, kolmogorovSurvival, quantileSorted, type PsiOptions, type PsiResult, type KsResult, type Sample } from './drift.js'
