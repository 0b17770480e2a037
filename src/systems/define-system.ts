import { COLUMN_TYPES, isColumnType, ValidationError, type ValidationIssue } from '../db/index.js'
import { toSchedule } from '../runtime/index.js'
import type { DailyDescription, SourceDescription, SystemDescription } from './system.js'

/** Lowercase identifier usable in table names (`<name>_predictions`), pipeline names and URL paths. */
const SYSTEM_NAME = /^[a-z][a-z0-9_]{0,39}$/
/** As the feature store checks table names. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * First path segments the web app and API use (`/api/…`, `/models`, `/runs`, …): a system is served at
 * `/<name>`, so its name cannot be one of them.
 */
export const RESERVED_SYSTEM_NAMES: readonly string[] = [
  'api', 'models', 'feature-groups', 'runs', 'pipelines', 'health', 'docs', 'openapi', 'openapi.json',
  'static', 'assets', 'admin', 'login', 'logout', 'site', 'favicon.ico',
]

/** Why `name` cannot name a system (not a lowercase identifier, or a route of the web app); null when it can. */
export function systemNameIssue(name: unknown): string | null {
  if (typeof name !== 'string' || !SYSTEM_NAME.test(name)) return `${JSON.stringify(name)} must be lowercase letters, digits or _, starting with a letter (at most 40)`
  if (RESERVED_SYSTEM_NAMES.includes(name)) return `"${name}" is a route of the web app (reserved: ${RESERVED_SYSTEM_NAMES.join(', ')})`
  return null
}

/** The tables (feature groups) a system owns: its features, its batch predictions, its request log. */
export function systemTables(system: Pick<SystemDescription, 'name' | 'featureGroup' | 'timeSeries'>): string[] {
  const windows = system.timeSeries?.windows?.name
  return [system.featureGroup.name, `${system.name}_predictions`, `${system.name}_requests`, ...(typeof windows === 'string' ? [windows] : [])]
}

/**
 * Declares an ML system. Checks the whole description at once and throws one ValidationError listing
 * every problem (`issues`: `{ column: path, reason }`, e.g. `fields[2].name`), so a mistake shows when
 * the project's config is loaded, not when a pipeline first runs. Returns the description, frozen.
 *
 * Rules: the name is a lowercase identifier that is not a route of the web app; the primary key, event
 * time and label are columns of the schema (event time a timestamp); every model input (a column other
 * than key, event time and label) has exactly one field, in column order, and every field is a model
 * input; a choice field's codes are allowed values of its column; label classes are unique and, when
 * the label column has an `allowed` expectation, the same set of values; schedules are cron expressions;
 * `source` is exactly one of `{ file, url? }`, `{ json: { url, headers?, map } }`, `{ load }` (URLs http(s),
 * `map`/`load` functions); `daily` is exactly one of `{ synthetic: { jitter ≥ 0, bounds? } }`, `{ fetch }`.
 */
export function defineSystem<S extends SystemDescription>(description: S): S {
  const issues = systemIssues(description)
  if (issues.length) throw systemError(description, issues)
  return Object.freeze(description)
}

/**
 * Problems across systems served together: names unique, model names unique, and no two systems owning
 * the same table (`a` owns `a_predictions`, so a system `a_predictions` or a feature group of that name clashes).
 */
export function systemSetIssues(systems: readonly SystemDescription[], path = 'systems'): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const names = new Map<string, number>()
  const models = new Map<string, number>()
  const tables = new Map<string, number>()
  systems.forEach((s, i) => {
    const at = `${path}[${i}]`
    const seen = names.get(s.name)
    if (seen !== undefined) issues.push({ column: `${at}.name`, reason: `"${s.name}" is also the name of ${path}[${seen}]` })
    else names.set(s.name, i)
    const model = models.get(s.model?.name)
    if (model !== undefined) issues.push({ column: `${at}.model.name`, reason: `"${s.model.name}" is also the model of ${path}[${model}] (${systems[model].name})` })
    else models.set(s.model?.name, i)
    for (const t of systemTables(s)) {
      const owner = tables.get(t)
      if (owner !== undefined && owner !== i) issues.push({ column: at, reason: `table "${t}" is also a table of ${path}[${owner}] (${systems[owner].name})` })
      else tables.set(t, i)
    }
  })
  return issues
}

/** One message naming the system and every problem. */
export function systemError(description: { readonly name?: unknown }, issues: readonly ValidationIssue[]): ValidationError {
  const list = issues.map((i) => (i.column ? `${i.column}: ${i.reason}` : i.reason)).join('; ')
  return new ValidationError(`invalid system ${JSON.stringify(description?.name ?? '(unnamed)')}: ${list}`, issues)
}

/** The keys of a SystemDescription (a Record over keyof, so a key added to the type must be added here). */
const DESCRIPTION_KEYS: Readonly<Record<keyof SystemDescription, true>> = {
  name: true,
  title: true,
  shortTitle: true,
  description: true,
  source: true,
  clean: true,
  featureGroup: true,
  label: true,
  fields: true,
  transformations: true,
  training: true,
  model: true,
  daily: true,
  schedules: true,
  picture: true,
  timeSeries: true,
}

/** Every problem of one description; empty when it is valid. */
export function systemIssues(d: SystemDescription): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const add = (column: string, reason: string) => issues.push({ column, reason })
  if (typeof d !== 'object' || d === null) return [{ reason: 'a system description must be an object' }]

  // a misspelt optional key (`timeseries`, `shorttitle`) would otherwise be ignored without a word
  // (`synthetic`, the key before `daily`, has its own message in dailyIssues)
  for (const key of Object.keys(d)) if (!Object.hasOwn(DESCRIPTION_KEYS, key) && key !== 'synthetic') add(key, `unknown key: a system description has ${Object.keys(DESCRIPTION_KEYS).join(', ')}`)
  const nameIssue = systemNameIssue(d.name)
  if (nameIssue) add('name', nameIssue)
  if (typeof d.title !== 'string' || d.title.trim() === '') add('title', 'must be a non-empty string')
  if (d.shortTitle !== undefined && (typeof d.shortTitle !== 'string' || d.shortTitle.trim() === '' || d.shortTitle.length > 24)) add('shortTitle', 'must be a non-empty string of at most 24 characters')
  if (typeof d.description !== 'string') add('description', 'must be a string')
  issues.push(...sourceIssues(d.source))
  if (typeof d.clean !== 'function') add('clean', 'must be a function from the source table to feature rows')

  const g = d.featureGroup
  const listed: readonly unknown[] = Array.isArray(g?.schema) ? g.schema : []
  // the well-formed columns, for the checks below; each listed one is checked itself
  const schema = listed.filter((f): f is SystemDescription['featureGroup']['schema'][number] => typeof f === 'object' && f !== null)
  const columns = new Map(schema.map((f) => [f.name, f]))
  if (!g || typeof g !== 'object') add('featureGroup', 'is required')
  else {
    if (typeof g.name !== 'string' || !IDENTIFIER.test(g.name)) add('featureGroup.name', `${JSON.stringify(g.name)} must match ${IDENTIFIER}`)
    else if (typeof d.name === 'string' && systemTables(d).slice(1).includes(g.name)) add('featureGroup.name', `"${g.name}" is the name of one of the system's own tables`)
    if (!Number.isInteger(g.version) || g.version < 1) add('featureGroup.version', 'must be a positive integer')
    if (!Array.isArray(g.schema) || g.schema.length === 0) add('featureGroup.schema', 'must list the columns')
    listed.forEach((item, i) => {
      if (typeof item !== 'object' || item === null) return add(`featureGroup.schema[${i}]`, 'must be a column { name, type }')
      const f = item as Record<string, unknown>
      if (typeof f.name !== 'string' || !IDENTIFIER.test(f.name)) add(`featureGroup.schema[${i}].name`, `${JSON.stringify(f.name)} must match ${IDENTIFIER}`)
      else if (schema.findIndex((o) => o.name === f.name) !== schema.indexOf(item as never)) add(`featureGroup.schema[${i}].name`, `column "${f.name}" is listed twice`)
      // the store would refuse it only when a pipeline first creates the group, far from this definition
      if (!isColumnType(f.type)) add(`featureGroup.schema[${i}].type`, `column "${f.name}" has type ${JSON.stringify(f.type)}: a column type is one of ${COLUMN_TYPES.join(', ')}`)
      if (f.nullable !== undefined && typeof f.nullable !== 'boolean') add(`featureGroup.schema[${i}].nullable`, 'must be true or false')
    })
    const keys: readonly unknown[] = Array.isArray(g.primaryKey) ? g.primaryKey : []
    if (keys.length === 0) add('featureGroup.primaryKey', 'must list at least one column')
    keys.forEach((k, i) => {
      if (!columns.has(k as string)) add(`featureGroup.primaryKey[${i}]`, `${JSON.stringify(k)} is not a column of the schema`)
    })
    const ts = columns.get(g.eventTime)
    if (!ts) add('featureGroup.eventTime', `${JSON.stringify(g.eventTime)} is not a column of the schema`)
    else if (ts.type !== 'timestamp') add('featureGroup.eventTime', `column "${g.eventTime}" must have type timestamp, not ${ts.type}`)
    ;(Array.isArray(g.expectations) ? g.expectations : []).forEach((e, i) => {
      if (!columns.has(e.column)) add(`featureGroup.expectations[${i}].column`, `${JSON.stringify(e.column)} is not a column of the schema`)
    })
  }

  // The label: a column, with classes matching what its expectations allow.
  const labelColumn = d.label?.column
  if (!columns.has(labelColumn)) add('label.column', `${JSON.stringify(labelColumn)} is not a column of the schema`)
  else if ((Array.isArray(g?.primaryKey) && g.primaryKey.includes(labelColumn)) || labelColumn === g?.eventTime) add('label.column', `"${labelColumn}" is the primary key or event time, not a label`)
  const classes = Array.isArray(d.label?.classes) ? d.label.classes : []
  if (classes.length > 0) {
    const labelType = columns.get(labelColumn)?.type
    classes.forEach((c, i) => {
      const at = `label.classes[${i}]`
      if (classes.findIndex((o) => o.value === c.value) !== i) add(`${at}.value`, `${JSON.stringify(c.value)} is listed twice`)
      if (classes.findIndex((o) => o.name === c.name) !== i) add(`${at}.name`, `${JSON.stringify(c.name)} is listed twice`)
      if (typeof c.name !== 'string' || c.name === '') add(`${at}.name`, 'must be a non-empty string')
      if (labelType === 'string' && typeof c.value !== 'string') add(`${at}.value`, `${JSON.stringify(c.value)} must be text: column "${labelColumn}" is a string`)
      if ((labelType === 'int' || labelType === 'float') && typeof c.value !== 'number') add(`${at}.value`, `${JSON.stringify(c.value)} must be a number: column "${labelColumn}" is ${labelType}`)
    })
    const allowed = (g?.expectations ?? []).find((e) => e.column === labelColumn && e.allowed)?.allowed
    if (allowed) {
      classes.forEach((c, i) => {
        if (!allowed.includes(c.value)) add(`label.classes[${i}].value`, `${JSON.stringify(c.value)} is not allowed by the expectation on "${labelColumn}" (${allowed.map((v) => JSON.stringify(v)).join(', ')})`)
      })
      for (const v of allowed) if (!classes.some((c) => c.value === v)) add('label.classes', `allowed value ${JSON.stringify(v)} of "${labelColumn}" has no class`)
    }
  }

  // Fields: exactly the model inputs, in column order.
  const fields = Array.isArray(d.fields) ? d.fields : []
  // A key column is a model input only when it is also a field (like `sex` in ['sex', 'row']); see identifierColumns.
  const keyColumns: readonly string[] = Array.isArray(g?.primaryKey) ? g.primaryKey : []
  const identifiers = keyColumns.filter((k) => !fields.some((f) => f?.name === k))
  // A time series' model reads its window features, not the day's other measurements (which a forecast cannot know).
  const inputs = d.timeSeries
    ? (Array.isArray(d.timeSeries.windows?.features) ? d.timeSeries.windows.features.map((f) => f.name) : [])
    : schema.map((f) => f.name).filter((n) => !identifiers.includes(n) && n !== g?.eventTime && n !== labelColumn)
  const specs: readonly { readonly name: string; readonly nullable?: boolean }[] = d.timeSeries ? (Array.isArray(d.timeSeries.windows?.features) ? d.timeSeries.windows.features : []) : schema
  if (d.timeSeries !== undefined) issues.push(...timeSeriesIssues(d, columns))
  if (!Array.isArray(d.fields)) add('fields', 'must list the model inputs')
  fields.forEach((f, i) => {
    const at = `fields[${i}]`
    if (!inputs.includes(f.name)) add(`${at}.name`, `${JSON.stringify(f.name)} is not a model input (inputs: ${inputs.join(', ') || 'none'})`)
    else if (fields.findIndex((o) => o.name === f.name) !== i) add(`${at}.name`, `"${f.name}" has two fields`)
    if (typeof f.label !== 'string' || f.label === '') add(`${at}.label`, 'must be a non-empty string')
    if (f.kind === 'number') {
      // JSON: a text '10' reads as the number it looks like otherwise
      if (!(Number.isFinite(f.min) && Number.isFinite(f.max) && f.min <= f.max)) add(at, `min ${JSON.stringify(f.min)} and max ${JSON.stringify(f.max)} must be numbers with min ≤ max`)
      else if (!(typeof f.default === 'number' && f.default >= f.min && f.default <= f.max)) add(`${at}.default`, `${JSON.stringify(f.default)} is ${typeof f.default === 'number' ? `outside ${f.min}–${f.max}` : `not a number in ${f.min}–${f.max}`}`)
      if (!(typeof f.step === 'number' && f.step > 0)) add(`${at}.step`, `must be a positive number, got ${JSON.stringify(f.step)}`)
      if (f.optional !== undefined && typeof f.optional !== 'boolean') add(`${at}.optional`, 'must be true or false')
      else if (f.optional && specs.find((c) => c?.name === f.name)?.nullable === false) add(`${at}.optional`, `"${f.name}" is stored as never null (nullable: false): it cannot be sent missing`)
    } else if (f.kind === 'choice') {
      const choices = f.choices
      if (!Array.isArray(choices) || choices.length === 0) add(`${at}.choices`, 'must list at least one choice')
      else {
        choices.forEach((c, j) => {
          if (choices.findIndex((o) => o.value === c.value) !== j) add(`${at}.choices[${j}].value`, `${JSON.stringify(c.value)} is listed twice`)
          if (choices.findIndex((o) => o.code === c.code) !== j) add(`${at}.choices[${j}].code`, `${c.code} is listed twice`)
        })
        if (!choices.some((c) => c.value === f.default)) add(`${at}.default`, `${JSON.stringify(f.default)} is not one of the choices`)
        const allowed = (g?.expectations ?? []).find((e) => e.column === f.name && e.allowed)?.allowed
        if (allowed) choices.forEach((c, j) => allowed.includes(c.code) || add(`${at}.choices[${j}].code`, `${c.code} is not allowed by the expectation on "${f.name}"`))
      }
    } else add(`${at}.kind`, `${JSON.stringify((f as { kind: unknown }).kind)} must be "number" or "choice"`)
  })
  const described = new Set(fields.map((f) => f.name))
  for (const n of inputs) if (!described.has(n)) add('fields', `model input "${n}" has no field description`)
  const ordered = fields.map((f) => f.name).filter((n) => inputs.includes(n))
  if (issues.length === 0 && ordered.join() !== inputs.join()) add('fields', `must follow the schema's column order: ${inputs.join(', ')}`)
  for (const name of Object.keys(d.transformations ?? {})) if (!inputs.includes(name)) add(`transformations.${name}`, 'is not a model input')

  if (!(typeof d.training?.testSize === 'number' && d.training.testSize > 0 && d.training.testSize < 1)) add('training.testSize', `must be a number between 0 and 1 (exclusive), got ${JSON.stringify(d.training?.testSize)}`)
  if (!Number.isInteger(d.training?.seed)) add('training.seed', `must be an integer, got ${JSON.stringify(d.training?.seed)}`)
  if (d.training?.split !== undefined && d.training.split !== 'random' && d.training.split !== 'time') add('training.split', `${JSON.stringify(d.training.split)} must be "random" or "time"`)
  else if (d.training?.split === 'random' && d.timeSeries !== undefined)
    add('training.split', 'a time series is split by time: a random split would train on days after the test days and score the model on a past it has seen (leakage)')
  if (d.training?.stratify && (d.timeSeries !== undefined || d.training.split === 'time')) add('training.stratify', 'a split by time cannot be stratified')
  if (typeof d.model?.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(d.model.name)) add('model.name', `${JSON.stringify(d.model?.name)} must be letters, digits, _, . or -`)
  if (typeof d.model?.create !== 'function') add('model.create', 'must be a function (seed) => estimator')
  else {
    // made once here (an estimator's constructor only records its parameters), so a misspelt import from
    // serverless-ml (undefined under a TypeScript config's CommonJS interop) is this one line, not a stack trace
    // from every training run
    try {
      const m = d.model.create(0) as { fit?: unknown } | null | undefined
      if (typeof m?.fit !== 'function') add('model.create', `must return an estimator (an object with fit), got ${m === null || typeof m !== 'object' ? String(m) : 'an object without fit'}`)
    } catch (e) {
      add('model.create', `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
    }
  }
  issues.push(...dailyIssues(d.daily, (d as { synthetic?: unknown }).synthetic))
  if (!d.schedules) add('schedules', 'must give daily and batchInference')
  else {
    toSchedule(d.schedules.daily, issues, 'schedules.daily')
    toSchedule(d.schedules.batchInference, issues, 'schedules.batchInference')
  }
  if (d.picture !== undefined && typeof d.picture !== 'function') add('picture', 'must be a function')
  return issues
}

/** Problems of a `timeSeries` block (see TimeSeriesDescription). */
function timeSeriesIssues(d: SystemDescription, columns: ReadonlyMap<string, { readonly type: string }>): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const add = (column: string, reason: string) => issues.push({ column: `timeSeries.${column}`, reason })
  const t = d.timeSeries!
  const g = d.featureGroup
  if (typeof t !== 'object' || t === null) return [{ column: 'timeSeries', reason: 'must be an object' }]
  if (Array.isArray(g?.primaryKey) && !g.primaryKey.includes(g.eventTime)) issues.push({ column: 'featureGroup.eventTime', reason: `a time series' day "${g.eventTime}" must be one of the primary key columns (${g.primaryKey.join(', ')})` })
  if (d.label?.classes !== undefined) issues.push({ column: 'label.classes', reason: 'a time series forecasts a number: its label has no classes' })
  const labelType = columns.get(d.label?.column)?.type
  if (labelType !== undefined && labelType !== 'int' && labelType !== 'float') issues.push({ column: 'label.column', reason: `a time series forecasts a number, but "${d.label.column}" is a ${labelType}` })
  const w = t.windows
  if (typeof w !== 'object' || w === null) add('windows', 'is required')
  else {
    if (typeof w.name !== 'string' || !IDENTIFIER.test(w.name)) add('windows.name', `${JSON.stringify(w.name)} must match ${IDENTIFIER}`)
    else if (w.name === g?.name || (typeof d.name === 'string' && [`${d.name}_predictions`, `${d.name}_requests`].includes(w.name))) add('windows.name', `"${w.name}" is another of the system's tables`)
    if (!Number.isInteger(w.version) || w.version < 1) add('windows.version', 'must be a positive integer')
    if (!Array.isArray(w.features) || w.features.length === 0) add('windows.features', 'must list the window features')
    else
      w.features.forEach((f, i) => {
        if (typeof f?.name !== 'string' || !IDENTIFIER.test(f.name)) add(`windows.features[${i}].name`, `${JSON.stringify(f?.name)} must match ${IDENTIFIER}`)
        else if (g?.primaryKey?.includes(f.name)) add(`windows.features[${i}].name`, `"${f.name}" is a key column of ${g.name}`)
        else if (w.features.findIndex((o) => o.name === f.name) !== i) add(`windows.features[${i}].name`, `"${f.name}" is listed twice`)
        if (f?.type !== 'int' && f?.type !== 'float') add(`windows.features[${i}].type`, 'a window feature is a number (int or float)')
      })
    if (!Number.isInteger(w.lookbackDays) || w.lookbackDays < 1) add('windows.lookbackDays', 'must be a whole number of days ≥ 1')
    if (typeof w.compute !== 'function') add('windows.compute', 'must be a function (series rows, days) => window rows')
  }
  if (t.persistence !== undefined && !(Array.isArray(w?.features) && w.features.some((f) => f?.name === t.persistence))) add('persistence', `${JSON.stringify(t.persistence)} is not a window feature`)
  if (t.unknownAhead !== undefined) {
    if (!Array.isArray(t.unknownAhead)) add('unknownAhead', 'must be an array of window feature names')
    else
      t.unknownAhead.forEach((name, i) => {
        if (!(Array.isArray(w?.features) && w.features.some((f) => f?.name === name))) add(`unknownAhead[${i}]`, `${JSON.stringify(name)} is not a window feature`)
        else if (name === t.persistence) add(`unknownAhead[${i}]`, `"${name}" is the label's previous day, which a recursive forecast knows (it feeds each forecast day forward)`)
      })
  }
  if (typeof d.daily === 'object' && d.daily !== null && !('fetch' in d.daily)) issues.push({ column: 'daily', reason: "a time series' daily pipeline adds real readings: it must be { fetch }, not synthetic rows" })
  if (!Number.isInteger(t.horizon) || t.horizon < 1 || t.horizon > 60) add('horizon', 'must be a whole number of days from 1 to 60')
  if (!Number.isInteger(t.hindcastDays) || t.hindcastDays < 1) add('hindcastDays', 'must be a whole number of days ≥ 1')
  if (t.bands !== undefined) {
    if (!Array.isArray(t.bands)) add('bands', 'must be an array of { max, name, color }')
    else
      t.bands.forEach((b, i) => {
        if (typeof b?.max !== 'number' || Number.isNaN(b.max)) add(`bands[${i}].max`, 'must be a number (Infinity for the last band)')
        else if (i > 0 && !(b.max > t.bands![i - 1].max)) add(`bands[${i}].max`, `must be above the band before (${t.bands![i - 1].max})`)
        if (typeof b?.name !== 'string' || b.name === '') add(`bands[${i}].name`, 'must be a non-empty string')
        if (typeof b?.color !== 'string' || b.color === '') add(`bands[${i}].color`, 'must be a CSS colour')
      })
  }
  return issues
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const HTTP_URL = /^https?:\/\/[^\s]+$/

/** Problems of `source`: exactly one kind (`file`, `json` or `load`), each with its own fields well typed. */
function sourceIssues(source: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const add = (column: string, reason: string) => issues.push({ column, reason })
  const shapes = 'a CSV { file, url? }, a JSON document { json: { url, headers?, map } } or a function { load }'
  if (!isObject(source)) return [{ column: 'source', reason: `must be ${shapes}` }]
  const kinds = (['file', 'json', 'load'] as const).filter((k) => source[k] !== undefined)
  if (kinds.length === 0) return [{ column: 'source', reason: `must be ${shapes}` }]
  if (kinds.length > 1) return [{ column: 'source', reason: `gives ${kinds.join(' and ')}: choose one of ${shapes}` }]
  const known = ['requiredColumns', ...(kinds[0] === 'file' ? ['file', 'url'] : [kinds[0]])]
  for (const k of Object.keys(source)) if (!known.includes(k)) add(`source.${k}`, `is not a field of a ${kinds[0] === 'file' ? 'CSV' : kinds[0] === 'json' ? 'JSON' : 'function'} source (${known.join(', ')})`)
  if (source.requiredColumns !== undefined && !(Array.isArray(source.requiredColumns) && source.requiredColumns.every((c) => typeof c === 'string')))
    add('source.requiredColumns', 'must be an array of column names')
  if (kinds[0] === 'file') {
    if (typeof source.file !== 'string' || source.file === '' || /[/\\]/.test(source.file)) add('source.file', 'must be a file name (no directory)')
    if (source.url !== undefined && (typeof source.url !== 'string' || !HTTP_URL.test(source.url))) add('source.url', `${JSON.stringify(source.url)} must be an http(s) URL`)
  } else if (kinds[0] === 'json') {
    const json = source.json
    if (!isObject(json)) add('source.json', 'must be { url, headers?, map }')
    else {
      if (typeof json.url !== 'string' || !HTTP_URL.test(json.url)) add('source.json.url', `${JSON.stringify(json.url)} must be an http(s) URL`)
      if (json.headers !== undefined && !(isObject(json.headers) && Object.values(json.headers).every((v) => typeof v === 'string')))
        add('source.json.headers', 'must be an object of header names to string values')
      if (typeof json.map !== 'function') add('source.json.map', 'must be a function (body) => records (an array of plain objects)')
      for (const k of Object.keys(json)) if (!['url', 'headers', 'map'].includes(k)) add(`source.json.${k}`, 'is not a field of a JSON source (url, headers, map)')
    }
  } else if (typeof source.load !== 'function') add('source.load', 'must be a function (ctx) => records (an array of plain objects, or a promise of one)')
  return issues
}

/** Problems of `daily`: `{ synthetic: { jitter, bounds? } }` or `{ fetch }`. */
function dailyIssues(daily: unknown, legacySynthetic: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const add = (column: string, reason: string) => issues.push({ column, reason })
  const shapes = '{ synthetic: { jitter, bounds? } } or { fetch: (ctx) => Promise<{ rows, position }> }'
  if (legacySynthetic !== undefined) add('synthetic', 'moved into daily: write daily: { synthetic: { jitter, bounds? } }')
  if (!isObject(daily)) {
    add('daily', `must be ${shapes}`)
    return issues
  }
  const kinds = (['synthetic', 'fetch'] as const).filter((k) => daily[k] !== undefined)
  if (kinds.length !== 1) add('daily', kinds.length ? `gives both synthetic and fetch: choose one of ${shapes}` : `must be ${shapes}`)
  for (const k of Object.keys(daily)) if (k !== 'synthetic' && k !== 'fetch') add(`daily.${k}`, 'is not a field of daily (synthetic or fetch)')
  if (kinds.length !== 1) return issues
  if (kinds[0] === 'fetch') {
    if (typeof daily.fetch !== 'function') add('daily.fetch', 'must be a function (ctx) => Promise<{ rows, position }>')
    return issues
  }
  const spec = daily.synthetic
  if (!isObject(spec)) add('daily.synthetic', 'must be { jitter, bounds? }')
  else {
    if (typeof spec.jitter !== 'number' || !(spec.jitter >= 0) || !Number.isFinite(spec.jitter)) add('daily.synthetic.jitter', 'must be a number ≥ 0')
    if (spec.bounds !== undefined && !isObject(spec.bounds)) add('daily.synthetic.bounds', 'must be an object: class value → feature → [min, max]')
  }
  return issues
}
