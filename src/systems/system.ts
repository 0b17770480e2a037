import type { Expectation, FeatureSpec, RecordTable, Row, TransformationKind } from '../featurestore/index.js'
import type { Estimator } from '../ml/index.js'
import type { RunLogger, ScheduleOptions } from '../runtime/index.js'
import type { ValueBand } from './forecast.js'

/** One class of the label: the value stored in the feature group and the name people read. */
export interface ClassDescription {
  readonly value: string | number
  readonly name: string
  /** Accent colour for pages and charts. */
  readonly color: string
}

/** A model input as a person enters it: a number with a range and unit, or a choice of named options. */
export type FieldDescription =
  | {
      readonly kind: 'number'
      readonly name: string
      readonly label: string
      readonly unit?: string
      readonly min: number
      readonly max: number
      readonly step: number
      readonly default: number
      /** Whole numbers only (ages in years, counts). */
      readonly integer?: boolean
      /**
       * The value may be unknown: a predict request may send null or leave the field out, and the model is given it
       * as missing (NaN), as training gave it a day that was not measured. Only for a stored feature that can be
       * null and a model that handles missing values natively (histogram gradient boosting; not k-NN or a random
       * forest, which refuse NaN). Default false: the field is required. A NaN or text is refused either way.
       */
      readonly optional?: boolean
      readonly help?: string
    }
  | {
      readonly kind: 'choice'
      readonly name: string
      readonly label: string
      /** `value` is what an API client sends ("male", "C"); `code` is what the feature group stores. */
      readonly choices: readonly { readonly value: string | number; readonly code: number; readonly label: string }[]
      readonly default: string | number
      readonly help?: string
    }

/**
 * An ML system as data: where its data comes from, how it is cleaned, what it predicts with which
 * model, how synthetic days are made and what its pages show. Generic pipelines, API and pages
 * consume it; adding a system is adding one of these.
 */
export interface SystemDescription {
  readonly name: string
  readonly title: string
  /** The system's name in the site's menu ("<shortTitle> predict", "<shortTitle> monitor"); default the title's first word. */
  readonly shortTitle?: string
  readonly description: string
  /** Where the backfill's rows come from: a CSV file or URL, a JSON document over HTTP, or a function (see SourceDescription). */
  readonly source: SourceDescription
  readonly featureGroup: {
    readonly name: string
    readonly version: number
    readonly description: string
    /** Key columns, one or several (e.g. `['station', 'date']`); a key column that is also a field is a model input. */
    readonly primaryKey: readonly string[]
    readonly eventTime: string
    /** Every column, primary key and event time included. */
    readonly schema: readonly FeatureSpec[]
    readonly expectations: readonly Expectation[]
  }
  /**
   * Feature engineering: the source's records (`SourceTable`: CSV text cells, or the values of a JSON or
   * function source) to feature rows, primary key included. The backfill stamps a row without an event time
   * with its run time (a row given one keeps it); `csvToRows(table, schema)` converts cells of any source kind.
   */
  clean(table: SourceTable): Row[]
  /**
   * What the model predicts. With `classes` the task is classification; a numeric label without them is
   * regression (see `systemTask`), its value shown with `unit`.
   */
  readonly label: { readonly column: string; readonly classes?: readonly ClassDescription[]; readonly unit?: string }
  /** Model inputs in model column order, as people enter them. */
  readonly fields: readonly FieldDescription[]
  readonly transformations?: Readonly<Record<string, TransformationKind>>
  /**
   * How training splits the data: `testSize` the share held out; `split` 'random' (seeded, optionally stratified; the
   * default) or 'time' (the test rows are the latest `testSize` of the days, training strictly before them; the only
   * split a time series allows, and its default).
   */
  readonly training: { readonly testSize: number; readonly seed: number; readonly stratify?: boolean; readonly split?: 'random' | 'time' }
  readonly model: {
    readonly name: string
    readonly description: string
    /** A classifier for a classification system, a regressor for a regression one. */
    create(seed: number): Estimator
  }
  /**
   * What the daily pipeline adds: one synthetic row drawn from the real rows (`{ synthetic }`), or the new real
   * rows an incremental fetch returns (`{ fetch }`), see DailyDescription.
   */
  readonly daily: DailyDescription
  /**
   * Schedules of the daily pipelines (batch inference runs after the daily one): a cron read in UTC,
   * or `{ cron, timezone }` to read it in an IANA time zone.
   */
  readonly schedules: { readonly daily: ScheduleOptions; readonly batchInference: ScheduleOptions }
  /** A picture (standalone SVG) of a class, for pages; `features` are stored feature values when known. */
  readonly picture?: SystemPicture
  /**
   * Declares the system a daily time series forecast ahead (see `TimeSeriesDescription`): its splits are by time
   * (a random split is refused), its model reads window features derived from the series, and batch inference
   * forecasts the coming days.
   */
  readonly timeSeries?: TimeSeriesDescription
}

/**
 * A daily time series: the system's feature group holds one row per series and day (the day is the event time and
 * a key column; the other key columns name the series, e.g. a station), its label is the day's measured value, and
 * the model predicts it one day ahead from window features of the days before. Pipelines then: compute the window
 * group for new days after each write (feature and daily pipelines), train on a point-in-time join of label and
 * windows split by time, and forecast `horizon` days recursively in batch inference, with one-day-ahead hindcasts
 * of the last `hindcastDays` measured days; the monitor shows forecast (in `bands`), hindcast and MAE per horizon.
 */
export interface TimeSeriesDescription {
  /** The derived feature group of window features, keyed like the system's group (series columns and day). */
  readonly windows: {
    readonly name: string
    readonly version: number
    readonly description: string
    /** The window features, model inputs in this order (the key columns are added from the system's group). */
    readonly features: readonly FeatureSpec[]
    /** Days before a day its features read: an incremental run reads only the series rows it needs. */
    readonly lookbackDays: number
    /**
     * Pure: each day's window features (one row per day, in order, with the day in the event-time column) from one
     * series' rows (system group rows, any order); a day's row must read only rows of earlier days.
     */
    compute(series: readonly Row[], days: readonly Date[]): Row[]
  }
  /**
   * The window feature holding the label's previous day, when there is one: the persistence forecast ("tomorrow =
   * today") training scores beside the model (`persistence_mae`, `mae_vs_persistence`).
   */
  readonly persistence?: string
  /**
   * Window features a recursive forecast cannot know beyond its first day, because they read measurements of the
   * day before other than the label (e.g. `pm10_lag1`, `no2_lag1`: only the label is forecast, so a forecast day's
   * pm10 and no2 are unknown). From day 2 on they reach the model missing. Training shows the model that case: each
   * training row is used twice, as measured and with these features missing (`withUnknownAhead`), so the 1-day-ahead
   * model also forecasts from a forecast day. Test rows are left as measured. Default none.
   */
  readonly unknownAhead?: readonly string[]
  /** Days ahead batch inference forecasts (e.g. 7). */
  readonly horizon: number
  /** Measured days the hindcast covers (e.g. 60). */
  readonly hindcastDays: number
  /** Named ranges of the label's scale, lowest first (e.g. air-quality categories), for forecast colours. */
  readonly bands?: readonly ValueBand[]
}

/**
 * A source's records as one table, whatever the source kind: column names and, per record, one cell per column.
 * A CSV source gives its header (lowercased, like Hopsworks) and text cells ('' = missing), so a `CsvTable` is a
 * SourceTable; a JSON or function source gives the union of its records' keys (lowercased, in first-seen order)
 * and their values as given (a key a record lacks is null). `csvToRows` converts either kind by the schema.
 */
export type SourceTable = RecordTable

/** What a function source (`source.load`) and an incremental fetch (`daily.fetch`) may use. */
export interface SourceContext {
  /** The fetch to use (tests inject one); the global fetch by default. */
  readonly fetch: typeof fetch
  /** Aborted when the pipeline attempt times out: pass it to fetch. */
  readonly signal: AbortSignal
  /** The configured data directory (--data-dir / SML_DATA_DIR), when one is set. */
  readonly dataDir: string | undefined
  /** The project's directory (the config file's); the working directory for the built-in config. */
  readonly projectDir: string
  /** Lines recorded in the run's log. */
  readonly log: RunLogger
}

/**
 * Where a system's backfill reads its records, one of three kinds (each may list `requiredColumns`: columns,
 * lowercased, the cleaning needs; a source missing one is refused before `clean` runs):
 * - **CSV** `{ file, url? }`: `file` in the data directory (--data-dir / SML_DATA_DIR); else, with a `url`, that
 *   URL downloaded once into `<SML_HOME>/cache/<file>`; else `file` in the project directory.
 * - **JSON over HTTP** `{ json: { url, headers?, map } }`: GET `url` (with `headers`, e.g. an API token) on every
 *   read, no cache; `map(body)` turns the parsed body into records (plain objects). A network error or non-2xx
 *   status is a `SourceFetchError` (kind `failed`, retried by the pipeline); a body that is not JSON, a `map` that
 *   throws or returns anything but an array of plain objects is a ValidationError naming the URL and reason.
 * - **Function** `{ load(ctx) }`: returns the records (plain objects); the same checks as JSON apply to its result.
 */
export type SourceDescription = CsvSourceDescription | JsonSourceDescription | FunctionSourceDescription

export interface CsvSourceDescription {
  /** File name (no directory) in the data directory / the download cache / the project directory. */
  readonly file: string
  /** Downloaded once into the cache when no data directory is given; absent = a file of the project. */
  readonly url?: string
  readonly requiredColumns?: readonly string[]
}

export interface JsonSourceDescription {
  readonly json: {
    /** An http(s) URL answering a JSON document. */
    readonly url: string
    /** Request headers, e.g. `{ authorization: 'Bearer …' }`; read the secret from the config's edge, not here. */
    readonly headers?: Readonly<Record<string, string>>
    /** The parsed body to records: an array of plain objects whose keys become columns. */
    map(body: unknown): readonly Record<string, unknown>[]
  }
  readonly requiredColumns?: readonly string[]
}

export interface FunctionSourceDescription {
  /** Returns the records: an array of plain objects whose keys become columns. */
  load(ctx: SourceContext): Promise<readonly Record<string, unknown>[]> | readonly Record<string, unknown>[]
  readonly requiredColumns?: readonly string[]
}

/**
 * The daily pipeline, one of two kinds:
 * - `{ synthetic: SyntheticSpec }`: one synthetic row a day, drawn from the real rows (iris, titanic);
 * - `{ fetch(ctx) }`: an incremental fetch of new real rows. It gets the position the last successful fetch
 *   returned (`ctx.position`, null on the first) and returns `{ rows, position }`: feature rows (as `clean`
 *   returns them; a row without an event time gets the tick time) and the position to continue from. The rows
 *   and the position are written in one transaction, so a failed fetch or insert moves neither; rows whose key
 *   is already stored replace the stored version (upsert, counted as updated, predicted again by batch
 *   inference). `newSourceRows({ after })` is the fetch for a source that is re-read whole.
 */
export type DailyDescription = { readonly synthetic: SyntheticSpec } | { readonly fetch: DailyFetch }

/** An incremental fetch: what arrived since `ctx.position`. */
export type DailyFetch = (ctx: FetchContext) => Promise<FetchResult>

export interface FetchContext extends SourceContext {
  /** The position returned by the last successful fetch (stored in the store with its rows); null before the first. */
  readonly position: string | null
  /** The tick being run (the run's start time when run by hand). */
  readonly scheduledFor: Date
  /** The system being fetched for. */
  readonly system: SystemDescription
  /** The system's source read as the backfill reads it (any kind; a CSV URL's cache is bypassed) and cleaned. */
  readSource(): Promise<Row[]>
  /**
   * The largest value of `column` among the feature group's stored rows, as position text (a timestamp as ISO
   * 8601, a number as its decimal text, a string as itself); null when the group holds none.
   */
  latest(column: string): Promise<string | null>
}

export interface FetchResult {
  /** New feature rows (schema columns, typed values); empty when nothing arrived. */
  readonly rows: readonly Row[]
  /** Where the next fetch continues from; null keeps no position (the next fetch starts over). */
  readonly position: string | null
}

/**
 * How a system's synthetic days are drawn, as data (see `conditionalResampler` in synthetic.ts): a smoothed
 * bootstrap conditional on the label.
 */
export interface SyntheticSpec {
  /**
   * Standard deviation of the Gaussian noise added to each continuous feature, as a fraction of that
   * feature's standard deviation among the real rows of the drawn label (0 resamples real rows as they are).
   */
  readonly jitter: number
  /**
   * Hard limits per class, by class value (`String(value)`), then by continuous feature: `[min, max]` that
   * every synthetic row of that class keeps within (e.g. documented ranges), on top of the field's own range.
   */
  readonly bounds?: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>>
}

/** Draws a class as a standalone SVG string; pure, no I/O. */
export type SystemPicture = (cls: ClassDescription | null, features: Readonly<Row> | null) => string

/** The split training uses: the description's, else by time for a time series and random otherwise. */
export function trainingSplit(system: Pick<SystemDescription, 'training' | 'timeSeries'>): 'random' | 'time' {
  return system.training.split ?? (system.timeSeries ? 'time' : 'random')
}

/** Classification when the label lists classes, regression (a numeric label) when it does not. */
export type SystemTask = 'classification' | 'regression'

/** The one place a system's task is decided: `label.classes` present → classification, else regression. */
export function systemTask(system: Pick<SystemDescription, 'label'>): SystemTask {
  return system.label.classes === undefined ? 'regression' : 'classification'
}

/** The label's classes in the description's order; empty for a regression system. */
export function labelClasses(system: Pick<SystemDescription, 'label'>): readonly ClassDescription[] {
  return system.label.classes ?? []
}

export function className(system: SystemDescription, value: unknown): string {
  const c = labelClasses(system).find((k) => k.value === value)
  return c ? c.name : String(value)
}

export function classValue(system: SystemDescription, name: string): string | number | undefined {
  return labelClasses(system).find((k) => k.name === name)?.value
}
