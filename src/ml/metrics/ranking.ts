import { ValidationError } from '../errors.js'
import { checkLabels, uniqueLabels, type Label } from '../labels.js'

/**
 * Area under the ROC curve for a binary target (sklearn's roc_auc_score): the positive class is the
 * larger of the two labels, `probPositive` its scores. Ties are counted half, which is what the
 * trapezoidal ROC curve gives.
 */
export function rocAucScore(yTrue: ArrayLike<Label>, probPositive: ArrayLike<number>): number {
  if (yTrue == null || probPositive == null || yTrue.length !== probPositive.length) {
    throw new ValidationError(`yTrue has ${yTrue?.length} labels but probPositive has ${probPositive?.length} scores`, 'probPositive')
  }
  checkLabels(yTrue, 'yTrue')
  const classes = uniqueLabels(yTrue)
  if (classes.length < 2) throw new ValidationError('only one class present in yTrue: ROC AUC is not defined in that case', 'yTrue')
  if (classes.length > 2) throw new ValidationError(`rocAucScore is for binary targets; yTrue has ${classes.length} classes`, 'yTrue')
  const n = yTrue.length
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(probPositive[i])) throw new ValidationError(`probPositive[${i}] is ${probPositive[i]}`, 'probPositive')
  }
  const pos = classes[1]
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probPositive[a] - probPositive[b])
  // Mann–Whitney U with mid-ranks for tied scores
  let rankSumPos = 0
  let nPos = 0
  for (let i = 0; i < n; ) {
    let j = i
    while (j + 1 < n && probPositive[order[j + 1]] === probPositive[order[i]]) j++
    const midRank = (i + j) / 2 + 1
    for (let t = i; t <= j; t++) {
      if (yTrue[order[t]] === pos) {
        rankSumPos += midRank
        nPos++
      }
    }
    i = j + 1
  }
  const nNeg = n - nPos
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg)
}
