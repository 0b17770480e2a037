import type { SqlDialect } from '../db/index.js'
import { FeatureStore } from '../featurestore/index.js'
import { ModelRegistry } from '../registry/index.js'
import { runPipeline, type PipelineOutcome } from '../runtime/index.js'
import { systemFeatureGroup } from './feature-groups.js'
import { batchInferencePipeline } from './pipelines/batch-inference.js'
import { dailyPipeline } from './pipelines/daily.js'
import { featurePipeline } from './pipelines/feature.js'
import { trainingPipeline } from './pipelines/training.js'
import type { SystemDescription } from './system.js'

export interface BootstrapOptions {
  readonly echo?: (line: string) => void
}

/** What bootstrapping did for one system. */
export interface BootstrapReport {
  readonly system: string
  readonly backfilled: boolean
  readonly trained: boolean
}

/** A pipeline the system needed did not succeed; its run (and log) say why. */
export class PipelineFailedError extends Error {
  override readonly name = 'PipelineFailedError'
}

async function mustSucceed(outcome: Promise<PipelineOutcome>, name: string): Promise<void> {
  const o = await outcome
  if (!o.ok) throw new PipelineFailedError(`${name} ${o.status}: ${o.runs[o.runs.length - 1]?.error ?? 'no error recorded'} (sml runs --pipeline ${name})`)
}

/**
 * Brings a system to serving state on a fresh store: backfill when its feature group is empty, train
 * when it has no model. A store already there is left as it is, so a second start does nothing.
 */
export async function bootstrapSystem(db: SqlDialect, system: SystemDescription, options: BootstrapOptions = {}): Promise<BootstrapReport> {
  const fs = new FeatureStore(db)
  const registry = new ModelRegistry(db)
  const fg = await systemFeatureGroup(fs, system)
  const backfill = (await fg.count()) === 0
  if (backfill) await mustSucceed(runPipeline(featurePipeline(system), { db, echo: options.echo }), `${system.name}-feature`)
  const hasModel = (await registry.list()).some((m) => m.name === system.model.name)
  if (!hasModel) await mustSucceed(runPipeline(trainingPipeline(system), { db, echo: options.echo }), `${system.name}-training`)
  return { system: system.name, backfilled: backfill, trained: !hasModel }
}

export interface DemoOptions {
  readonly days: number
  /** The last simulated day; default now. Days run at 06:00 UTC on each of the `days` days up to it. */
  readonly until?: Date
  readonly echo?: (line: string) => void
}

/** Simulates days of the daily synthetic + batch inference pipelines, each run recorded, so monitors have history. */
export async function runDemo(db: SqlDialect, systems: readonly SystemDescription[], options: DemoOptions): Promise<{ runs: number }> {
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 3650) throw new RangeError(`days must be an integer from 1 to 3650, got ${options.days}`)
  const echo = options.echo ?? (() => {})
  const until = options.until ?? new Date()
  let runs = 0
  for (const system of systems) await bootstrapSystem(db, system, { echo })
  for (let d = options.days - 1; d >= 0; d--) {
    const day = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate() - d, 6, 0, 0))
    for (const system of systems) {
      await mustSucceed(runPipeline(dailyPipeline(system), { db, scheduledFor: day, echo }), `${system.name}-daily`)
      await mustSucceed(runPipeline(batchInferencePipeline(system), { db, scheduledFor: new Date(day.getTime() + 15 * 60_000), echo }), `${system.name}-batch-inference`)
      runs += 2
    }
  }
  return { runs }
}
