import { validationError } from '../db/index.js'

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
  if (n === 0) throw validationError([{ column: at.testStart !== undefined ? 'testStart' : 'testSize', reason: 'there are no rows to split' }], 'split')
  const first = time[order[0]]
  const last = time[order[n - 1]]
  const range = `the rows' event times run from ${iso(first)} to ${iso(last)}`
  let testStart: number
  if (at.testStart !== undefined) {
    testStart = at.testStart
    if (testStart <= first) throw validationError([{ column: 'testStart', reason: `${iso(testStart)} leaves the training set empty: ${range}` }], 'split')
    if (testStart > last) throw validationError([{ column: 'testStart', reason: `${iso(testStart)} leaves the test set empty: ${range}` }], 'split')
  } else {
    const nTest = Math.ceil(at.testSize! * n)
    testStart = time[order[n - nTest]]
    if (testStart <= first)
      throw validationError([{ column: 'testSize', reason: `with ${n} rows, testSize ${at.testSize} starts the test set at the first event time ${iso(first)}, leaving the training set empty (${range})` }], 'split')
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

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
