import { nextFireTime, type Pipeline, type RunRecord, type Schedule } from '../runtime/index.js'
import { systemPipelines, type SystemDescription } from '../systems/index.js'
import type { WebServices } from './services.js'

export interface PipelineStatus {
  readonly name: string
  readonly description: string
  /** The cron and the time zone it is read in; null = on demand. */
  readonly schedule: Schedule | null
  readonly last: RunRecord | null
  readonly lastSuccess: RunRecord | null
  /** Next scheduled tick: the in-process worker's, else the schedule's next fire time (workers may run elsewhere). */
  readonly next: Date | null
  /** A scheduled pipeline whose last success is more than two days old (or that never succeeded). */
  readonly stale: boolean
}

const STALE_MS = 2 * 86_400_000

/** Last run, last success and next tick of each pipeline of a system. */
export async function pipelineStatus(services: WebServices, system: SystemDescription, now = Date.now()): Promise<PipelineStatus[]> {
  return Promise.all(
    systemPipelines(system).map(async (p) => {
      const [last, success] = await Promise.all([services.runs.list({ pipeline: p.name, limit: 1 }), services.runs.list({ pipeline: p.name, status: 'succeeded', limit: 1 })])
      const lastSuccess = success[0] ?? null
      const at = lastSuccess ? (lastSuccess.endedAt ?? lastSuccess.startedAt).getTime() : null
      return {
        name: p.name,
        description: p.description,
        schedule: p.schedule,
        last: last[0] ?? null,
        lastSuccess,
        next: await nextTick(services, p),
        stale: p.schedule !== null && (at === null || now - at > STALE_MS),
      }
    }),
  )
}

/**
 * A pipeline's next scheduled tick: what the worker in this process plans, else its schedule's next fire time
 * (a web replica shows it too: the workers that run it may be on other machines); null when it has no schedule.
 */
export async function nextTick(services: Pick<WebServices, 'nextRun'>, pipeline: Pick<Pipeline, 'name' | 'schedule'>, now = new Date()): Promise<Date | null> {
  const planned = services.nextRun?.(pipeline.name)
  if (planned) return planned
  return pipeline.schedule ? nextFireTime(pipeline.schedule, now) : null
}
