import { spawn } from 'node:child_process'
import type { SqlDialect } from '../db/index.js'
import { retryDelay, type Pipeline } from './pipeline.js'
import { RunStore } from './run-store.js'
import { runPipeline } from './runner.js'
import { formatSchedule } from './schedule.js'
import { createScheduler, type JobQueueTuning, type MissedTicks, type ScheduledJob, type Scheduler, type TickTrigger } from './schedulers/index.js'
import { plural } from '../support/plural.js'

/** Runs a claimed tick of a pipeline and resolves when its run has ended (recorded in `sml_runs` either way). */
export type TickExecutor = (pipeline: Pipeline, scheduledFor: Date, trigger: TickTrigger) => Promise<void>

export interface WorkerOptions {
  readonly db: SqlDialect
  /** Those with a schedule are run; the rest are ignored. */
  readonly pipelines: readonly Pipeline[]
  /** Default: `createScheduler({ db, jobQueue })`. */
  readonly scheduler?: Scheduler
  /** The job queue's timings for the default scheduler (the configuration's, from SML_BOSS_* at the edge). */
  readonly jobQueue?: JobQueueTuning
  /** Default: in this process with runPipeline; `childProcessExecutor` runs each tick as `sml run`. */
  readonly execute?: TickExecutor
  /** Run each pipeline's latest missed tick at start. */
  readonly catchUp?: boolean
  readonly log?: (line: string) => void
}

export interface Worker {
  readonly scheduler: Scheduler
  readonly jobs: readonly ScheduledJob[]
  /** Missed ticks found at start. */
  readonly missed: readonly MissedTicks[]
  /** Stops scheduling and waits for running ticks (and catch-ups) to end. */
  stop(): Promise<void>
}

/** Starts the schedules of the given pipelines on this store. */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { db } = options
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`))
  for (const r of await new RunStore(db).markAbandoned()) log(`run ${r.id} (${r.pipeline}) marked abandoned: ${r.error}`)
  const byName = new Map(options.pipelines.filter((p) => p.schedule !== null).map((p) => [p.name, p]))
  const jobs: ScheduledJob[] = [...byName.values()].map((p) => ({ pipeline: p.name, ...p.schedule!, maxDurationMs: maxDurationMs(p) }))
  const scheduler = options.scheduler ?? (await createScheduler({ db, jobQueue: options.jobQueue }))
  const execute: TickExecutor = options.execute ?? ((p, scheduledFor, trigger) => runPipeline(p, { db, trigger, scheduledFor, reapAbandoned: false }).then(() => {}))
  const onTick = async (job: ScheduledJob, scheduledFor: Date, trigger: TickTrigger) => {
    log(`${trigger === 'catch-up' ? 'catching up' : 'tick'} ${job.pipeline} @ ${scheduledFor.toISOString()}`)
    await execute(byName.get(job.pipeline)!, scheduledFor, trigger)
  }
  const missed = await scheduler.missedTicks(jobs)
  for (const m of missed) {
    log(
      `missed ${m.missed >= 10_000 ? '10000+ ticks' : plural(m.missed, 'tick')} of ${m.pipeline} (${formatSchedule(m)}) since ${m.lastTick.toISOString()}; latest ${m.latestMissed.toISOString()}` +
        (options.catchUp ? '' : ' — start with --catch-up to run it'),
    )
  }
  await scheduler.start(jobs, onTick)
  for (const j of jobs) log(`scheduled ${j.pipeline} (${formatSchedule(j)}), next ${scheduler.nextRun(j)?.toISOString() ?? 'never'}`)
  if (jobs.length === 0) log('no scheduled pipelines: nothing to do until stopped')
  const catchUps = options.catchUp ? missed.map((m) => scheduler.catchUp(m, onTick)) : []
  return {
    scheduler,
    jobs,
    missed,
    async stop() {
      await scheduler.stop()
      await Promise.all(catchUps)
    },
  }
}

/**
 * Runs each tick as a fresh `sml run` process (the serverless model: nothing carries over between
 * runs, and a crash or hang cannot take the worker down). `command` is how to start the CLI, e.g.
 * `[process.execPath, ...process.execArgv, process.argv[1]]`.
 */
export function childProcessExecutor(command: readonly string[], env: NodeJS.ProcessEnv = process.env): TickExecutor {
  return (pipeline, scheduledFor, trigger) =>
    new Promise<void>((resolve) => {
      const child = spawn(command[0], [...command.slice(1), 'run', pipeline.name, '--scheduled-for', String(scheduledFor.getTime()), '--trigger', trigger], {
        env,
        // The IPC channel closes when this worker dies, even by SIGKILL; `sml run` then stops, so a tick the
        // job queue hands to another worker is never run twice at once.
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      child.on('error', (e) => {
        process.stderr.write(`could not start sml run ${pipeline.name}: ${e.message}\n`)
        resolve()
      })
      child.on('exit', () => resolve())
    })
}

/** Every attempt's timeout plus the backoffs between them: how long one tick can legitimately take. */
export function maxDurationMs(p: Pipeline): number {
  let ms = p.timeoutMs * (p.retries + 1)
  for (let a = 1; a <= p.retries; a++) ms += retryDelay(p, a)
  return ms
}
