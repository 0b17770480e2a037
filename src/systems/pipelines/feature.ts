import { definePipeline, type Pipeline } from '../../runtime/index.js'
import { formatIssue, ValidationError } from '../../db/index.js'
import { validateRows, type Row } from '../../featurestore/index.js'
import { keyOf, keyText, systemFeatureGroup } from '../feature-groups.js'
import { loadSource, sourceLabel } from '../source.js'
import type { SystemSettings } from '../settings.js'
import type { SystemDescription } from '../system.js'
import { updateWindows } from '../time-series.js'
import { plural } from '../../support/plural.js'

/** Backfill: the public CSV, cleaned, into the feature group. Re-running writes only new or changed rows. */
export function featurePipeline(system: SystemDescription, settings: SystemSettings = {}): Pipeline {
  return definePipeline({
    name: `${system.name}-feature`,
    description: `Backfill ${system.featureGroup.name} v${system.featureGroup.version} from ${sourceLabel(system)}`,
    retries: 2,
    backoffMs: 2_000,
    timeoutMs: 5 * 60_000,
    async run(ctx) {
      const { table, origin } = await loadSource(system, settings.source, { signal: ctx.signal, log: ctx.log })
      ctx.log.info(`read ${plural(table.records.length, 'row')} from ${origin}`)
      const rows = system.clean(table)
      ctx.log.info(`${plural(rows.length, 'row')} after cleaning`)
      const fg = await systemFeatureGroup(ctx.featureStore, system)
      const ts = ctx.scheduledFor ?? new Date()
      const et = system.featureGroup.eventTime
      // A row's event time is the backfill's time, unless cleaning gave it one (a time series' day).
      const stamp = (r: Row): Row => (r[et] instanceof Date ? r : { ...r, [et]: ts })
      // The whole source is validated, not only the rows that changed: a broken or duplicated row is refused
      // even when its key already holds good data, and errors name rows by key, not by place in the change set.
      const stamped = rows.map(stamp)
      try {
        validateRows(stamped, fg.schema, fg.primaryKey, fg.eventTime, fg.metadata.expectations)
      } catch (e) {
        throw byKey(e, stamped, system, origin)
      }
      const current = new Map((await fg.read()).map((r) => [keyOf(system, r), r]))
      const changed = rows.map((r, i) => [r, stamped[i]] as const).filter(([r]) => !sameFeatures(r, current.get(keyOf(system, r))))
      const windows = async () => {
        if (system.timeSeries) ctx.reportRows(await updateWindows(ctx.featureStore, system, { source: ctx.pipeline, log: (l) => ctx.log.info(l) }))
      }
      if (changed.length === 0) {
        ctx.log.info(`${fg.name} v${fg.version} already holds ${rows.length === 1 ? 'this row' : `these ${rows.length} rows`}: nothing to write`)
        return windows()
      }
      const progress = ctx.progress(`insert ${fg.name}`, changed.length)
      const commit = await fg.insert(
        changed.map(([, s]) => s),
        { source: origin, onProgress: (done) => progress.update(done) },
      )
      progress.stop(`commit ${commit.id}: ${commit.rowsAdded} added, ${commit.rowsUpdated} updated`)
      for (const w of commit.warnings) ctx.log.warn(`expectation: ${w}`)
      ctx.reportRows(changed.length)
      await windows()
    },
  })
}

function sameFeatures(a: Row, b: Row | undefined): boolean {
  if (!b) return false
  // Timestamps (a `date` key or feature) are Date objects on both sides: equal when they are the same instant.
  return Object.keys(a).every((k) => {
    const x = a[k]
    const y = b[k]
    return x instanceof Date && y instanceof Date ? x.getTime() === y.getTime() : x === y
  })
}

/** Restates a validation error's row numbers (1-based positions in `rows`) as each row's key. */
function byKey(e: unknown, rows: readonly Row[], system: SystemDescription, origin: string): unknown {
  if (!(e instanceof ValidationError)) return e
  const issues = e.issues.map((i) => {
    if (i.row === undefined) return { text: formatIssue(i), issue: i }
    const { row, ...rest } = i
    return { text: `${keyText(system, rows[row - 1] ?? {})}, ${formatIssue(rest)}`, issue: rest }
  })
  const shown = issues.slice(0, 5).map((i) => i.text)
  const rest = e.found - shown.length
  const more = rest > 0 ? ` (and ${rest} more)` : ''
  return new ValidationError(`invalid ${origin}: ${shown.join('; ')}${more}`, issues.map((i) => i.issue), { found: e.found })
}
