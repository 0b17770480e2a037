import { parseTimestamp, type FeatureGroup, type FeatureStore, type Row } from '../../featurestore/index.js'
import { Random } from '../../ml/index.js'
import type { ModelRegistry } from '../../registry/index.js'
import { definePipeline, type Pipeline, type PipelineContext } from '../../runtime/index.js'
import { ValidationError } from '../../db/index.js'
import { SmlError } from '../../errors/index.js'
import { loadSource, networkReason, sourceContext, SourceFetchError } from '../source.js'
import { generatedKeyColumns, keyOf, keyText, systemFeatureGroup } from '../feature-groups.js'
import { loadServingModel, predictRows } from '../serving.js'
import { conditionalResampler } from '../synthetic.js'
import type { SystemSettings } from '../settings.js'
import { updateWindows } from '../time-series.js'
import { className, systemTask, type DailyFetch, type FetchContext, type FetchResult, type SystemDescription } from '../system.js'

/** Seed for a day's synthetic row: the tick time (so a tick re-run makes the same row), mixed with the configured seed (SML_SEED). */
export function syntheticSeed(at: Date, seed = 0): number {
  return (seed * 1_000_003 + Math.floor(at.getTime() / 1000)) % 2 ** 31
}

const dailyName = (system: SystemDescription) => `${system.name}-daily`

/**
 * The real rows synthetic days are drawn from: every row written by a commit that is not the daily pipeline's
 * (the backfill), latest version per key, ordered by key. Earlier synthetic rows are left out, so drawing day
 * after day never drifts away from the real data.
 */
export async function realRows(fg: FeatureGroup, system: SystemDescription): Promise<Row[]> {
  const keys = system.featureGroup.primaryKey
  const rows = new Map<string, Row>()
  for (const c of await fg.commits()) {
    if (c.source === dailyName(system)) continue
    // Exactly the rows this commit wrote, as it wrote them; a later commit's version of a key replaces it.
    for (const r of await fg.read({ sinceCommit: c.id - 1, asOf: c.id })) rows.set(keyOf(system, r), r)
  }
  const order = (a: Row, b: Row) => {
    for (const k of keys) {
      const x = a[k] instanceof Date ? (a[k] as Date).getTime() : (a[k] as number | string)
      const y = b[k] instanceof Date ? (b[k] as Date).getTime() : (b[k] as number | string)
      if (x !== y) return x < y ? -1 : 1
    }
    return 0
  }
  return [...rows.values()].sort(order)
}

/**
 * The key columns a synthetic row gets (`generatedKeyColumns`): an int column the group's largest value + 1,
 * a timestamp column the tick time; the other key columns come with the resampled real row.
 * @throws ValidationError when no key column can be made: copying a real row's whole key would overwrite it.
 */
async function nextKey(fg: FeatureGroup, system: SystemDescription, at: Date): Promise<Row> {
  const generated = generatedKeyColumns(system)
  if (generated.length === 0)
    throw new ValidationError(
      `${system.name} synthetic day: the key (${system.featureGroup.primaryKey.join(', ')}) has no int or timestamp column outside the fields, so a new row cannot get a new key`,
      [{ column: 'featureGroup.primaryKey', reason: 'a synthetic day needs an int or timestamp key column that is not a field' }],
    )
  // the int key columns' max only: every column's statistics would sort each one in the database
  const ints = generated.filter((k) => system.featureGroup.schema.find((f) => f.name === k)!.type !== 'timestamp')
  const stats = ints.length ? await fg.statistics({ columns: ints }) : []
  const key: Row = {}
  for (const k of generated) {
    if (system.featureGroup.schema.find((f) => f.name === k)!.type === 'timestamp') key[k] = at
    else {
      const max = stats.find((s) => s.column === k)?.max
      key[k] = (typeof max === 'number' ? max : 0) + 1
    }
  }
  return key
}

/**
 * The system's daily pipeline, by `daily`'s kind: one synthetic row a day with the next key (`{ synthetic }`),
 * or the new real rows of an incremental fetch (`{ fetch }`, see fetchDay); either is a new commit, the "new
 * data" batch inference predicts.
 */
export function dailyPipeline(system: SystemDescription, settings: SystemSettings = {}): Pipeline {
  const fetching = 'fetch' in system.daily && typeof system.daily.fetch === 'function'
  return definePipeline({
    name: dailyName(system),
    description: fetching
      ? `Fetch the ${system.name} rows that arrived since the last fetch into ${system.featureGroup.name}`
      : `Add one synthetic ${system.name} row (label known) to ${system.featureGroup.name}`,
    schedule: system.schedules.daily,
    retries: 2,
    backoffMs: 5_000,
    timeoutMs: fetching ? 5 * 60_000 : 60_000,
    run: fetching
      ? async (ctx) => {
          await fetchDay(ctx, system, settings)
          // A time series' window rows follow its readings: the new days only (nothing when nothing arrived).
          if (system.timeSeries) ctx.reportRows(await updateWindows(ctx.featureStore, system, { source: ctx.pipeline, log: (l) => ctx.log.info(l) }))
        }
      : (ctx) => syntheticDay(ctx, system, settings),
  })
}

async function syntheticDay(ctx: PipelineContext, system: SystemDescription, settings: SystemSettings): Promise<void> {
  const at = ctx.scheduledFor ?? new Date()
  const fg = await systemFeatureGroup(ctx.featureStore, system)
  const key = await nextKey(fg, system, at)
  const draw = conditionalResampler(system, await realRows(fg, system))
  const row = { ...draw(new Random(syntheticSeed(at, settings.seed))), ...key, [system.featureGroup.eventTime]: at }
  const commit = await fg.insert([row], { source: ctx.pipeline })
  for (const w of commit.warnings) ctx.log.warn(`expectation: ${w}`)
  ctx.log.info(`added ${keyText(system, row)} (${system.label.column}=${String(row[system.label.column])}) as commit ${commit.id}`)
  ctx.reportRows(1)
}

/**
 * One incremental fetch: reads the stored position (`FeatureStore.sourcePosition(system.name)`), calls
 * `daily.fetch`, then writes the rows it returned (a row without an event time gets the tick time) and its new
 * position in one transaction. No rows: nothing is written (a moved position alone is stored). A failing fetch
 * (SourceFetchError / ValidationError naming the system and reason), invalid rows (ValidationError by row and
 * column) or a failed insert leave rows and position as they were; the runner retries per the pipeline's retries.
 */
async function fetchDay(ctx: PipelineContext, system: SystemDescription, settings: SystemSettings): Promise<void> {
  const at = ctx.scheduledFor ?? new Date()
  const fg = await systemFeatureGroup(ctx.featureStore, system)
  const from = (await ctx.featureStore.sourcePosition(system.name))?.position ?? null
  ctx.log.info(from === null ? 'first fetch: no stored position' : `fetching what arrived after position ${from}`)
  const fetchCtx: FetchContext = {
    ...sourceContext(settings.source ?? {}, { signal: ctx.signal, log: ctx.log }),
    position: from,
    scheduledFor: at,
    system,
    async readSource() {
      const { table, origin } = await loadSource(system, settings.source, { signal: ctx.signal, log: ctx.log, fresh: true })
      ctx.log.info(`read ${table.records.length} records from ${origin}`)
      return system.clean(table)
    },
    latest: (column) => latestPosition(fg, column),
  }
  let result: FetchResult
  try {
    result = await (system.daily as { fetch: DailyFetch }).fetch(fetchCtx)
  } catch (e) {
    if (e instanceof SmlError) throw e
    const reason = networkReason(e)
    throw new SourceFetchError(`${system.name} daily fetch failed: ${reason}`, [{ path: 'daily.fetch', reason: String(reason) }], { cause: e })
  }
  const { rows, position } = checkResult(system, result)
  const eventTime = system.featureGroup.eventTime
  const stamped = rows.map((r) => (r[eventTime] === undefined || r[eventTime] === null ? { ...r, [eventTime]: at } : r))
  if (stamped.length === 0) {
    if (position !== from) {
      await ctx.featureStore.moveSourcePosition({ name: system.name, from, to: position })
      ctx.log.info(`no new rows: nothing written; position moved to ${position}`)
    } else ctx.log.info(`no new rows${from === null ? '' : ` after ${from}`}: nothing written`)
    return
  }
  const progress = ctx.progress(`insert ${fg.name}`, stamped.length)
  let commit
  try {
    commit = await fg.insert(stamped, {
      source: ctx.pipeline,
      sourcePosition: { name: system.name, from, to: position },
      onProgress: (done, _total, phase) => progress.update(done, phase),
    })
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(`${system.name} daily fetch returned invalid rows: ${e.message}`, e.issues)
    throw e
  }
  progress.stop(`commit ${commit.id}: ${commit.rowsAdded} added, ${commit.rowsUpdated} updated; position ${from ?? '(none)'} → ${position ?? '(none)'}`)
  for (const w of commit.warnings) ctx.log.warn(`expectation: ${w}`)
  ctx.reportRows(stamped.length)
}

function checkResult(system: SystemDescription, result: unknown): { rows: Row[]; position: string | null } {
  const what = `${system.name} daily fetch`
  if (typeof result !== 'object' || result === null) throw new ValidationError(`${what} must return { rows, position }, got ${result === null ? 'null' : typeof result}`, [{ path: 'daily.fetch', reason: 'did not return { rows, position }' }])
  const { rows, position } = result as { rows?: unknown; position?: unknown }
  const issues: { path: string; reason: string }[] = []
  if (!Array.isArray(rows)) issues.push({ path: 'rows', reason: `must be an array of rows, got ${rows === null ? 'null' : typeof rows}` })
  else
    rows.forEach((r, i) => {
      if ((typeof r !== 'object' || r === null || Array.isArray(r) || r instanceof Date) && issues.length < 10) issues.push({ path: `rows[${i}]`, reason: 'is not a row (a plain object)' })
    })
  if (position !== null && typeof position !== 'string') issues.push({ path: 'position', reason: `must be text or null, got ${typeof position}` })
  if (issues.length) throw new ValidationError(`${what} returned ${issues.map((i) => `${i.path} ${i.reason}`).join('; ')}`, issues)
  return { rows: rows as Row[], position: position as string | null }
}

/** A column's value as position text: a timestamp as ISO 8601, a number as its decimal text, text as itself. */
export function positionText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value.toISOString()
  return String(value)
}

async function latestPosition(fg: FeatureGroup, column: string): Promise<string | null> {
  const known = fg.schema.some((f) => f.name === column)
  const s = known ? (await fg.statistics({ columns: [column] }))[0] : undefined
  if (!s) throw new ValidationError(`${fg.name} has no column "${column}"`, [{ path: 'column', reason: 'not a column of the feature group' }])
  return positionText(s.max)
}

/** Options of newSourceRows. */
export interface NewSourceRowsOptions {
  /** The column that grows with new data (a timestamp, number or text compared as stored); default the event time. */
  readonly after?: string
}

/**
 * The incremental fetch for a source that is read whole (a CSV file or URL, a JSON document, a function):
 * re-reads the system's source (`ctx.readSource()`, a CSV URL downloaded again) and returns its rows whose
 * `after` column is greater than the stored position, and as position the largest such value (position text,
 * see FetchContext.latest). On the first fetch (no stored position) it starts after the largest value already in
 * the feature group (the backfill), so that a backfilled source is not written again. Usage:
 * `daily: { fetch: newSourceRows({ after: 'date' }) }`.
 * @throws ValidationError when `after` is not a timestamp, number or text column of the schema, or a source row
 *   has no value in it.
 */
export function newSourceRows(options: NewSourceRowsOptions = {}): DailyFetch {
  return async (ctx) => {
    const column = options.after ?? ctx.system.featureGroup.eventTime
    const spec = ctx.system.featureGroup.schema.find((f) => f.name === column)
    if (!spec || spec.type === 'bool')
      throw new ValidationError(`newSourceRows: "${column}" must be a timestamp, number or text column of ${ctx.system.featureGroup.name}`, [{ path: 'daily.fetch.after', reason: spec ? 'a bool column does not grow' : 'not a column of the schema' }])
    const from = ctx.position ?? (await ctx.latest(column))
    const order = (v: unknown): number | string => {
      if (spec.type === 'timestamp') return v instanceof Date ? v.getTime() : typeof v === 'number' ? v : (parseTimestamp(String(v)) ?? NaN)
      if (spec.type === 'string') return String(v)
      return Number(v)
    }
    const bound = from === null ? null : order(from)
    if (typeof bound === 'number' && Number.isNaN(bound))
      throw new ValidationError(`newSourceRows: the stored position ${JSON.stringify(from)} is not a ${spec.type}`, [{ path: 'position', reason: `not a ${spec.type}` }])
    const rows = await ctx.readSource()
    const missing = rows.findIndex((r) => r[column] === null || r[column] === undefined)
    if (missing >= 0)
      throw new ValidationError(`newSourceRows: source row ${missing + 1} has no "${column}", which new rows are found by`, [{ row: missing + 1, column, reason: 'missing value' }])
    const fresh: Row[] = []
    let last: { value: unknown; order: number | string } | null = null
    for (const [i, r] of rows.entries()) {
      const v = order(r[column])
      if (typeof v === 'number' && Number.isNaN(v))
        throw new ValidationError(`newSourceRows: source row ${i + 1} has ${JSON.stringify(r[column])} in "${column}", not a ${spec.type}`, [{ row: i + 1, column, reason: `not a ${spec.type}` }])
      if (bound !== null && !(v > bound)) continue
      fresh.push(r)
      if (last === null || v > last.order) last = { value: r[column], order: v }
    }
    const to = last === null ? from : spec.type === 'timestamp' ? new Date(last.order as number).toISOString() : positionText(last.value)
    ctx.log.info(`${fresh.length} of ${rows.length} source rows are after ${from ?? '(the start)'} in "${column}"`)
    return { rows: fresh, position: to }
  }
}

/** The serving model's accuracy on its test split beside its accuracy on `rows` synthetic rows. */
export interface SyntheticAccuracy {
  readonly system: string
  readonly modelVersion: number
  /** The registered test-split accuracy, 0–1. */
  readonly test: number
  /** Accuracy on the synthetic rows, 0–1. */
  readonly synthetic: number
  readonly rows: number
}

/**
 * How the serving model scores on `rows` rows drawn as the daily pipeline draws them (one rng seeded with
 * `seed`), beside its test accuracy: synthetic days a good model can be judged on score close to its test split.
 * @throws NotFoundError when the system has no model; ValidationError when it has no real rows or is a regression system.
 */
export async function syntheticAccuracy(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, rows = 2000, seed = 1): Promise<SyntheticAccuracy> {
  if (systemTask(system) !== 'classification')
    throw new ValidationError(`${system.name} is a regression system: it has no accuracy`, [{ column: system.label.column, reason: 'accuracy needs a classification label' }])
  const serving = await loadServingModel(fs, registry, system)
  const draw = conditionalResampler(system, await realRows(await systemFeatureGroup(fs, system), system))
  const rng = new Random(seed)
  const synthetic = Array.from({ length: rows }, () => draw(rng))
  const predicted = predictRows(serving, synthetic)
  const correct = predicted.filter((p, i) => p.prediction === className(system, synthetic[i][system.label.column])).length
  return { system: system.name, modelVersion: serving.version.version, test: serving.version.metrics.accuracy, synthetic: correct / rows, rows }
}
