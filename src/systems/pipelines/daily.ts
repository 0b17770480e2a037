import { Random } from '../../ml/index.js'
import { definePipeline, type Pipeline } from '../../runtime/index.js'
import { systemFeatureGroup } from '../feature-groups.js'
import type { SystemDescription } from '../system.js'

/** Seed for a day's synthetic row: the tick time (so a tick re-run makes the same row), mixed with SML_SEED. */
export function syntheticSeed(at: Date): number {
  return (Number(process.env.SML_SEED ?? 0) * 1_000_003 + Math.floor(at.getTime() / 1000)) % 2 ** 31
}

/** One synthetic row a day with the next key, as a new commit: the "new data" batch inference predicts. */
export function dailyPipeline(system: SystemDescription): Pipeline {
  return definePipeline({
    name: `${system.name}-daily`,
    description: `Add one synthetic ${system.name} row (label known) to ${system.featureGroup.name}`,
    schedule: system.schedules.daily,
    retries: 2,
    backoffMs: 5_000,
    timeoutMs: 60_000,
    async run(ctx) {
      const at = ctx.scheduledFor ?? new Date()
      const fg = await systemFeatureGroup(ctx.featureStore, system)
      const key = system.featureGroup.primaryKey
      const keyStats = (await fg.statistics()).find((s) => s.column === key)
      const nextKey = (typeof keyStats?.max === 'number' ? keyStats.max : 0) + 1
      const row = { [key]: nextKey, [system.featureGroup.eventTime]: at, ...system.synthetic(new Random(syntheticSeed(at))) }
      const commit = await fg.insert([row], { source: ctx.pipeline })
      for (const w of commit.warnings) ctx.log.warn(`expectation: ${w}`)
      ctx.log.info(`added ${key}=${nextKey} (${system.label.column}=${String(row[system.label.column])}) as commit ${commit.id}`)
      ctx.reportRows(1)
    },
  })
}
