import { ValidationError } from '../errors.js'
import { checkLabels, compareLabels, uniqueLabels, type Label } from '../labels.js'

/**
 * Classification metrics with scikit-learn 1.5's definitions (sklearn/metrics/_classification.py):
 * free functions (yTrue, yPred, options), labels default to the sorted union of both arrays,
 * empty denominators follow `zeroDivision`.
 */

/**
 * What a ratio with a zero denominator becomes (sklearn's zero_division): 'warn' (the default) acts
 * like 0 (sklearn also emits an UndefinedMetricWarning; we have no warnings), 0, 1, or NaN, which
 * macro and weighted averages then leave out. Any other number throws.
 */
export type ZeroDivision = 'warn' | 0 | 1 | number

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
  if (options.labels !== undefined) {
    // sklearn: "At least one label specified must be in y_true"
    const present = new Set<Label>(Array.from(yTrue))
    if (!labels.some((l) => present.has(l))) throw new ValidationError('none of the given labels appears in yTrue', 'labels')
  }
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
  /**
   * Labels to score, in this order (default: sorted union of both arrays). Labels with no true or no
   * predicted samples, or neither, are allowed; their empty ratios follow `zeroDivision`.
   */
  readonly labels?: readonly Label[]
  /** null: one value per label; otherwise the averaged value (default null). */
  readonly average?: Average | null
  /** Weight of recall in the F-score, ≥ 0 (default 1); Infinity gives recall, 0 precision. */
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

/**
 * Precision tp/(tp+fp), recall tp/(tp+fn), F-beta (1+β²)·tp / ((1+β²)·tp + β²·fn + fp) and support
 * (true count) per label, or averaged, exactly as scikit-learn 1.5's precision_recall_fscore_support:
 * - a zero denominator gives `zeroDivision` (so F is `zeroDivision` only for a label with no true and
 *   no predicted samples; a label with either but no tp scores F = 0);
 * - 'macro' is the mean over labels and 'weighted' the support-weighted mean, both leaving NaN out
 *   (all NaN gives NaN); if every remaining weight is 0, 'weighted' falls back to the plain mean;
 * - 'micro' divides the summed counts.
 * Sums follow numpy's pairwise summation so results match sklearn to the last bit.
 * Throws ValidationError for bad targets, labels, beta, average or zeroDivision.
 */
export function precisionRecallFscoreSupport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options?: PrecisionRecallFscoreOptions & { average?: null }): PerLabelScores
export function precisionRecallFscoreSupport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrecisionRecallFscoreOptions & { average: Average }): AveragedScores
export function precisionRecallFscoreSupport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options?: PrecisionRecallFscoreOptions): PerLabelScores | AveragedScores
export function precisionRecallFscoreSupport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrecisionRecallFscoreOptions = {}): PerLabelScores | AveragedScores {
  const { labels: all } = checkTargets(yTrue, yPred)
  const labels = checkLabelsOption(options.labels, all)
  const average = options.average ?? null
  const beta = options.beta ?? 1
  if (typeof beta !== 'number' || !(beta >= 0)) throw new ValidationError(`beta must be a number ≥ 0, got ${String(beta)}`, 'beta')
  if (average !== null && average !== 'macro' && average !== 'weighted' && average !== 'micro') {
    throw new ValidationError(`average must be null, 'macro', 'weighted' or 'micro', got ${String(average)}`, 'average')
  }
  const zd = zeroDivisionValue(options.zeroDivision)
  // Count per distinct label, then lay out in `labels` order: a label listed twice gets its counts twice, as in sklearn.
  const slot = new Map<Label, number>()
  for (const l of labels) if (!slot.has(l)) slot.set(l, slot.size)
  const tpU = new Array<number>(slot.size).fill(0)
  const predU = new Array<number>(slot.size).fill(0)
  const trueU = new Array<number>(slot.size).fill(0)
  for (let i = 0; i < yTrue.length; i++) {
    const a = slot.get(yTrue[i])
    const b = slot.get(yPred[i])
    if (a !== undefined) trueU[a]++
    if (b !== undefined) predU[b]++
    if (a !== undefined && a === b) tpU[a]++
  }
  const at = (counts: number[]): number[] => labels.map((l) => counts[slot.get(l)!])
  let tp = at(tpU)
  let predSum = at(predU)
  let trueSum = at(trueU)
  if (average === 'micro') {
    tp = [sum(tp)]
    predSum = [sum(predSum)]
    trueSum = [sum(trueSum)]
  }
  const b2 = beta * beta
  const precision = tp.map((t, i) => divide(t, predSum[i], zd))
  const recall = tp.map((t, i) => divide(t, trueSum[i], zd))
  const fscore = beta === Infinity ? recall : beta === 0 ? precision : tp.map((t, i) => divide((1 + b2) * t, b2 * trueSum[i] + predSum[i], zd))
  if (average === null) return { labels, precision, recall, fscore, support: trueSum }
  const weights = average === 'weighted' ? trueSum : null
  return { precision: nanAverage(precision, weights), recall: nanAverage(recall, weights), fscore: nanAverage(fscore, weights), support: null }
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

/**
 * Per-class precision / recall / F1 / support plus accuracy, macro and weighted averages, as
 * scikit-learn 1.5's classification_report: `accuracy` when `labels` covers every label present in
 * either array (extra absent labels allowed), a micro average otherwise.
 */
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
  return [...labels]
}

function zeroDivisionValue(z: ZeroDivision | undefined): number {
  if (z === undefined || z === 'warn' || z === 0) return 0
  if (z === 1) return 1
  if (typeof z === 'number' && Number.isNaN(z)) return NaN
  throw new ValidationError(`zeroDivision must be 'warn', 0, 1 or NaN, got ${String(z)}`, 'zeroDivision')
}

/** sklearn's _prf_divide: n / d, or `zd` where d is 0. */
function divide(n: number, d: number, zd: number): number {
  return d === 0 ? zd : n / d
}

/**
 * sklearn's _nanaverage (sklearn/utils/extmath.py): NaN entries are left out; all NaN gives NaN.
 * Unweighted it is np.nanmean (NaN read as 0 in the sum, divided by the non-NaN count); weighted it is
 * np.average over the non-NaN entries, or their plain mean when those weights sum to 0.
 */
function nanAverage(a: readonly number[], weights: readonly number[] | null): number {
  const keep = a.map((v) => !Number.isNaN(v))
  const kept = keep.filter(Boolean).length
  if (kept === 0) return NaN
  if (weights === null) return sum(a.map((v) => (Number.isNaN(v) ? 0 : v))) / kept
  const av = a.filter((_, i) => keep[i])
  const w = weights.filter((_, i) => keep[i])
  const scale = sum(w)
  if (scale === 0) return sum(av) / av.length
  return sum(av.map((v, i) => v * w[i])) / scale
}

/**
 * numpy's np.sum of a float64 vector (pairwise summation, numpy/core/src/umath/loops_utils.h.src):
 * below 8 terms a plain loop, up to 128 eight interleaved partial sums, beyond that split in halves.
 */
function sum(a: readonly number[], from = 0, n = a.length): number {
  if (n < 8) {
    let s = 0
    for (let i = from; i < from + n; i++) s += a[i]
    return s
  }
  if (n <= 128) {
    const r = a.slice(from, from + 8)
    let i = 8
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[from + i + j]
    let s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for (; i < n; i++) s += a[from + i]
    return s
  }
  let half = Math.floor(n / 2)
  half -= half % 8
  return sum(a, from, half) + sum(a, from + half, n - half)
}

function divideAll(row: number[], s: number): void {
  for (let j = 0; j < row.length; j++) row[j] = s === 0 ? 0 : row[j] / s
}

/** Sorted copy of labels (exported for callers that label matrix axes). */
export function sortedLabels(labels: Iterable<Label>): Label[] {
  return [...labels].sort(compareLabels)
}
