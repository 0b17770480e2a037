import type { Matrix } from '../matrix.js'
import type { HistGradientBoostingParams } from './boosting-options.js'
import { fitBoosting, type BoostingResult } from './fit-boosting.js'
import type { BoostingLoss } from './losses.js'

/** Runs a boosting fit with the histogram builder nJobs asks for. */
export function fitBoostingThreaded(x: Matrix, y: Float64Array, loss: BoostingLoss, p: HistGradientBoostingParams, nClasses: number | null): BoostingResult {
  return fitBoosting(x, y, loss, p, nClasses)
}
