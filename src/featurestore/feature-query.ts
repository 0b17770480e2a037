import { validationError, type ColumnType, type ValidationIssue } from '../db/index.js'
import type { FeatureGroup } from './feature-group.js'

/** How `FeatureQuery.join` matches a joined group's rows to the left (label) group's rows. */
export interface JoinOptions {
  /**
   * Columns present in both groups, with the same name and type, whose values must be equal (Hopsworks' `on`).
   * A left row whose key has a missing value matches nothing.
   */
  readonly on: readonly string[]
  /**
   * Put before each column the joined group contributes (`'w_'` → `w_temp`): required when a name would
   * clash with a column already in the query. Lower-case letters, digits and `_`, not starting with a digit.
   */
  readonly prefix?: string
}

/** One joined group of a query: its selection, the key columns and the prefix of its columns. */
export interface FeatureJoin {
  readonly query: FeatureQuery
  readonly on: readonly string[]
  readonly prefix: string
}

const PREFIX = /^[a-z_][a-z0-9_]*$/

/**
 * A selection of a feature group's columns, possibly joined point-in-time correct with other groups: what a
 * feature view is built from. Made by `FeatureGroup.select` / `selectExcept` / `selectAll`, extended by `join`.
 */
export class FeatureQuery {
  constructor(
    readonly featureGroup: FeatureGroup,
    /** The left group's selected columns. */
    readonly features: readonly string[],
    readonly joins: readonly FeatureJoin[] = [],
  ) {}

  /**
   * Joins another group's selection point-in-time correct (as Hopsworks' `join` and Feast's historical
   * retrieval do): the left group gives the rows, and for each left row the joined group contributes the
   * columns of its latest row with equal `on` values whose event time is at or before the left row's event
   * time (on an equal event time the later commit wins), or missing values where it has none (a left join).
   * The joined group's `on` and event-time columns are not contributed (the key equals the left row's; an
   * event time is never a model input). Chain calls to join several groups, each against the left group.
   *
   * Throws ValidationError naming the column for: a group without an event time, an `on` column missing
   * from either group or typed differently, a contributed column whose name is already in the query (give a
   * `prefix`), a bad prefix, a joined selection that itself joins, or one that contributes no column.
   */
  join(other: FeatureQuery, options: JoinOptions): FeatureQuery {
    const issues: ValidationIssue[] = []
    const left = this.featureGroup
    const right = other?.featureGroup
    if (!(other instanceof FeatureQuery)) throw validationError([{ reason: 'join takes a selection of a feature group (fg.select([...]))' }], 'join')
    if (other.joins.length) issues.push({ reason: `the joined selection of ${right.name} itself joins; chain the joins on the left query instead (a.join(b, …).join(c, …))` })
    const on = options?.on
    const prefix = options?.prefix ?? ''
    if (!Array.isArray(on) || on.length === 0 || on.some((c) => typeof c !== 'string')) issues.push({ path: 'on', reason: 'needs at least one key column name' })
    if (typeof prefix !== 'string' || (prefix !== '' && !PREFIX.test(prefix))) issues.push({ path: 'prefix', reason: `must be lower-case letters, digits and _, not starting with a digit; got ${JSON.stringify(prefix)}` })
    for (const g of [left, right]) if (!g.eventTime) issues.push({ reason: `feature group ${g.name} v${g.version} has no event time column, so it cannot be joined point-in-time` })
    if (issues.length) throw validationError(issues, 'join')
    for (const c of on) {
      const lt = typeOf(left, c)
      const rt = typeOf(right, c)
      if (lt === undefined) issues.push({ column: c, reason: `join key is not a column of feature group ${left.name} v${left.version}` })
      if (rt === undefined) issues.push({ column: c, reason: `join key is not a column of feature group ${right.name} v${right.version}` })
      if (lt !== undefined && rt !== undefined && lt !== rt) issues.push({ column: c, reason: `join key is ${lt} in ${left.name} but ${rt} in ${right.name}` })
    }
    const contributed = other.features.filter((c) => !on.includes(c) && c !== right.eventTime)
    if (contributed.length === 0) issues.push({ reason: `the selection of ${right.name} contributes no column besides the join key and event time` })
    const taken = this.readColumnOwners()
    for (const j of [...this.joins, { query: other, on, prefix }]) for (const c of j.on) if (!taken.has(c)) taken.set(c, left.name)
    for (const c of contributed) {
      const name = prefix + c
      const owner = taken.get(name)
      if (owner !== undefined)
        issues.push({ column: name, reason: `${right.name} would add a column that ${owner} already has in this query; give the join a prefix, e.g. { on: ${JSON.stringify(on)}, prefix: '${right.name}_' }` })
      taken.set(name, right.name)
    }
    if (issues.length) throw validationError(issues, 'join')
    return new FeatureQuery(this.featureGroup, this.features, [...this.joins, { query: other, on: [...on], prefix }])
  }

  /** Every column of a view made from this query: the left group's selection, then each join's contributed columns (prefixed). */
  get columns(): string[] {
    return [...this.features, ...this.joins.flatMap((j) => joinedColumns(j.query.featureGroup, j.query.features, j.on, j.prefix).map((c) => c.name))]
  }

  /**
   * Names a read of this query puts in one batch, with the group each comes from: the left group's selection,
   * key and event time, then the joins' contributed columns. Two sources may not share a name.
   */
  private readColumnOwners(): Map<string, string> {
    const g = this.featureGroup
    const owners = new Map<string, string>()
    for (const c of [...this.features, ...g.primaryKey, ...(g.eventTime ? [g.eventTime] : [])]) owners.set(c, g.name)
    for (const j of this.joins) for (const c of joinedColumns(j.query.featureGroup, j.query.features, j.on, j.prefix)) owners.set(c.name, j.query.featureGroup.name)
    return owners
  }
}

/** The columns a joined selection contributes to a view: its selected columns but the key and event time, named with the prefix. */
export function joinedColumns(group: FeatureGroup, features: readonly string[], on: readonly string[], prefix: string): { name: string; source: string; type: ColumnType }[] {
  return features.filter((c) => !on.includes(c) && c !== group.eventTime).map((c) => ({ name: prefix + c, source: c, type: group.feature(c).type }))
}

function typeOf(g: FeatureGroup, c: string): ColumnType | undefined {
  return g.schema.find((f) => f.name === c)?.type
}
