import { describe, expect, it } from 'vitest'
import { ValidationError } from '../errors.js'
import {
  accuracyScore,
  checkTargets,
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  formatFixed,
  precisionRecallFscoreSupport,
  type ClassificationReport,
  type ReportRow,
  type ZeroDivision,
} from './classification.js'
import { CASES, PRFS, REPORTS, SKLEARN_VERSION, type SklearnZeroDivision } from './test-support/sklearn15-prfs.js'

/*
 * Expected numbers first produced with scikit-learn 1.2.1 (Debian /usr/bin/python3), then rerun with
 * scikit-learn 1.6.1 (same code as 1.5 here; see test-support/sklearn15_prfs.py for how it is run):
 * since 1.4 the F-score is computed from counts, (1+β²)·tp / ((1+β²)·tp + β²·fn + fp), not from
 * precision and recall, so some F values moved in the last bit (e.g. cat 0.6666666666666665 →
 * 0.6666666666666666); every text report stayed the same.
 *
 *   from sklearn.metrics import *
 *   yt = ['cat','dog','bird','cat','dog','dog','bird','cat','fish','fish','cat','dog']
 *   yp = ['cat','cat','bird','cat','dog','bird','bird','dog','cat','dog','cat','dog']
 *   accuracy_score(yt, yp); confusion_matrix(yt, yp); confusion_matrix(yt, yp, labels=['dog','cat'])
 *   precision_recall_fscore_support(yt, yp, average=avg, zero_division=zd)  # avg in None/macro/weighted/micro, zd in 0/1
 *   classification_report(yt, yp, zero_division=0); classification_report(yt, yp, digits=4, zero_division=0)
 *   yn = [0,1,2,2,1,0,2,1,1,0]; pn = [0,2,2,2,1,0,1,1,0,0]
 *   classification_report(yn, pn); classification_report(yn, pn, output_dict=True)
 */
const yt = ['cat', 'dog', 'bird', 'cat', 'dog', 'dog', 'bird', 'cat', 'fish', 'fish', 'cat', 'dog']
const yp = ['cat', 'cat', 'bird', 'cat', 'dog', 'bird', 'bird', 'dog', 'cat', 'dog', 'cat', 'dog'] // 'fish' never predicted
const yn = [0, 1, 2, 2, 1, 0, 2, 1, 1, 0]
const pn = [0, 2, 2, 2, 1, 0, 1, 1, 0, 0]

const SKLEARN_PRFS = {
  'null 0': [[0.6666666666666666, 0.6, 0.5, 0.0], [1.0, 0.75, 0.5, 0.0], [0.8, 0.6666666666666666, 0.5, 0.0], [2, 4, 4, 2]],
  'null 1': [[0.6666666666666666, 0.6, 0.5, 1.0], [1.0, 0.75, 0.5, 0.0], [0.8, 0.6666666666666666, 0.5, 0.0], [2, 4, 4, 2]],
  'macro 0': [0.44166666666666665, 0.5625, 0.4916666666666667, null],
  'macro 1': [0.6916666666666667, 0.5625, 0.4916666666666667, null],
  'weighted 0': [0.4777777777777778, 0.5833333333333334, 0.5222222222222223, null],
  'weighted 1': [0.6444444444444445, 0.5833333333333334, 0.5222222222222223, null],
  'micro 0': [0.5833333333333334, 0.5833333333333334, 0.5833333333333334, null],
  'micro 1': [0.5833333333333334, 0.5833333333333334, 0.5833333333333334, null],
} as const

const SKLEARN_REPORT = `              precision    recall  f1-score   support

        bird       0.67      1.00      0.80         2
         cat       0.60      0.75      0.67         4
         dog       0.50      0.50      0.50         4
        fish       0.00      0.00      0.00         2

    accuracy                           0.58        12
   macro avg       0.44      0.56      0.49        12
weighted avg       0.48      0.58      0.52        12
`

const SKLEARN_REPORT_4 = `              precision    recall  f1-score   support

        bird     0.6667    1.0000    0.8000         2
         cat     0.6000    0.7500    0.6667         4
         dog     0.5000    0.5000    0.5000         4
        fish     0.0000    0.0000    0.0000         2

    accuracy                         0.5833        12
   macro avg     0.4417    0.5625    0.4917        12
weighted avg     0.4778    0.5833    0.5222        12
`

const SKLEARN_REPORT_NUMERIC = `              precision    recall  f1-score   support

           0       0.75      1.00      0.86         3
           1       0.67      0.50      0.57         4
           2       0.67      0.67      0.67         3

    accuracy                           0.70        10
   macro avg       0.69      0.72      0.70        10
weighted avg       0.69      0.70      0.69        10
`

describe('classification metrics (same numbers as scikit-learn)', () => {
  it('accuracyScore', () => {
    expect(accuracyScore(yt, yp)).toBe(0.5833333333333334)
    expect(accuracyScore(yt, yp, { normalize: false })).toBe(7)
  })

  it('confusionMatrix: rows true, columns predicted, labels sorted or as given', () => {
    expect(confusionMatrix(yt, yp)).toEqual([[2, 0, 0, 0], [0, 3, 1, 0], [1, 1, 2, 0], [0, 1, 1, 0]])
    expect(confusionMatrix(yt, yp, { labels: ['dog', 'cat'] })).toEqual([[2, 1], [1, 3]])
    expect(confusionMatrix([2, 10, 1], [10, 10, 1])).toEqual([[1, 0, 0], [0, 0, 1], [0, 0, 1]]) // numeric sort: 1, 2, 10
    expect(confusionMatrix(yn, pn, { normalize: 'true' })[1]).toEqual([0.25, 0.5, 0.25])
  })

  for (const [key, expected] of Object.entries(SKLEARN_PRFS)) {
    it(`precisionRecallFscoreSupport average=${key.split(' ')[0]} zeroDivision=${key.split(' ')[1]}`, () => {
      const [avg, zd] = key.split(' ')
      const r = precisionRecallFscoreSupport(yt, yp, { average: avg === 'null' ? null : (avg as 'macro'), zeroDivision: Number(zd) as 0 | 1 })
      expect([r.precision, r.recall, r.fscore, r.support]).toEqual(expected)
    })
  }

  it('classificationReport as data', () => {
    const r = classificationReport(yt, yp, { zeroDivision: 0 })
    expect(r.classes.map((c) => c.name)).toEqual(['bird', 'cat', 'dog', 'fish'])
    expect(r.classes[1]).toEqual({ label: 'cat', name: 'cat', precision: 0.6, recall: 0.75, f1Score: 0.6666666666666666, support: 4 })
    expect(r.accuracy).toBe(0.5833333333333334)
    expect(r.microAvg).toBeNull()
    expect(r.macroAvg).toEqual({ precision: 0.44166666666666665, recall: 0.5625, f1Score: 0.4916666666666667, support: 12 })
    expect(r.weightedAvg).toEqual({ precision: 0.4777777777777778, recall: 0.5833333333333334, f1Score: 0.5222222222222223, support: 12 })
    const n = classificationReport(yn, pn)
    expect(n.classes.map((c) => c.f1Score)).toEqual([0.8571428571428571, 0.5714285714285714, 0.6666666666666666])
    expect(n.macroAvg).toEqual({ precision: 0.6944444444444443, recall: 0.7222222222222222, f1Score: 0.6984126984126983, support: 10 })
    expect(n.weightedAvg).toEqual({ precision: 0.6916666666666667, recall: 0.7, f1Score: 0.6857142857142857, support: 10 })
  })

  it('formatClassificationReport lays text out exactly like sklearn', () => {
    expect(formatClassificationReport(classificationReport(yt, yp, { zeroDivision: 0 }))).toBe(SKLEARN_REPORT)
    expect(formatClassificationReport(classificationReport(yt, yp), 4)).toBe(SKLEARN_REPORT_4)
    expect(formatClassificationReport(classificationReport(yn, pn))).toBe(SKLEARN_REPORT_NUMERIC)
  })

  it('a labels subset reports a micro average instead of accuracy, with target names', () => {
    const r = classificationReport(yt, yp, { labels: ['cat', 'dog'], targetNames: ['Cat', 'Dog'] })
    expect(r.accuracy).toBeNull()
    expect(r.microAvg?.precision).toBe(5 / 9) // tp 3 + 2 over 5 + 4 predicted
    // sklearn: classification_report(yt, yp, labels=['cat','dog'], target_names=['Cat','Dog'])
    expect(formatClassificationReport(r)).toBe(`              precision    recall  f1-score   support

         Cat       0.60      0.75      0.67         4
         Dog       0.50      0.50      0.50         4

   micro avg       0.56      0.62      0.59         8
   macro avg       0.55      0.62      0.58         8
weighted avg       0.55      0.62      0.58         8
`)
  })

  it('formatFixed rounds exact halves to even like Python', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12')
    expect(formatFixed(0.375, 2)).toBe('0.38')
    expect(formatFixed(0.625, 2)).toBe('0.62')
    expect(formatFixed(0.5, 0)).toBe('0')
    expect(formatFixed(0.1 + 0.2, 2)).toBe('0.30')
    expect(formatFixed(2 / 3, 2)).toBe('0.67')
  })

  it('checkTargets refuses bad targets with a named reason', () => {
    expect(checkTargets(yt, yp)).toEqual({ type: 'multiclass', labels: ['bird', 'cat', 'dog', 'fish'] })
    expect(checkTargets([0, 1], [1, 1]).type).toBe('binary')
    expect(() => accuracyScore([1, 2], [1])).toThrow(ValidationError)
    expect(() => accuracyScore([1, 2], [1])).toThrow('yTrue has 2 labels but yPred has 1')
    expect(() => accuracyScore([], [])).toThrow('yTrue is empty')
    expect(() => accuracyScore([1, 2], ['1', '2'])).toThrow(/mix of label types/)
    expect(() => accuracyScore([1, NaN], [1, 1])).toThrow('yTrue[1] is NaN')
    expect(() => confusionMatrix(yt, yp, { labels: ['horse'] })).toThrow('none of the given labels appears in yTrue')
    // sklearn: "At least one label specified must be in y_true", even when it is predicted
    expect(() => confusionMatrix([0, 0, 1], [0, 2, 1], { labels: [2] })).toThrow('none of the given labels appears in yTrue')
    expect(() => precisionRecallFscoreSupport(yt, yp, { zeroDivision: 2 })).toThrow("zeroDivision must be 'warn', 0, 1 or NaN, got 2")
    expect(() => precisionRecallFscoreSupport(yt, yp, { beta: -1 })).toThrow('beta must be a number ≥ 0, got -1')
  })
})

/*
 * `labels` naming labels with no true samples, no predicted samples or neither, every zeroDivision,
 * binary and multiclass: the literals in test-support/sklearn15-prfs.ts are scikit-learn's own output,
 * written by test-support/sklearn15_prfs.py (its docstring says exactly how it was run).
 */
const zeroDivisionOf = (z: SklearnZeroDivision): ZeroDivision => (z === 'nan' ? NaN : z)

/** Our report in the shape of sklearn's classification_report(output_dict=True). */
function asSklearnDict(r: ClassificationReport): Record<string, unknown> {
  const row = (x: ReportRow) => ({ precision: x.precision, recall: x.recall, 'f1-score': x.f1Score, support: x.support })
  const d: Record<string, unknown> = {}
  for (const c of r.classes) d[c.name] = row(c)
  if (r.accuracy !== null) d.accuracy = r.accuracy
  if (r.microAvg !== null) d['micro avg'] = row(r.microAvg)
  d['macro avg'] = row(r.macroAvg)
  d['weighted avg'] = row(r.weightedAvg)
  return d
}

describe(`labels absent from yTrue, yPred or both, every zeroDivision (scikit-learn ${SKLEARN_VERSION})`, () => {
  for (const row of PRFS) {
    it(`precisionRecallFscoreSupport: ${row.case}, zeroDivision=${row.zeroDivision}, beta=${row.beta}`, () => {
      const c = CASES[row.case]
      const options = { labels: c.labels ?? undefined, beta: row.beta, zeroDivision: zeroDivisionOf(row.zeroDivision) }
      const per = precisionRecallFscoreSupport(c.yTrue, c.yPred, { ...options, average: null })
      expect([per.precision, per.recall, per.fscore, per.support]).toEqual(row.none)
      for (const average of ['macro', 'weighted', 'micro'] as const) {
        const r = precisionRecallFscoreSupport(c.yTrue, c.yPred, { ...options, average })
        expect([r.precision, r.recall, r.fscore], average).toEqual(row[average])
      }
    })
  }

  for (const row of REPORTS) {
    it(`classificationReport: ${row.case}, zeroDivision=${row.zeroDivision}`, () => {
      const c = CASES[row.case]
      const report = classificationReport(c.yTrue, c.yPred, { labels: c.labels ?? undefined, zeroDivision: zeroDivisionOf(row.zeroDivision) })
      expect(asSklearnDict(report)).toEqual(row.dict)
      expect(formatClassificationReport(report)).toBe(row.text)
    })
  }

  it('the fixture covers what it claims', () => {
    const zds = new Set(PRFS.map((r) => r.zeroDivision))
    expect([...zds].sort()).toEqual([0, 1, 'nan', 'warn'])
    // NaN really is left out of averages: fish is never predicted, so its precision is NaN and the macro precision is the mean of three
    const fish = PRFS.find((r) => r.case === 'strings default' && r.zeroDivision === 'nan' && r.beta === 1)!
    expect(fish.none[0][3]).toBeNaN()
    expect(fish.macro[0]).toBe((0.6666666666666666 + 0.6 + 0.5) / 3)
  })

  it('a label listed twice is scored twice, like sklearn', () => {
    // sklearn: precision_recall_fscore_support([0,1,1], [0,1,2], labels=[1,1,0])
    const r = precisionRecallFscoreSupport([0, 1, 1], [0, 1, 2], { labels: [1, 1, 0] })
    expect([r.precision, r.recall, r.support]).toEqual([[1, 1, 1], [0.5, 0.5, 1], [2, 2, 1]])
  })

  it('averages sum like numpy (pairwise) over many labels', () => {
    // 14 labels, 12 only predicted, 13 in neither; a plain left-to-right sum differs from numpy's in the last bit here.
    // sklearn 1.6.1: precision_recall_fscore_support(y, p, labels=list(range(14)), average=avg, zero_division=np.nan)
    const y = [6, 9, 6, 0, 1, 9, 3, 9, 1, 11, 2, 7, 5, 1, 4, 5, 2, 5, 1, 7, 11, 4, 5, 8, 11, 2, 1, 4, 11, 6, 0, 5, 11, 1, 2, 11, 0, 8, 6, 9, 10, 4, 3, 11, 7, 9, 0, 11, 5, 2, 7, 5, 8, 4, 3, 7, 11, 3, 7, 1]
    const p = [6, 6, 0, 0, 7, 9, 9, 12, 1, 5, 7, 3, 1, 1, 4, 5, 2, 3, 9, 3, 0, 4, 5, 12, 11, 2, 12, 4, 11, 9, 8, 5, 12, 1, 12, 7, 0, 8, 1, 4, 10, 12, 12, 11, 8, 9, 0, 11, 5, 2, 7, 2, 8, 4, 3, 7, 11, 11, 9, 0]
    const options = { labels: Array.from({ length: 14 }, (_, i) => i), zeroDivision: NaN }
    const macro = precisionRecallFscoreSupport(y, p, { ...options, average: 'macro' })
    const weighted = precisionRecallFscoreSupport(y, p, { ...options, average: 'weighted' })
    expect([macro.precision, macro.recall, macro.fscore]).toEqual([0.5589743589743589, 0.550462962962963, 0.5216949716949717])
    expect([weighted.precision, weighted.recall, weighted.fscore]).toEqual([0.6102777777777779, 0.5166666666666667, 0.5491269841269841])
  })
})
