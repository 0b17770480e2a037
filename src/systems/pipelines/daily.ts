import type { FeatureGroup, FeatureStore, Row } from '../../featurestore/index.js'
import { Random } from '../../ml/index.js'
import type { ModelRegistry } from '../../registry/index.js'
import { definePipeline, type Pipeline } from '../../runtime/index.js'
import { ValidationError } from '../../db/index.js'
import { generatedKeyColumns, keyOf, keyText, systemFeatureGroup } from '../feature-groups.js'
import { loadServingModel, predictRows } from '../serving.js'
import { conditionalResampler } from '../synthetic.js'
import type { SystemSettings } from '../settings.js'
import { className, systemTask, type SystemDescription } from '../system.js'

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
  const stats = await fg.statistics()
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
      const key = await nextKey(fg, system, at)
      const draw = conditionalResampler(system, await realRows(fg, system))
      const row = { ...draw(new Random(syntheticSeed(at, settings.seed))), ...key, [system.featureGroup.eventTime]: at }
      const commit = await fg.insert([row], { source: ctx.pipeline })
      for (const w of commit.warnings) ctx.log.warn(`expectation: ${w}`)
      ctx.log.info(`added ${keyText(system, row)} (${system.label.column}=${String(row[system.label.column])}) as commit ${commit.id}`)
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
