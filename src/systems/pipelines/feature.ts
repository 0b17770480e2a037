import { definePipeline, type Pipeline } from '../../runtime/index.js'
import type { Row } from '../../featurestore/index.js'
import { systemFeatureGroup } from '../feature-groups.js'
import { loadSource } from '../source.js'
import type { SystemDescription } from '../system.js'

/** Backfill: the public CSV, cleaned, into the feature group. Re-running writes only new or changed rows. */
export function featurePipeline(system: SystemDescription): Pipeline {
  return definePipeline({
    name: `${system.name}-feature`,
    description: `Backfill ${system.featureGroup.name} v${system.featureGroup.version} from ${system.source.file}`,
    retries: 2,
    backoffMs: 2_000,
    timeoutMs: 5 * 60_000,
    async run(ctx) {
      const { table, origin } = await loadSource(system)
      ctx.log.info(`read ${table.records.length} rows from ${origin}`)
      const rows = system.clean(table)
      ctx.log.info(`${rows.length} rows after cleaning`)
      const fg = await systemFeatureGroup(ctx.featureStore, system)
      const key = system.featureGroup.primaryKey
      const current = new Map((await fg.read()).map((r) => [r[key], r]))
      const ts = ctx.scheduledFor ?? new Date()
      const changed = rows.filter((r) => !sameFeatures(r, current.get(r[key])))
      if (changed.length === 0) {
        ctx.log.info(`${fg.name} v${fg.version} already holds these ${rows.length} rows: nothing to write`)
        return
      }
      const progress = ctx.progress(`insert ${fg.name}`, changed.length)
      const commit = await fg.insert(
        changed.map((r) => ({ ...r, [system.featureGroup.eventTime]: ts })),
        { source: origin, onProgress: (done) => progress.update(done) },
      )
      progress.stop(`commit ${commit.id}: ${commit.rowsAdded} added, ${commit.rowsUpdated} updated`)
      for (const w of commit.warnings) ctx.log.warn(`expectation: ${w}`)
      ctx.reportRows(changed.length)
    },
  })
}

function sameFeatures(a: Row, b: Row | undefined): boolean {
  if (!b) return false
  return Object.keys(a).every((k) => a[k] === b[k])
}
