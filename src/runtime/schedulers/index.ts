import type { Scheduler, SchedulerConfig } from './scheduler.js'

export type SchedulerFactory = (config: SchedulerConfig) => Promise<Scheduler>

/** Scheduler backends by name, each loaded only when chosen. A pg-boss one joins this map later. */
export const SCHEDULERS: Readonly<Record<string, SchedulerFactory>> = {
  croner: async (config) => new (await import('./croner-scheduler.js')).CronerScheduler(config),
}

/**
 * The scheduler for a store. Today always croner (exactly-once through `sml_ticks`); when the
 * pg-boss backend exists, stores with `capabilities.jobQueue` will get it by default.
 */
export async function createScheduler(config: SchedulerConfig, name = 'croner'): Promise<Scheduler> {
  const factory = SCHEDULERS[name]
  if (!factory) throw new Error(`unknown scheduler ${JSON.stringify(name)} (known: ${Object.keys(SCHEDULERS).join(', ')})`)
  return factory(config)
}

export type { Scheduler, SchedulerConfig, SchedulerStats, ScheduledJob, TickHandler, TickTrigger, MissedTicks } from './scheduler.js'
