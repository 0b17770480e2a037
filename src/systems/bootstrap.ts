import type { SqlDialect } from '../db/index.js'
import { SmlError, ValidationError } from '../errors/index.js'
import { FeatureStore } from '../featurestore/index.js'
import { ModelRegistry } from '../registry/index.js'
import { nextFireTime, previousFireTimes, RunStore, runPipeline, type PipelineOutcome } from '../runtime/index.js'
import { systemFeatureGroup } from './feature-groups.js'
import { systemBatchPipeline } from './pipelines/batch-inference.js'
import { dailyPipeline } from './pipelines/daily.js'
import { featurePipeline } from './pipelines/feature.js'
import { trainingPipeline } from './pipelines/training.js'
import type { SystemSettings } from './settings.js'
import type { SystemDescription } from './system.js'

export interface BootstrapOptions {
  readonly echo?: (line: string) => void
  /** Where sources are read, the synthetic seed (the config's). */
  readonly settings?: SystemSettings
}

/** What bootstrapping did for one system. */
export interface BootstrapReport {
  readonly system: string
  readonly backfilled: boolean
  readonly trained: boolean
}

/** A pipeline the system needed did not succeed (kind `failed`); its run (and log) say why. */
export class PipelineFailedError extends SmlError {
  override readonly name: string = 'PipelineFailedError'
  constructor(message: string) {
    super('failed', message)
  }
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
  if (backfill) await mustSucceed(runPipeline(featurePipeline(system, options.settings), { db, echo: options.echo, trigger: 'bootstrap' }), `${system.name}-feature`)
  const hasModel = (await registry.list()).some((m) => m.name === system.model.name)
  if (!hasModel) await mustSucceed(runPipeline(trainingPipeline(system), { db, echo: options.echo, trigger: 'bootstrap' }), `${system.name}-training`)
  return { system: system.name, backfilled: backfill, trained: !hasModel }
}

export interface DemoOptions {
  readonly days: number
  /**
   * The last simulated day; default now. Each system's daily pipeline runs at the last `days` fire
   * times of its schedule (its cron in its time zone: iris 06:00 UTC) before the end of that UTC day,
   * and batch inference at its own schedule's next fire time after each (iris 06:15 UTC), exactly
   * the ticks a worker would have run.
   */
  readonly until?: Date
  readonly echo?: (line: string) => void
  /** Where sources are read, the synthetic seed (the config's). */
  readonly settings?: SystemSettings
}

/** What a demo did: runs made, and system-days skipped because an earlier demo (or a worker) already ran them. */
export interface DemoReport {
  readonly runs: number
  readonly skipped: number
}

/**
 * Simulates days of the daily synthetic + batch inference pipelines, each run recorded, so monitors have history.
 * Idempotent per simulated day: a tick whose last run succeeded (by an earlier demo or a worker: runs are keyed
 * by pipeline and scheduled time) is not run again, so repeating a demo adds no duplicate rows or predictions.
 * Each system-day skipped whole is echoed and counted in `skipped`.
 */
export async function runDemo(db: SqlDialect, systems: readonly SystemDescription[], options: DemoOptions): Promise<DemoReport> {
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 3650) throw new ValidationError(`days must be an integer from 1 to 3650, got ${options.days}`, 'days')
  // Days still to come would leave predictions dated in the future: the monitors' "latest" and every chart's
  // time axis would be theirs for good.
  if (options.until && options.until.toISOString().slice(0, 10) > new Date().toISOString().slice(0, 10))
    throw new ValidationError(`until ${options.until.toISOString().slice(0, 10)} is after today (UTC): a demo simulates days that have passed`, 'until')
  const echo = options.echo ?? (() => {})
  const until = options.until ?? new Date()
  let runs = 0
  let skipped = 0
  const history = new RunStore(db)
  const done = async (pipeline: string, tick: Date) => (await history.lastOfTick(pipeline, tick))?.status === 'succeeded'
  for (const system of systems) await bootstrapSystem(db, system, { echo, settings: options.settings })
  // An explicit last day is simulated whole; "ending today" stops at now, so no run is recorded for a tick
  // that has not come yet (the worker runs it when it comes).
  const end = options.until ? new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate() + 1)) : until
  const plans = await Promise.all(
    systems.map(async (system) => {
      const daily = dailyPipeline(system, options.settings)
      const batch = systemBatchPipeline(system)
      const ticks = await previousFireTimes(daily.schedule!, options.days, end)
      const days = await Promise.all(ticks.map(async (t) => ({ daily: t, batch: (await nextFireTime(batch.schedule!, t)) ?? t })))
      // a day whose batch inference is still to come today is left whole to the worker
      return { system, daily, batch, ticks: days.filter((t) => options.until !== undefined || t.batch <= end) }
    }),
  )
  for (let d = 0; d < options.days; d++) {
    for (const { system, daily, batch, ticks } of plans) {
      const tick = ticks[d]
      if (!tick) continue
      const [dailyDone, batchDone] = await Promise.all([done(daily.name, tick.daily), done(batch.name, tick.batch)])
      if (dailyDone && batchDone) {
        echo(`${system.name}: ${tick.daily.toISOString().slice(0, 10)} already simulated, skipped`)
        skipped++
        continue
      }
      // A day cut short (its batch inference failed or never ran) is completed, not repeated.
      if (!dailyDone) {
        await mustSucceed(runPipeline(daily, { db, scheduledFor: tick.daily, echo, trigger: 'demo' }), `${system.name}-daily`)
        runs++
      }
      if (!batchDone) {
        await mustSucceed(runPipeline(batch, { db, scheduledFor: tick.batch, echo, trigger: 'demo' }), `${system.name}-batch-inference`)
        runs++
      }
    }
  }
  return { runs, skipped }
}
