import { runEstimatorContract } from '../estimator.contract.js'
import { runRegressorContract } from '../regressor.contract.js'
import { HistGradientBoostingClassifier } from './hist-gradient-boosting-classifier.js'
import { HistGradientBoostingRegressor } from './hist-gradient-boosting-regressor.js'

runEstimatorContract('HistGradientBoostingClassifier', (seed) => new HistGradientBoostingClassifier({ seed, maxIter: 20, minSamplesLeaf: 5 }), { acceptsNaN: true })
runEstimatorContract('HistGradientBoostingClassifier (early stopping, depth 2)', (seed) =>
  new HistGradientBoostingClassifier({ seed, maxIter: 30, maxDepth: 2, minSamplesLeaf: 3, earlyStopping: true, nIterNoChange: 3 }), { acceptsNaN: true })
runRegressorContract('HistGradientBoostingRegressor', (seed) => new HistGradientBoostingRegressor({ seed, maxIter: 50, minSamplesLeaf: 5 }), { acceptsNaN: true })
runRegressorContract('HistGradientBoostingRegressor (absolute error, early stopping)', (seed) =>
  new HistGradientBoostingRegressor({ seed, loss: 'absolute_error', maxIter: 80, minSamplesLeaf: 5, earlyStopping: true }), { acceptsNaN: true })
