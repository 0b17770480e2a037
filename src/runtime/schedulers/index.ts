import type { Scheduler, SchedulerConfig } from './scheduler.js'

export type SchedulerFactory = (config: SchedulerConfig) => Promise<Scheduler>

/** Scheduler backends by name, each loaded only when chosen (pg-boss is never loaded on the embedded store). */
export const SCHEDULERS: Readonly<Record<string, SchedulerFactory>> = {
  croner: async (config) => new (await import('./croner-scheduler.js')).CronerScheduler(config),
  'pg-boss': async (config) => new (await import('./pg-boss-scheduler.js')).PgBossScheduler(config),
}

/** The backend a store gets by default: pg-boss where the store can host a job queue, else croner. */
export function defaultSchedulerName(config: SchedulerConfig): string {
  return config.db.capabilities.jobQueue ? 'pg-boss' : 'croner'
}

/**
 * The scheduler for a store, by name or by the store's capabilities. Both run each tick exactly once
 * among all workers through the `sml_ticks` ledger; pg-boss also hands a dead worker's tick to another.
 */
export async function createScheduler(config: SchedulerConfig, name = defaultSchedulerName(config)): Promise<Scheduler> {
  const factory = SCHEDULERS[name]
  if (!factory) throw new Error(`unknown scheduler ${JSON.stringify(name)} (known: ${Object.keys(SCHEDULERS).join(', ')})`)
  return factory(config)
}

export type { JobQueueTuning, Scheduler, SchedulerConfig, SchedulerStats, ScheduledJob, TickHandler, TickTrigger, MissedTicks } from './scheduler.js'
