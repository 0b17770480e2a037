import { ValidationError } from '../../db/index.js'
import { inferCsvSchema, isMissingMarker, type CsvTable } from '../../featurestore/index.js'
import { systemNameIssue } from '../define-system.js'
import type { ClassDescription, SystemTask } from '../system.js'
import { plural } from '../../support/plural.js'

/** What `sml init` is told: the system's name, the CSV's file name in the project, the label column, the task if forced. */
export interface ScaffoldOptions {
  readonly name: string
  /** The CSV's file name as the project holds it (e.g. `wine.csv`). */
  readonly file: string
  /** The label's column, as in the CSV header (case-insensitive). */
  readonly label: string
  /** Forces the task; default inferred from the label (see `inferSystem`). */
  readonly task?: SystemTask
  /** The CSV as the user named it, for refusals; default `file`. */
  readonly sourceName?: string
  /** The http(s) URL the CSV was downloaded from: the system's source re-reads it, and the daily pipeline fetches its new rows when a column tells them apart (see `inferSystem`). */
  readonly url?: string
  /** A timestamp column of the CSV (header, case-insensitive) that says when each row happened: the feature group's event time instead of a stamped one. */
  readonly eventTime?: string
}

/**
 * What a column becomes: the primary key, a model input (`feature`), the label, or `dropped` (read from the CSV but
 * not kept: free text, timestamps, an identifier that is not a usable key).
 */
export type ColumnRole = 'key' | 'feature' | 'label' | 'event-time' | 'dropped'

/** One CSV column as the scaffold understood it, with the statistics its choices came from. */
export interface InferredColumn {
  /** The header's name (lowercased, as parseCsv gives it). */
  readonly header: string
  /** The feature group's column: the header made an identifier. */
  readonly name: string
  /** Type in the CSV: int, float, or string (bool and timestamp cells are read as strings). */
  readonly csvType: 'int' | 'float' | 'string'
  /** Some cells are empty. */
  readonly nullable: boolean
  readonly role: ColumnRole
  /** How the predict page asks for it (features only): a number with a range, or a choice among the values seen. */
  readonly field?: 'number' | 'choice'
  /** Why this role (a dropped column, a key), for the printed summary and the generated comments. */
  readonly reason?: string
  /** Numeric columns: observed range, median, decimals seen (at most 4). */
  readonly stats?: { readonly min: number; readonly max: number; readonly median: number; readonly decimals: number }
  /** Distinct non-empty values, sorted (numbers numerically): choices, classes, allowed values. */
  readonly values?: readonly (string | number)[]
}

/** A number field's range as the predict page shows it: the data's range widened and rounded (see `numberRange`). */
export interface NumberRange {
  readonly min: number
  readonly max: number
  readonly step: number
  readonly default: number
}

/** Everything the templates need, inferred from one CSV: no I/O, no code text. */
export interface ScaffoldPlan {
  readonly name: string
  readonly title: string
  readonly file: string
  readonly rows: number
  readonly task: SystemTask
  /** Why the task is what it is (the printed summary, a comment in the code). */
  readonly taskReason: string
  readonly columns: readonly InferredColumn[]
  readonly label: InferredColumn
  /** The key column; `generated` when it is a row number the scaffold adds (no usable `id` / `<name>_id`). */
  readonly key: { readonly name: string; readonly generated: boolean }
  /** The feature group's event-time column: the `--event-time` column of the CSV, else one the feature pipeline stamps (not in the CSV). */
  readonly eventTime: string
  /** The event time is a column of the CSV (`--event-time`), not stamped when a row is written. */
  readonly eventTimeFromData: boolean
  /** The URL the source re-reads; absent for a file. */
  readonly url?: string
  /**
   * How the daily pipeline gets new rows: synthetic rows drawn from the real ones (a file source, or a URL with no
   * column that tells new rows apart), or an incremental fetch of the URL's rows whose `after` column (the event
   * time from the data, or an increasing id key) is beyond the last one stored.
   */
  readonly daily: { readonly kind: 'synthetic' } | { readonly kind: 'fetch'; readonly after: string; readonly reason: string }
  /** Classification only. */
  readonly classes?: readonly ClassDescription[]
  /** Classification with at least two rows of every class: the split keeps class shares. */
  readonly stratify: boolean
  /** Things a person should check before relying on the system. */
  readonly review: readonly string[]
}

/** A string column with more distinct values than this is free text or an identifier, not a choice. */
export const MAX_CHOICES = 20
/** An int model input with at most this many distinct values is a choice (e.g. sex 1/2), not a number. */
export const MAX_INT_CHOICES = 5
/** An int label with at most this many distinct values is classes; more is a quantity to regress. */
export const MAX_INT_CLASSES = 10
/** `--task classification` on a numeric label with more distinct values than this is refused. */
export const MAX_CLASSES = 50

/** Class colours, in order: distinct hues readable on white (Tailwind's 700 shades). */
export const CLASS_COLORS = ['#1d4ed8', '#b91c1c', '#15803d', '#a16207', '#7e22ce', '#0e7490', '#c2410c', '#be185d', '#4d7c0f', '#334155']

/**
 * Infers a system from a CSV: each column's type (int, float, string; nullable when a cell is empty, or in a column
 * that is not text a missing marker such as `NaN` or `n/a`, as csvToRows reads them; the review list names them), role and
 * statistics, the task, the key and the label's classes.
 *
 * - Task: a string label, or an int label with at most MAX_INT_CLASSES distinct values, is classification; any
 *   other numeric label is regression. `task` overrides, within reason (see the errors).
 * - Key: an int column `id` or `<name>_id`, else one whose name ends in `id`, with unique values; otherwise a
 *   generated row number (`id`, or `row_id` when `id` is taken): the daily pipeline numbers its synthetic rows
 *   after the real ones, so the key must be an int.
 * - Dropped: timestamp columns (but `eventTime`'s, the feature group's event time), string columns with more than
 *   MAX_CHOICES distinct values (names, tickets) and other identifier-named columns; they stay in the CSV and the
 *   review list says so.
 * - Daily pipeline (`daily`): with a `url`, an incremental fetch (`newSourceRows`) after the `eventTime` column,
 *   else after the key when it is an id column of the data whose values increase down the file (rows are appended
 *   with larger ids); otherwise, and for a file, synthetic rows — a generated row number does not tell a new row
 *   from a moved one, so it is never a fetch position. The review list says which and why.
 *
 * @throws ValidationError (one line) for no data rows, a missing label column, a label with one class or empty
 *   throughout, a string label forced to regression, too many classes, a bad name, no model input left, or an
 *   `eventTime` that is not a timestamp column filled in every row.
 */
export function inferSystem(table: CsvTable, options: ScaffoldOptions): ScaffoldPlan {
  const refuse = (reason: string, column?: string): never => {
    throw new ValidationError(`${options.sourceName ?? options.file}: ${reason}`, [{ column, reason }])
  }
  const nameIssue = systemNameIssue(options.name)
  if (nameIssue) throw new ValidationError(`system name ${nameIssue} (choose one with --name)`, [{ path: 'name', reason: nameIssue }])
  if (table.records.length === 0) refuse('has a header but no data rows')
  const labelHeader: string =
    table.header.find((h) => h === options.label.trim().toLowerCase() || identifier(h) === options.label.trim().toLowerCase()) ??
    refuse(`has no column "${options.label}" for the label (columns: ${table.header.join(', ')})`, options.label)

  const types = new Map(inferCsvSchema(table).map((f) => [f.name, f.type]))
  const names = uniqueIdentifiers(table.header)
  const rows = table.records.length
  const review: string[] = []

  const described = table.header.map((header, c) => {
    const t = types.get(header)
    const csvType: InferredColumn['csvType'] = t === 'int' || t === 'float' ? t : 'string'
    // Another tool's "missing" text (NaN, NA, n/a…) in a column of numbers, dates or booleans: the store refuses it
    // (a missing value is an empty cell), so the backfill would fail on it; said now, before anything is written.
    const marked = table.records.map((r, i) => [r[c], i] as const).filter(([s]) => isMissingMarker(s, t!))
    if (marked.length) {
      const shown = [...new Set(marked.map(([s]) => JSON.stringify(s)))].join(', ')
      refuse(`column "${header}" is a column of ${t === 'int' || t === 'float' ? 'numbers' : `${t}s`} with ${plural(marked.length, 'cell')} written ${shown} (first on line ${marked[0][1] + 2}): the feature store refuses them — a missing value is an empty cell; replace them and run init again`, header)
    }
    const cells = table.records.map((r) => r[c]).filter((s) => s !== '')
    const nullable = cells.length < rows
    const values = distinct(cells, csvType)
    const stats = csvType === 'string' ? undefined : numericStats(cells)
    return { header, name: names[c], csvType, nullable, values, stats, timestamp: t === 'timestamp' }
  })

  // The label and the task.
  const labelCol = described.find((d) => d.header === labelHeader)!
  if (labelCol.values.length === 0) refuse(`the label column "${labelHeader}" is empty`, labelHeader)
  let task: SystemTask
  let taskReason: string
  if (labelCol.csvType === 'string') {
    if (options.task === 'regression') refuse(`--task regression needs a numeric label, but "${labelHeader}" holds text (e.g. ${JSON.stringify(labelCol.values[0])})`, labelHeader)
    task = 'classification'
    taskReason = `"${labelCol.name}" holds text`
  } else if (options.task) {
    task = options.task
    taskReason = `--task ${options.task}`
  } else if (labelCol.csvType === 'int' && labelCol.values.length <= MAX_INT_CLASSES) {
    task = 'classification'
    taskReason = `"${labelCol.name}" holds ${labelCol.values.length} distinct whole numbers (--task regression if it is a quantity)`
  } else {
    task = 'regression'
    taskReason = `"${labelCol.name}" is a number with ${labelCol.values.length} distinct values (--task classification if they are classes)`
  }
  if (task === 'classification') {
    if (labelCol.values.length < 2) refuse(`the label "${labelHeader}" has one class (${JSON.stringify(labelCol.values[0])}): a classifier needs at least two`, labelHeader)
    if (labelCol.values.length > MAX_CLASSES) refuse(`the label "${labelHeader}" has ${labelCol.values.length} distinct values, too many classes (at most ${MAX_CLASSES}); use --task regression for a quantity`, labelHeader)
    if (labelCol.csvType === 'float') refuse(`the label "${labelHeader}" holds fractional numbers: classes must be whole numbers or text (use --task regression)`, labelHeader)
  }
  if (labelCol.nullable) {
    const unlabelled = table.records.filter((r) => r[table.header.indexOf(labelHeader)] === '').length
    review.push(`${plural(unlabelled, 'row')} ${unlabelled === 1 ? 'has' : 'have'} no ${labelCol.name}: clean() drops ${unlabelled === 1 ? 'it' : 'them'}`)
  }

  // The event time from the data: a timestamp in every row (the feature group's event time is never missing).
  let eventCol: (typeof described)[number] | undefined
  if (options.eventTime !== undefined) {
    const wanted = options.eventTime.trim().toLowerCase()
    eventCol = described.find((d) => d.header === wanted || d.name === wanted)
    if (!eventCol) refuse(`has no column "${options.eventTime}" for --event-time (columns: ${table.header.join(', ')})`, options.eventTime)
    else if (eventCol === labelCol) refuse(`--event-time "${eventCol.header}" is the label`, eventCol.header)
    else if (!eventCol.timestamp) refuse(`--event-time "${eventCol.header}" is not a timestamp column (its cells are not all dates or ISO 8601 times, e.g. ${JSON.stringify(eventCol.values[0] ?? '')})`, eventCol.header)
    else if (eventCol.nullable) refuse(`--event-time "${eventCol.header}" is empty in some rows: every row needs its time`, eventCol.header)
  }

  // The key: an int id column with unique values (`id`, `<name>_id` first, then any name ending in `id`, as
  // `passengerid`), else a row number. An identifier is never a model input.
  const idLike = (d: { name: string }) => d.name === 'id' || d.name.endsWith('_id') || /[a-z]id$/.test(d.name)
  const keyCandidates = ['id', `${options.name}_id`]
  const unique = (d: (typeof described)[number]) => d.csvType === 'int' && !d.nullable && d.values.length === rows && d !== labelCol && d !== eventCol
  const keyCol = described.find((d) => keyCandidates.includes(d.name) && unique(d)) ?? described.find((d) => idLike(d) && unique(d))
  const taken = new Set(names)
  const key = keyCol ? { name: keyCol.name, generated: false } : { name: freeName(['id', 'row_id', 'row_number'], taken), generated: true }
  taken.add(key.name)
  const eventTime = eventCol ? eventCol.name : freeName(['ts', 'event_time', 'ingested_at'], taken)

  const columns: InferredColumn[] = described.map((d) => {
    const base = { header: d.header, name: d.name, csvType: d.csvType, nullable: d.nullable, ...(d.stats ? { stats: d.stats } : {}) }
    if (d === labelCol) return { ...base, role: 'label', values: d.values }
    if (d === keyCol) return { ...base, role: 'key', reason: 'unique whole numbers named like an identifier' }
    if (d === eventCol) return { ...base, role: 'event-time', reason: '--event-time: when the row happened' }
    if (idLike(d) && (d.csvType !== 'float' || d.values.length === rows)) return { ...base, role: 'dropped', reason: 'an identifier, not a model input' }
    if (d.timestamp) return { ...base, role: 'dropped', reason: 'a timestamp: not a model input (turn it into features in clean() if it matters)' }
    if (d.values.length === 0) return { ...base, role: 'dropped', reason: 'empty in every row' }
    if (d.csvType === 'string') {
      if (d.values.length > MAX_CHOICES || (d.values.length > 0.5 * rows && rows > 10))
        return { ...base, role: 'dropped', reason: `text with ${d.values.length} distinct values (free text or an identifier), not a choice` }
      return { ...base, role: 'feature', field: 'choice', values: d.values }
    }
    if (d.csvType === 'int' && d.values.length <= MAX_INT_CHOICES) return { ...base, role: 'feature', field: 'choice', values: d.values }
    return { ...base, role: 'feature', field: 'number' }
  })
  for (const c of columns) if (c.role === 'dropped') review.push(`column "${c.header}" is not used: ${c.reason}`)
  // A number field with missing cells is optional (sent null or left out, the booster routes it); a choice field has no such form.
  for (const c of columns) {
    if (c.role === 'feature' && c.nullable && c.field === 'choice') review.push(`column "${c.header}" has missing cells but is a choice: training keeps them missing, the predict page and API ask for one of its values`)
  }
  if (!columns.some((c) => c.role === 'feature')) refuse(`no column is left to predict "${labelHeader}" from (every other column was dropped)`)
  const renamed = columns.filter((c) => c.header !== c.name)
  if (renamed.length) review.push(`columns renamed to identifiers: ${renamed.map((c) => `"${c.header}" → ${c.name}`).join(', ')}`)

  const label = columns.find((c) => c.role === 'label')!
  const labelIndex = table.header.indexOf(labelHeader)
  const counts = new Map<string, number>()
  for (const r of table.records) if (r[labelIndex] !== '') counts.set(r[labelIndex], (counts.get(r[labelIndex]) ?? 0) + 1)
  const stratify = task === 'classification' && Math.min(...counts.values()) >= 2
  const classes =
    task === 'classification'
      ? label.values!.map((v, i) => ({ value: v, name: typeof v === 'string' ? v : `${humanize(label.name)} ${v}`, color: CLASS_COLORS[i % CLASS_COLORS.length] }))
      : undefined
  let daily: ScaffoldPlan['daily'] = { kind: 'synthetic' }
  if (options.url) {
    const keyIndex = keyCol ? table.header.indexOf(keyCol.header) : -1
    const increasing = keyIndex >= 0 && table.records.every((r, i) => i === 0 || Number(r[keyIndex]) > Number(table.records[i - 1][keyIndex]))
    if (eventCol) daily = { kind: 'fetch', after: eventCol.name, reason: `rows whose ${eventCol.name} (--event-time) is later than the latest stored` }
    else if (increasing) daily = { kind: 'fetch', after: keyCol!.name, reason: `rows whose ${keyCol!.name} is larger than the largest stored (the ids increase down the file, so new rows are expected to come with larger ones)` }
    else {
      const why = keyCol ? `its key "${keyCol.header}" does not increase down the file` : 'it has no increasing id column (the key is a generated row number)'
      const stamp = described.find((d) => d.timestamp && !d.nullable)
      review.push(`the daily pipeline draws synthetic rows, not new rows from the URL: ${why} and no --event-time column was given; rerun with --event-time ${stamp ? stamp.header : 'COLUMN (a timestamp column)'} to fetch what arrives`)
    }
    if (daily.kind === 'fetch') review.push(`the daily pipeline re-reads the URL and adds ${daily.reason}: rows changed in place or inserted with smaller values are not fetched`)
    if (daily.kind === 'fetch' && key.generated) review.push(`the key ${key.name} is a row's number in the file: the URL must only append rows (a row removed or inserted above renumbers the rows below it)`)
  }
  review.push(
    `the task, ${task}: ${taskReason}`,
    'field labels, units and ranges on the predict page (ranges are the data\'s, widened a little and rounded)',
    'expectations: numeric ranges only warn, allowed values (choices, classes) refuse other values',
    ...(classes ? ['class names and colours'] : ['the label\'s unit (none given)']),
  )
  return {
    name: options.name,
    title: `${humanize(options.name)} ${label.name.replaceAll('_', ' ')}`,
    file: options.file,
    rows,
    task,
    taskReason,
    columns,
    label,
    key,
    eventTime,
    eventTimeFromData: eventCol !== undefined,
    ...(options.url ? { url: options.url } : {}),
    daily,
    ...(classes ? { classes } : {}),
    stratify,
    review,
  }
}

/**
 * The predict page's range for a number column: the observed range widened by 10% of its span on each side (not
 * below 0 when no value is negative), then rounded outward to a round granularity — a tenth of the span's order of
 * magnitude, never finer than the step. The step is 1 for whole numbers, else 10^-d for the decimals that 95 % of
 * cells show (at most 4). The default is the median, rounded to the step.
 */
export function numberRange(column: InferredColumn): NumberRange {
  const { min, max, median, decimals } = column.stats!
  const step = column.csvType === 'int' ? 1 : 10 ** -decimals
  const span = max - min
  const grain = Math.max(step, span > 0 ? 10 ** (Math.floor(Math.log10(span)) - 1) : step)
  let lo = min - 0.1 * span
  if (min >= 0) lo = Math.max(0, lo)
  const round = (x: number, digits: number) => Number(x.toFixed(Math.max(0, digits)))
  const digits = Math.max(decimals, -Math.floor(Math.log10(grain)))
  return {
    min: round(Math.floor(lo / grain) * grain, digits),
    max: round(Math.ceil((max + 0.1 * span) / grain) * grain, digits),
    step: round(step, decimals),
    default: round(Math.round(median / step) * step, decimals),
  }
}

/** "alcalinity_of_ash" → "Alcalinity of ash". */
export function humanize(name: string): string {
  const words = name.replace(/_+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** A CSV header as an identifier: lowercase letters, digits, _; starting with a letter; at most 63 characters. */
export function identifier(header: string): string {
  let s = header.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '')
  if (!/^[a-z]/.test(s)) s = `c_${s}`.replace(/_+$/, '')
  return s.slice(0, 63)
}

function uniqueIdentifiers(headers: readonly string[]): string[] {
  const seen = new Set<string>()
  return headers.map((h) => {
    const base = identifier(h)
    let name = base
    for (let i = 2; seen.has(name); i++) name = `${base.slice(0, 60)}_${i}`
    seen.add(name)
    return name
  })
}

function freeName(candidates: readonly string[], taken: ReadonlySet<string>): string {
  const free = candidates.find((c) => !taken.has(c))
  if (free) return free
  let i = 2
  while (taken.has(`${candidates[0]}_${i}`)) i++
  return `${candidates[0]}_${i}`
}

function distinct(cells: readonly string[], type: InferredColumn['csvType']): (string | number)[] {
  if (type === 'string') return [...new Set(cells)].sort()
  return [...new Set(cells.map(Number))].sort((a, b) => a - b)
}

function numericStats(cells: readonly string[]): InferredColumn['stats'] {
  const xs = cells.map(Number).sort((a, b) => a - b)
  const n = xs.length
  const median = n === 0 ? 0 : n % 2 ? xs[(n - 1) / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2
  // 12 significant digits drop binary noise a writer may have left (3.8200000000000003 → 3.82).
  const shown = xs.map((x) => /\.(\d+)$/.exec(String(Number(x.toPrecision(12))))?.[1].length ?? 0).sort((a, b) => a - b)
  // The decimals 95 % of cells show: one cell written from a float32 (9.899999 for 9.9) must not make the step 0.0001.
  const decimals = n === 0 ? 0 : shown[Math.ceil(0.95 * n) - 1]
  return { min: n ? xs[0] : 0, max: n ? xs[n - 1] : 0, median, decimals: Math.min(decimals, 4) }
}
