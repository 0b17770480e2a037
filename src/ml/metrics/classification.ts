import { ValidationError } from '../errors.js'
import { checkLabels, compareLabels, uniqueLabels, type Label } from '../labels.js'

/**
 * Classification metrics with scikit-learn's definitions (sklearn/metrics/_classification.py):
 * free functions (yTrue, yPred, options), labels default to the sorted union of both arrays,
 * empty denominators follow `zeroDivision`.
 */

/** Value used when a ratio's denominator is 0 ('warn' behaves like 0, as in sklearn, without the warning). */
export type ZeroDivision = 'warn' | 0 | 1

export type Average = 'macro' | 'weighted' | 'micro'

export interface CheckedTargets {
  /** 'binary' (≤ 2 labels) or 'multiclass', like sklearn's type_of_target. */
  readonly type: 'binary' | 'multiclass'
  /** Sorted union of the labels in both arrays. */
  readonly labels: Label[]
}

/** The one validator every metric opens with: same non-zero length, labels of one kind, no mixing. */
export function checkTargets(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): CheckedTargets {
  if (yTrue == null || typeof yTrue.length !== 'number') throw new ValidationError('yTrue must be an array of labels', 'yTrue')
  if (yPred == null || typeof yPred.length !== 'number') throw new ValidationError('yPred must be an array of labels', 'yPred')
  if (yTrue.length !== yPred.length) throw new ValidationError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`, 'yPred')
  if (yTrue.length === 0) throw new ValidationError('yTrue is empty', 'yTrue')
  const kt = checkLabels(yTrue, 'yTrue')
  const kp = checkLabels(yPred, 'yPred')
  if (kt !== kp) throw new ValidationError(`mix of label types: yTrue has ${kt} labels, yPred has ${kp} labels`, 'yPred')
  const labels = uniqueLabels(yTrue, yPred)
  return { type: labels.length <= 2 ? 'binary' : 'multiclass', labels }
}

export interface AccuracyOptions {
  /** false: the number of correct predictions instead of the fraction (default true). */
  readonly normalize?: boolean
}

/** Fraction (or number) of predictions equal to the truth. */
export function accuracyScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: AccuracyOptions = {}): number {
  checkTargets(yTrue, yPred)
  let ok = 0
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++
  return options.normalize === false ? ok : ok / yTrue.length
}

export interface ConfusionMatrixOptions {
  /** Rows / columns to report, in this order (default: sorted union of both arrays). */
  readonly labels?: readonly Label[]
  /** Divide by row sums ('true'), column sums ('pred') or the total ('all'). */
  readonly normalize?: 'true' | 'pred' | 'all' | null
}

/** Counts C[i][j] of samples whose true label is labels[i] and predicted label is labels[j]. */
export function confusionMatrix(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: ConfusionMatrixOptions = {}): number[][] {
  const { labels: all } = checkTargets(yTrue, yPred)
  const labels = checkLabelsOption(options.labels, all)
  const index = new Map<Label, number>()
  labels.forEach((l, i) => index.set(l, i))
  const k = labels.length
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  for (let i = 0; i < yTrue.length; i++) {
    const a = index.get(yTrue[i])
    const b = index.get(yPred[i])
    if (a !== undefined && b !== undefined) cm[a][b]++
  }
  const norm = options.normalize ?? null
  if (norm === 'true') for (const row of cm) divideAll(row, sum(row))
  else if (norm === 'pred') {
    for (let j = 0; j < k; j++) {
      let s = 0
      for (let i = 0; i < k; i++) s += cm[i][j]
      for (let i = 0; i < k; i++) cm[i][j] = s === 0 ? 0 : cm[i][j] / s
    }
  } else if (norm === 'all') {
    const s = cm.reduce((a, r) => a + sum(r), 0)
    for (const row of cm) divideAll(row, s)
  }
  return cm
}

export interface PrecisionRecallFscoreOptions {
  readonly labels?: readonly Label[]
  /** null: one value per label; otherwise the averaged value (default null). */
  readonly average?: Average | null
  readonly beta?: number
  readonly zeroDivision?: ZeroDivision
}

export interface PerLabelScores {
  readonly labels: Label[]
  readonly precision: number[]
  readonly recall: number[]
  readonly fscore: number[]
  readonly support: number[]
}

export interface AveragedScores {
  readonly precision: number
  readonly recall: number
  readonly fscore: number
  /** null like sklearn's None: support is not averaged. */
  readonly support: null
}

/** Precision tp/(tp+fp), recall tp/(tp+fn), F-beta and support (true count) per label, or averaged. */
export function precisionRecallFscoreSupport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options?: PrecisionRecallFscoreOptions & { average?: null }): PerLabelScores
export function precisionRecallFscoreSupport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrecisionRecallFscoreOptions & { average: Average }): AveragedScores
export function precisionRecallFscoreSupport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options?: PrecisionRecallFscoreOptions): PerLabelScores | AveragedScores
export function precisionRecallFscoreSupport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrecisionRecallFscoreOptions = {}): PerLabelScores | AveragedScores {
  const { labels: all } = checkTargets(yTrue, yPred)
  const labels = checkLabelsOption(options.labels, all)
  const average = options.average ?? null
  const beta = options.beta ?? 1
  if (!(beta >= 0)) throw new ValidationError(`beta must be ≥ 0, got ${beta}`, 'beta')
  if (average !== null && average !== 'macro' && average !== 'weighted' && average !== 'micro') {
    throw new ValidationError(`average must be null, 'macro', 'weighted' or 'micro', got ${String(average)}`, 'average')
  }
  const zd = zeroDivisionValue(options.zeroDivision)
  const index = new Map<Label, number>()
  labels.forEach((l, i) => index.set(l, i))
  const k = labels.length
  let tp = new Array<number>(k).fill(0)
  let predSum = new Array<number>(k).fill(0)
  let trueSum = new Array<number>(k).fill(0)
  for (let i = 0; i < yTrue.length; i++) {
    const a = index.get(yTrue[i])
    const b = index.get(yPred[i])
    if (a !== undefined) trueSum[a]++
    if (b !== undefined) predSum[b]++
    if (a !== undefined && a === b) tp[a]++
  }
  if (average === 'micro') {
    tp = [sum(tp)]
    predSum = [sum(predSum)]
    trueSum = [sum(trueSum)]
  }
  const b2 = beta * beta
  const precision = tp.map((t, i) => (predSum[i] === 0 ? zd : t / predSum[i]))
  const recall = tp.map((t, i) => (trueSum[i] === 0 ? zd : t / trueSum[i]))
  const fscore = precision.map((p, i) => {
    const r = recall[i]
    if (beta === Infinity) return r
    const denom = b2 * p + r
    return ((1 + b2) * p * r) / (denom === 0 ? 1 : denom)
  })
  if (average === null) return { labels, precision, recall, fscore, support: trueSum }
  if (average === 'micro') return { precision: precision[0], recall: recall[0], fscore: fscore[0], support: null }
  if (average === 'weighted') {
    const wsum = sum(trueSum)
    if (wsum === 0) return { precision: zd, recall: zd, fscore: zd, support: null }
    return { precision: weightedMean(precision, trueSum), recall: weightedMean(recall, trueSum), fscore: weightedMean(fscore, trueSum), support: null }
  }
  return { precision: mean(precision), recall: mean(recall), fscore: mean(fscore), support: null }
}

/** One row of a classification report. */
export interface ReportRow {
  readonly precision: number
  readonly recall: number
  readonly f1Score: number
  readonly support: number
}

export interface ClassReportRow extends ReportRow {
  readonly label: Label
  /** Display name: targetNames[i] or String(label). */
  readonly name: string
}

/** sklearn's classification_report(output_dict=True) as typed data. */
export interface ClassificationReport {
  readonly classes: ClassReportRow[]
  /** Present when every label is reported (then micro average equals accuracy). */
  readonly accuracy: number | null
  /** Present instead of accuracy when `labels` leaves some out. */
  readonly microAvg: ReportRow | null
  readonly macroAvg: ReportRow
  readonly weightedAvg: ReportRow
}

export interface ClassificationReportOptions {
  readonly labels?: readonly Label[]
  readonly targetNames?: readonly string[]
  readonly zeroDivision?: ZeroDivision
}

/** Per-class precision / recall / F1 / support plus accuracy, macro and weighted averages. */
export function classificationReport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: ClassificationReportOptions = {}): ClassificationReport {
  const { labels: all } = checkTargets(yTrue, yPred)
  const labels = checkLabelsOption(options.labels, all)
  if (options.targetNames !== undefined && options.targetNames.length !== labels.length) {
    throw new ValidationError(`targetNames has ${options.targetNames.length} names but there are ${labels.length} labels`, 'targetNames')
  }
  const common = { labels, zeroDivision: options.zeroDivision }
  const per = precisionRecallFscoreSupport(yTrue, yPred, { ...common, average: null })
  const total = sum(per.support)
  const row = (s: AveragedScores): ReportRow => ({ precision: s.precision, recall: s.recall, f1Score: s.fscore, support: total })
  const labelSet = new Set<Label>(labels)
  const microIsAccuracy = all.every((l) => labelSet.has(l))
  const micro = precisionRecallFscoreSupport(yTrue, yPred, { ...common, average: 'micro' })
  return {
    classes: labels.map((label, i) => ({
      label,
      name: options.targetNames?.[i] ?? String(label),
      precision: per.precision[i],
      recall: per.recall[i],
      f1Score: per.fscore[i],
      support: per.support[i],
    })),
    accuracy: microIsAccuracy ? micro.fscore : null,
    microAvg: microIsAccuracy ? null : row(micro),
    macroAvg: row(precisionRecallFscoreSupport(yTrue, yPred, { ...common, average: 'macro' })),
    weightedAvg: row(precisionRecallFscoreSupport(yTrue, yPred, { ...common, average: 'weighted' })),
  }
}

/** The report as text, laid out exactly like sklearn's classification_report (digits decimals, default 2). */
export function formatClassificationReport(report: ClassificationReport, digits = 2): string {
  const headers = ['precision', 'recall', 'f1-score', 'support']
  const longest = 'weighted avg'
  const width = Math.max(longest.length, digits, ...report.classes.map((c) => c.name.length))
  const right = (s: string, w: number): string => s.padStart(w)
  const num = (v: number): string => ' ' + right(formatFixed(v, digits), 9)
  const line = (name: string, r: ReportRow): string => right(name, width) + ' ' + num(r.precision) + num(r.recall) + num(r.f1Score) + ' ' + right(String(r.support), 9) + '\n'
  let out = right('', width) + ' ' + headers.map((h) => ' ' + right(h, 9)).join('') + '\n\n'
  for (const c of report.classes) out += line(c.name, c)
  out += '\n'
  if (report.microAvg !== null) out += line('micro avg', report.microAvg)
  else if (report.accuracy !== null) {
    out += right('accuracy', width) + ' ' + ' ' + right('', 9) + ' ' + right('', 9) + num(report.accuracy) + ' ' + right(String(report.macroAvg.support), 9) + '\n'
  }
  out += line('macro avg', report.macroAvg)
  out += line('weighted avg', report.weightedAvg)
  return out
}

/**
 * Python's format(v, '.{d}f'): rounds the exact binary value, halfway cases to even
 * (JS toFixed rounds exact halves up: (0.125).toFixed(2) is '0.13', Python gives '0.12').
 */
export function formatFixed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf'
  const s = v.toFixed(digits)
  const exact = Math.abs(v).toFixed(Math.min(100, digits + 60))
  const tail = exact.slice(exact.indexOf('.') + 1 + digits)
  if (!/^50*$/.test(tail)) return s
  // exact tie: toFixed rounded away from zero; step back when that made the last digit odd
  const lastDigit = Number(s[s.length - 1])
  if (lastDigit % 2 === 0) return s
  const step = 10 ** -digits
  return (Math.sign(v) * (Math.abs(Number(s)) - step)).toFixed(digits)
}

function checkLabelsOption(labels: readonly Label[] | undefined, all: Label[]): Label[] {
  if (labels === undefined) return all
  if (labels.length === 0) throw new ValidationError('labels is empty', 'labels')
  checkLabels(labels, 'labels')
  if (all.length > 0 && typeof labels[0] !== typeof all[0]) throw new ValidationError(`labels are ${typeof labels[0]}s but the targets are ${typeof all[0]}s`, 'labels')
  const present = new Set<Label>(all)
  if (!labels.some((l) => present.has(l))) throw new ValidationError('none of the given labels appears in yTrue or yPred', 'labels')
  return [...labels]
}

function zeroDivisionValue(z: ZeroDivision | undefined): number {
  if (z === undefined || z === 'warn' || z === 0) return 0
  if (z === 1) return 1
  throw new ValidationError(`zeroDivision must be 'warn', 0 or 1, got ${String(z)}`, 'zeroDivision')
}

function sum(a: readonly number[]): number {
  let s = 0
  for (const v of a) s += v
  return s
}

function mean(a: readonly number[]): number {
  return sum(a) / a.length
}

function weightedMean(a: readonly number[], w: readonly number[]): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * w[i]
  return s / sum(w)
}

function divideAll(row: number[], s: number): void {
  for (let j = 0; j < row.length; j++) row[j] = s === 0 ? 0 : row[j] / s
}

/** Sorted copy of labels (exported for callers that label matrix axes). */
export function sortedLabels(labels: Iterable<Label>): Label[] {
  return [...labels].sort(compareLabels)
}
