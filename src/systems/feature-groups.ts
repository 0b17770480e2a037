import { SchemaChangedError, ViewChangedError, type FeatureGroup, type FeatureGroupOptions, type FeatureStore, type FeatureView, type Row } from '../featurestore/index.js'
import { labelClasses, systemTask, type SystemDescription } from './system.js'
import { seriesColumns, windowsFeatureGroup, windowsGroupOptions } from './time-series.js'

/** One row's primary key as one comparable string (JSON of its key values in key order): a Map key for composite keys. */
export function keyOf(system: Pick<SystemDescription, 'featureGroup'>, row: Readonly<Row>): string {
  return JSON.stringify(system.featureGroup.primaryKey.map((k) => row[k] ?? null))
}

/** One row's key columns only, e.g. `{ station: 'hornsgatan', date: … }`. */
export function keyValues(system: Pick<SystemDescription, 'featureGroup'>, row: Readonly<Row>): Row {
  return Object.fromEntries(system.featureGroup.primaryKey.map((k) => [k, row[k] ?? null]))
}

/** A key as people read it: `id 151`, or `sex 2, row 17` for a composite key. */
export function keyText(system: Pick<SystemDescription, 'featureGroup'>, row: Readonly<Row>): string {
  return system.featureGroup.primaryKey.map((k) => `${k} ${row[k] instanceof Date ? instantText(row[k] as Date) : String(row[k])}`).join(', ')
}

/** An instant for people, in UTC: a day at midnight as `2025-06-04`, else `2025-06-04T06:15:00Z` (no milliseconds unless it has some). */
function instantText(d: Date): string {
  const iso = d.toISOString()
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10)
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso
}

/** The system's feature group, created from its description on first use. */
export function systemFeatureGroup(fs: FeatureStore, system: SystemDescription): Promise<FeatureGroup> {
  return fs.getOrCreateFeatureGroup(systemGroupOptions(system))
}

function systemGroupOptions(system: SystemDescription): FeatureGroupOptions {
  const g = system.featureGroup
  return {
    name: g.name,
    version: g.version,
    description: g.description,
    primaryKey: [...g.primaryKey],
    eventTime: g.eventTime,
    schema: g.schema,
    expectations: g.expectations,
  }
}

/** A group a system stores in, and the group (a version its user writes) its definition derives from, if any. */
export interface SystemGroupDefinition {
  readonly options: FeatureGroupOptions
  readonly derivedFrom?: { readonly name: string; readonly version: number }
}

/**
 * The definitions of every group a system stores in: its own, its windows (time series) and its predictions (the
 * request log's `<system>_requests` is defined in web/). For checking a store against the description at start
 * (`FeatureStore.checkFeatureGroup`, then `pointAtSource`) before a request or a run finds a difference.
 */
export function systemGroupDefinitions(system: SystemDescription): SystemGroupDefinition[] {
  return [
    { options: systemGroupOptions(system) },
    ...(system.timeSeries ? [{ options: windowsGroupOptions(system) }] : []),
    { options: predictionsGroupOptions(system), derivedFrom: system.featureGroup },
  ]
}

/**
 * A derived group's refusal (`SchemaChangedError`) pointed at the version the user writes: the group it derives
 * from, whose version its own follows. Other errors are returned as they are.
 */
export function pointAtSource(e: unknown, source: { readonly name: string; readonly version: number }): unknown {
  if (!(e instanceof SchemaChangedError)) return e
  const remedy = `It follows the definition of feature group ${source.name} v${source.version}: give that one a new version (version: ${source.version + 1}) — a version's schema never changes`
  return new SchemaChangedError(e.group, e.version, e.differences, e.nextVersion, e.issues, remedy)
}

/** Gets or creates a group derived from `source`, a refusal pointed there (`pointAtSource`). */
export async function derivedFeatureGroup(fs: FeatureStore, options: FeatureGroupOptions, source: { readonly name: string; readonly version: number }): Promise<FeatureGroup> {
  try {
    return await fs.getOrCreateFeatureGroup(options)
  } catch (e) {
    throw pointAtSource(e, source)
  }
}

/**
 * `<system>_predictions`: one row per predicted feature row, keyed like the features (every key column).
 * Classification stores class names and the predicted class's probability; regression stores `predicted` and
 * `actual` as floats in the label's unit, and no probability.
 */
export function predictionsFeatureGroup(fs: FeatureStore, system: SystemDescription): Promise<FeatureGroup> {
  return derivedFeatureGroup(fs, predictionsGroupOptions(system), system.featureGroup)
}

function predictionsGroupOptions(system: SystemDescription): FeatureGroupOptions {
  if (system.timeSeries) return forecastsGroupOptions(system)
  const keys = system.featureGroup.primaryKey.map((k) => system.featureGroup.schema.find((f) => f.name === k)!)
  const regression = systemTask(system) === 'regression'
  return {
    name: `${system.name}_predictions`,
    // Its key columns (and classes) come from the system's group: a new version of that one starts a new one.
    version: system.featureGroup.version,
    description: `Batch predictions of ${system.model.name} with the actual outcome, for monitoring`,
    primaryKey: keys.map((k) => k.name),
    eventTime: 'ts',
    schema: [
      ...keys,
      { name: 'ts', type: 'timestamp' },
      ...(regression
        ? [
            { name: 'predicted', type: 'float' as const, nullable: false },
            { name: 'actual', type: 'float' as const },
          ]
        : [
            { name: 'predicted', type: 'string' as const, nullable: false },
            { name: 'actual', type: 'string' as const },
            { name: 'probability', type: 'float' as const, nullable: false },
          ]),
      { name: 'model_version', type: 'int', nullable: false },
      { name: 'feature_commit', type: 'int', nullable: false },
    ],
    expectations: regression
      ? []
      : [
          { column: 'predicted', allowed: labelClasses(system).map((c) => c.name), strict: true },
          { column: 'probability', min: 0, max: 1, strict: true },
        ],
  }
}

/**
 * A time series' `<system>_predictions`: every forecast, keyed by series, forecast day and horizon (days after the
 * issue day), with the issue day, the value, whether it was a forecast made before the day or a one-day-ahead
 * hindcast made after it (from the same window features), and the model version. The measured value is not copied:
 * it is read from the system's group when the day has been measured.
 */
function forecastsGroupOptions(system: SystemDescription): FeatureGroupOptions {
  const g = system.featureGroup
  const keys = g.primaryKey.map((k) => g.schema.find((f) => f.name === k)!)
  return {
    name: `${system.name}_predictions`,
    // Its key columns (and classes) come from the system's group: a new version of that one starts a new one.
    version: system.featureGroup.version,
    description: `Forecasts of ${system.label.column} by ${system.model.name}: each day ahead with its issue day and horizon, and one-day-ahead hindcasts`,
    primaryKey: [...g.primaryKey, 'horizon'],
    eventTime: 'ts',
    schema: [
      ...keys,
      { name: 'horizon', type: 'int', description: 'days after the issue day (1 = the next day)' },
      { name: 'ts', type: 'timestamp', description: 'when the forecast was made' },
      { name: 'issued', type: 'timestamp', nullable: false, description: 'the last day whose readings the forecast saw' },
      { name: 'predicted', type: 'float', nullable: false },
      { name: 'kind', type: 'string', nullable: false },
      { name: 'model_version', type: 'int', nullable: false },
    ],
    expectations: [
      { column: 'kind', allowed: ['forecast', 'hindcast'], strict: true },
      { column: 'horizon', min: 1, max: 60, strict: true },
    ],
  }
}

/**
 * The key columns the model does not read: every key column that is not a field (a key column that is a field,
 * like `sex` in `['sex', 'row']`, stays a model input).
 */
export function identifierColumns(system: Pick<SystemDescription, 'featureGroup' | 'fields'>): string[] {
  return system.featureGroup.primaryKey.filter((k) => !system.fields.some((f) => f.name === k))
}

/**
 * The key columns a synthetic day makes rather than copies from the real row it resamples: key columns that
 * are not fields, of type int (the next number) or timestamp (the tick time). Other key columns (a field such
 * as `sex`, or a text identifier such as `station`) come with the real row.
 */
export function generatedKeyColumns(system: Pick<SystemDescription, 'featureGroup' | 'fields'>): string[] {
  return identifierColumns(system).filter((k) => {
    const type = system.featureGroup.schema.find((f) => f.name === k)?.type
    return type === 'int' || type === 'timestamp'
  })
}

/**
 * The model's view: every feature but the identifying key columns, with the system's label and transformations.
 * Its version is derived, not written by the user: the newest stored version defined alike, else the next one (a
 * new group version, label or transformation makes a new view version, since a view version never changes; models
 * keep the one they were trained on in their lineage).
 */
export async function systemFeatureView(fs: FeatureStore, system: SystemDescription): Promise<FeatureView> {
  const fg = await systemFeatureGroup(fs, system)
  const options = system.timeSeries
    ? {
        name: system.name,
        description: `${system.title}: each day's ${system.label.column} with its window features, joined point-in-time`,
        // Each day's label with the window row of that day, point-in-time: the latest window row of its series at or
        // before the day, which holds only what was known the day before (see TimeSeriesDescription).
        query: fg.select([system.featureGroup.eventTime, system.label.column]).join((await windowsFeatureGroup(fs, system)).select(system.timeSeries.windows.features.map((f) => f.name)), { on: seriesColumns(system) }),
        labels: [system.label.column],
        transformations: system.transformations,
      }
    : {
        name: system.name,
        description: `${system.title}: features and label for ${system.model.name}`,
        query: fg.selectExcept(identifierColumns(system)),
        labels: [system.label.column],
        transformations: system.transformations,
      }
  // Newest first: a description changed back (a group version reverted) finds its earlier view again.
  const versions = (await fs.listFeatureViews()).filter((v) => v.name === system.name).map((v) => v.version).sort((a, b) => b - a)
  for (const version of versions) {
    try {
      return await fs.getOrCreateFeatureView({ ...options, version })
    } catch (e) {
      if (!(e instanceof ViewChangedError)) throw e
    }
  }
  return fs.getOrCreateFeatureView({ ...options, version: (versions[0] ?? 0) + 1 })
}
