import { validationError, type ValidationIssue } from '../db/index.js'
import { Random } from '../ml/random.js'
import type { ColumnBatch } from './feature-group.js'
import type { FeatureViewMetadata, SplitKind, TrainTestSplitOptions } from './feature-view.js'
import { plural } from '../support/plural.js'

// How a feature view's rows are split into training and test sets: at random (seeded, optionally
// stratified, scikit-learn's sizes) or by event time (time series).

/** 0, 1, …, n-1 (a plain loop: Int32Array.from with a mapper is many times slower). */
export function iota(n: number): Int32Array {
  const a = new Int32Array(n)
  for (let i = 0; i < n; i++) a[i] = i
  return a
}

/** Checks split options before anything is read; collects every problem. */
export function checkSplitOptions(
  options: TrainTestSplitOptions,
  view: FeatureViewMetadata,
  eventTime: string | null,
): { split: SplitKind; testSize: number | undefined; testStart: Date | undefined; seed: number; stratify: boolean } {
  const split = options.split ?? 'random'
  const testStart = options.testStart
  const testSize = options.testSize ?? (split === 'time' && testStart !== undefined ? undefined : 0.2)
  const seed = options.seed ?? 42
  const stratify = options.stratify ?? false
  const issues: ValidationIssue[] = []
  if (split !== 'random' && split !== 'time') issues.push({ path: 'split', reason: `must be 'random' or 'time', got ${JSON.stringify(split)}` })
  if (split === 'random' && testStart !== undefined) issues.push({ path: 'testStart', reason: "applies only to split: 'time'" })
  if (split === 'time') {
    if (!eventTime) issues.push({ path: 'split', reason: `a time split needs an event time, and feature group of view ${view.name} v${view.version} has none` })
    if (testStart !== undefined && options.testSize !== undefined) issues.push({ path: 'testStart', reason: 'give testStart or testSize, not both' })
    if (testStart !== undefined && !(testStart instanceof Date && !Number.isNaN(testStart.getTime()))) issues.push({ path: 'testStart', reason: `must be a valid Date, got ${String(testStart)}` })
    if (options.stratify) issues.push({ path: 'stratify', reason: 'a time split is not stratified (its test set is the latest rows)' })
  }
  if (testSize !== undefined && (typeof testSize !== 'number' || !(testSize > 0 && testSize < 1)))
    issues.push({
      path: 'testSize',
      reason: `must be between 0 and 1 (exclusive), got ${String(testSize)}${Number.isInteger(testSize) && testSize >= 1 ? ' (a fraction of the rows, not a number of rows)' : ''}`,
    })
  if (!Number.isInteger(seed)) issues.push({ path: 'seed', reason: `must be an integer, got ${String(seed)}` })
  if (options.asOf !== undefined && !(Number.isSafeInteger(options.asOf) && options.asOf > 0)) issues.push({ path: 'asOf', reason: `must be a commit id (a positive integer), got ${String(options.asOf)}` })
  if (typeof stratify !== 'boolean') issues.push({ path: 'stratify', reason: `must be true or false, got ${String(stratify)}` })
  else if (stratify && view.labels.length === 0) issues.push({ path: 'stratify', reason: `needs a label, and feature view ${view.name} v${view.version} has none` })
  if (issues.length) throw validationError(issues, 'split options')
  return { split, testSize, testStart, seed, stratify }
}

/** Refuses a row without a label value (a training row needs one), naming the row and the label. */
export function checkLabelPresent(data: ColumnBatch, label: string | undefined): void {
  if (label === undefined) return
  const y = data.columns[label]
  for (let i = 0; i < data.nRows; i++) {
    const v = y[i]
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) throw validationError([{ row: i + 1, column: label, reason: 'missing label value' }], 'training data')
  }
}

/**
 * Seeded shuffle split with scikit-learn's sizes (`_validate_shuffle_split`): ceil(testSize × n) test rows, the
 * rest for training, test rows first in the permutation, as ShuffleSplit. When stratified, each label value's
 * rows are split apart, with the training rows allotted as StratifiedShuffleSplit's `_approximate_mode` (ties
 * between equal remainders broken by the seed). Throws ValidationError (naming the label and its value where
 * one is at fault) for a missing label, a split that leaves a set empty, or a class too small to stratify.
 */
export function splitIndices(data: ColumnBatch, label: string | undefined, testSize: number, seed: number, stratify: boolean): { train: Int32Array; test: Int32Array } {
  const n = data.nRows
  const rng = new Random(seed)
  checkLabelPresent(data, label)
  const nTest = Math.ceil(testSize * n)
  const nTrain = n - nTest
  if (nTrain <= 0) throw validationError([{ path: 'testSize', reason: `with ${rows(n)}, testSize ${testSize} leaves the training set empty (${rows(nTest)} in the test set)` }], 'split')
  if (!stratify || label === undefined) {
    const perm = rng.shuffle(iota(n))
    return { test: perm.slice(0, nTest), train: perm.slice(nTest) }
  }
  const y = data.columns[label]
  const groups = new Map<string | number | null, number[]>()
  for (let i = 0; i < n; i++) {
    const g = groups.get(y[i])
    if (g) g.push(i)
    else groups.set(y[i], [i])
  }
  // Classes in sorted order (numbers by value, text by code unit), as numpy's unique: the seed's draws then
  // do not depend on row order or locale.
  const classes = [...groups.keys()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0))
  const counts = classes.map((c) => groups.get(c)!.length)
  const issues: ValidationIssue[] = classes
    .filter((_, k) => counts[k] < 2)
    .map((c) => ({ column: label, reason: `label value ${JSON.stringify(c)} has only 1 member; a stratified split needs at least 2 of each value` }))
  if (nTrain < classes.length) issues.push({ path: 'testSize', reason: `the training set would hold ${rows(nTrain)}, fewer than the ${classes.length} label values to stratify by` })
  if (nTest < classes.length) issues.push({ path: 'testSize', reason: `the test set would hold ${rows(nTest)}, fewer than the ${classes.length} label values to stratify by` })
  if (issues.length) throw validationError(issues, 'stratified split')
  const trainPer = approximateMode(counts, nTrain, rng)
  const train: number[] = []
  const test: number[] = []
  classes.forEach((c, k) => {
    const g = rng.shuffle(groups.get(c)!)
    const nTestK = counts[k] - trainPer[k]
    test.push(...g.slice(0, nTestK))
    train.push(...g.slice(nTestK))
  })
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) }
}

/**
 * Splits `nDraws` among classes in proportion to their counts: floors first, then one more to the largest
 * remainders (scikit-learn's `_approximate_mode`, sklearn/utils/extmath.py); ties are broken by `rng`.
 */
export function approximateMode(counts: readonly number[], nDraws: number, rng: Random): number[] {
  const total = counts.reduce((a, b) => a + b, 0)
  const continuous = counts.map((c) => (c / total) * nDraws)
  const floored = continuous.map(Math.floor)
  let need = nDraws - floored.reduce((a, b) => a + b, 0)
  const remainder = continuous.map((c, k) => c - floored[k])
  for (const value of [...new Set(remainder)].sort((a, b) => b - a)) {
    if (need <= 0) break
    const tied = rng.shuffle(remainder.flatMap((r, k) => (r === value ? [k] : [])))
    for (const k of tied.slice(0, need)) floored[k]++
    need -= Math.min(tied.length, need)
  }
  return floored
}

/**
 * Splits rows by event time (epoch ms, one per row): the test set is every row at or after `testStart`, the
 * training set every row before it, so training rows are strictly earlier than test rows. With `testSize`
 * instead, `testStart` becomes the event time of the row ceil(testSize × n) rows from the end in time order,
 * and every row sharing that instant goes to the test set (ties are never split). Both sets list their rows
 * in event-time order, rows of an equal time in their given order.
 *
 * Throws ValidationError naming `testStart` (or `testSize`) when either set would be empty, with the data's
 * first and last event times.
 */
export function timeSplitIndices(time: Float64Array, at: { testStart?: number; testSize?: number }): { train: Int32Array; test: Int32Array; testStart: number } {
  const n = time.length
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  // Already in time order (one series read in key order) needs no sort; else a stable sort by time.
  let sorted = true
  for (let i = 1; i < n && sorted; i++) if (time[i] < time[i - 1]) sorted = false
  if (!sorted) order.sort((a, b) => time[a] - time[b] || a - b)
  if (n === 0) throw validationError([{ path: at.testStart !== undefined ? 'testStart' : 'testSize', reason: 'there are no rows to split' }], 'split')
  const first = time[order[0]]
  const last = time[order[n - 1]]
  const range = `the rows' event times run from ${iso(first)} to ${iso(last)}`
  let testStart: number
  if (at.testStart !== undefined) {
    testStart = at.testStart
    if (testStart <= first) throw validationError([{ path: 'testStart', reason: `${iso(testStart)} leaves the training set empty: ${range}` }], 'split')
    if (testStart > last) throw validationError([{ path: 'testStart', reason: `${iso(testStart)} leaves the test set empty: ${range}` }], 'split')
  } else {
    const nTest = Math.ceil(at.testSize! * n)
    testStart = time[order[n - nTest]]
    if (testStart <= first)
      throw validationError([{ path: 'testSize', reason: `with ${rows(n)}, testSize ${at.testSize} starts the test set at the first event time ${iso(first)}, leaving the training set empty (${range})` }], 'split')
  }
  // First position in time order at or after testStart.
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (time[order[mid]] < testStart) lo = mid + 1
    else hi = mid
  }
  return { train: order.slice(0, lo), test: order.slice(lo), testStart }
}

/** `1 row`, `2 rows`. */
function rows(n: number): string {
  return plural(n, 'row')
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
