/** ml/: estimators, metrics and helpers on typed arrays — pure, no storage or HTTP. */
export { NotFittedError, ValidationError } from './errors.js'
export { isClassifier, type Classifier, type Estimator, type ModelJson, type Regressor } from './estimator.js'
export { compareLabels, uniqueLabels, type Label } from './labels.js'
export { Random } from './random.js'
export { isMatrix, matrixFromRows, takeRows, toMatrix, type Matrix, type MatrixLike } from './matrix.js'
export { checkMatrix, checkXy, checkXyNumeric } from './validation.js'
export { KNeighborsClassifier, type KNeighborsClassifierOptions, type KNeighborsClassifierParams } from './knn.js'
export { KNeighborsRegressor, type KNeighborsRegressorOptions, type KNeighborsRegressorParams } from './knn-regressor.js'
export { DecisionTreeClassifier, type DecisionTreeClassifierOptions, type DecisionTreeClassifierParams } from './tree/decision-tree.js'
export { DecisionTreeRegressor, type DecisionTreeRegressorOptions, type DecisionTreeRegressorParams } from './tree/decision-tree-regressor.js'
export type { MaxFeatures, RegressionTreeOptions, TreeOptions } from './tree/tree-options.js'
export type { FlatTree } from './tree/flat-tree.js'
export { RandomForestClassifier, type RandomForestClassifierOptions, type RandomForestClassifierParams } from './forest/random-forest.js'
export { RandomForestRegressor, type RandomForestRegressorOptions, type RandomForestRegressorParams } from './forest/random-forest-regressor.js'
export { terminateForestWorkers, warmUpForestWorkers } from './forest/worker-pool.js'
export { LogisticRegression, type LogisticRegressionOptions, type LogisticRegressionParams } from './linear/logistic-regression.js'
export { LinearRegression, Ridge, type LinearRegressionOptions, type LinearRegressionParams, type RidgeOptions, type RidgeParams } from './linear/linear-regression.js'
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
export { loadModel } from './load-model.js'
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
export {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  r2Score,
  rootMeanSquaredError,
  type RegressionMetricOptions,
} from './metrics/regression.js'
export { logLoss, type LogLossOptions } from './metrics/log-loss.js'
export { populationStabilityIndex, ksTwoSample, kolmogorovSurvival, quantileSorted, type PsiOptions, type PsiResult, type KsResult, type Sample } from './drift.js'
