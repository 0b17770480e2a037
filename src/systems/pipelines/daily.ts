import type { FeatureGroup, FeatureStore, Row } from '../../featurestore/index.js'
import { Random } from '../../ml/index.js'
import type { ModelRegistry } from '../../registry/index.js'
import { definePipeline, type Pipeline } from '../../runtime/index.js'
import { systemFeatureGroup } from '../feature-groups.js'
import { loadServingModel, predictRows } from '../serving.js'
import { conditionalResampler } from '../synthetic.js'
import type { SystemSettings } from '../settings.js'
import { className, type SystemDescription } from '../system.js'

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
  const key = system.featureGroup.primaryKey
  const rows = new Map<unknown, Row>()
  for (const c of await fg.commits()) {
    if (c.source === dailyName(system)) continue
    // Exactly the rows this commit wrote, as it wrote them; a later commit's version of a key replaces it.
    for (const r of await fg.read({ sinceCommit: c.id - 1, asOf: c.id })) rows.set(r[key], r)
  }
  return [...rows.values()].sort((a, b) => ((a[key] as number | string) < (b[key] as number | string) ? -1 : 1))
}

/** One synthetic row a day with the next key, as a new commit: the "new data" batch inference predicts. */
export function dailyPipeline(system: SystemDescription, settings: SystemSettings = {}): Pipeline {
  return definePipeline({
    name: dailyName(system),
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
      const draw = conditionalResampler(system, await realRows(fg, system))
      const row = { [key]: nextKey, [system.featureGroup.eventTime]: at, ...draw(new Random(syntheticSeed(at, settings.seed))) }
      const commit = await fg.insert([row], { source: ctx.pipeline })
      for (const w of commit.warnings) ctx.log.warn(`expectation: ${w}`)
      ctx.log.info(`added ${key}=${nextKey} (${system.label.column}=${String(row[system.label.column])}) as commit ${commit.id}`)
      ctx.reportRows(1)
    },
  })
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
 * @throws NotFoundError when the system has no model; ValidationError when it has no real rows.
 */
export async function syntheticAccuracy(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, rows = 2000, seed = 1): Promise<SyntheticAccuracy> {
  const serving = await loadServingModel(fs, registry, system)
  const draw = conditionalResampler(system, await realRows(await systemFeatureGroup(fs, system), system))
  const rng = new Random(seed)
  const synthetic = Array.from({ length: rows }, () => draw(rng))
  const predicted = predictRows(serving, synthetic)
  const correct = predicted.filter((p, i) => p.prediction === className(system, synthetic[i][system.label.column])).length
  return { system: system.name, modelVersion: serving.version.version, test: serving.version.metrics.accuracy, synthetic: correct / rows, rows }
}
