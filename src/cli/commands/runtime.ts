import { Option, type Command } from 'commander'
import { RUN_STATUSES } from '../../runtime/run-status.js'
import { commandConfig, configArgs } from '../config.js'
import { positiveInt as int, oneOf } from '../options.js'
import { formatDuration, formatTable, print, printJson } from '../output.js'
import { onStopSignals, signalExitCode, type StopSignal } from '../signals.js'
import { plural } from '../../support/plural.js'


async function runtime() {
  const [rt, db] = await Promise.all([import('../../runtime/index.js'), import('../../db/index.js')])
  return { ...rt, openDatabase: db.openDatabase }
}

/** `sml run`, `sml runs`, `sml pipelines`, `sml worker`: pipelines as fresh processes and their history. */
export function registerRuntimeCommands(program: Command): void {
  program
    .command('run <pipeline>')
    .description('run one pipeline now in this process, recording the run (retries with backoff); exit 0 succeeded, 124 timed out, 1 failed, 130/143 stopped by SIGINT/SIGTERM (the run recorded abandoned)')
    .option('--json', 'print the recorded attempts as JSON on stdout')
    .addOption(new Option('--scheduled-for <ms>', 'the schedule tick being run, ms since the epoch (set by sml worker)').argParser(int('--scheduled-for')).hideHelp())
    .addOption(new Option('--trigger <trigger>', 'what started the run').choices(['manual', 'schedule', 'catch-up']).default('manual').hideHelp())
    .action(async (name: string, opts, cmd: Command) => {
      // A stop signal, or the worker that started this run going away, ends the run recorded `abandoned` (the
      // status a run that ended without finishing has) rather than leaving it `running` until the next start.
      const stop = new AbortController()
      let stoppedBy: StopSignal | null = null
      onStopSignals(
        (signal) => {
          stoppedBy = signal
          stop.abort(new Error(`interrupted by ${signal}`))
        },
        (signal) => {
          process.stderr.write(`sml run ${name}: ${signal} again: exiting now, without recording the run\n`)
          process.exit(signalExitCode(signal))
        },
      )
      if (process.channel) {
        // Started by `sml worker`: when the worker dies, stop too (its tick goes to another worker).
        process.channel.unref()
        process.once('disconnect', () => {
          process.stderr.write(`sml run ${name}: the worker that started this run is gone; stopping\n`)
          stop.abort(new Error('the worker that started this run is gone'))
          // Stops even when the store cannot take the record now; the next runner marks the run abandoned then.
          setTimeout(() => process.exit(1), 5000)
        })
      }
      const config = await commandConfig(cmd)
      const rt = await runtime()
      const pipeline = rt.findPipeline(config.pipelines, name)
      const db = await rt.openDatabase(config.store)
      let code = stoppedBy ? signalExitCode(stoppedBy) : 1
      try {
        // Stopped while loading: nothing ran, so nothing is recorded.
        if (stop.signal.aborted) return void process.stderr.write(`${pipeline.name}: ${(stop.signal.reason as Error).message} before it started\n`)
        const scheduledFor = opts.scheduledFor === undefined ? null : new Date(opts.scheduledFor as number)
        const outcome = await rt.runPipeline(pipeline, { db, trigger: opts.trigger, scheduledFor, stop: stop.signal })
        const last = outcome.runs[outcome.runs.length - 1]
        const ms = (last.endedAt?.getTime() ?? Date.now()) - outcome.runs[0].startedAt.getTime()
        const stopped = stop.signal.aborted && !outcome.ok
        const line = stopped
          ? `${(stop.signal.reason as Error).message}: run ${last.id} ${last.status} after ${formatDuration(ms)}`
          : `${outcome.status} after ${plural(outcome.runs.length, 'attempt')} in ${formatDuration(ms)} (run ${last.id})`
        process.stderr.write(`${pipeline.name}: ${line}\n`)
        if (opts.json) printJson(outcome.runs)
        code = stopped ? (stoppedBy ? signalExitCode(stoppedBy) : 1) : rt.exitCode(outcome)
      } finally {
        // A timed-out or interrupted run may still hold the database; do not wait on it for long.
        await Promise.race([db.close(), new Promise((r) => setTimeout(r, 2000).unref())])
      }
      process.exit(code)
    })

  const runs = program
    .command('runs')
    .description('recent pipeline runs (one row per attempt), newest first; `sml runs show ID` for one with its log')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--status <status>', `only runs with this status (${RUN_STATUSES.join(', ')})`, oneOf('--status', RUN_STATUSES))
    .option('--limit <n>', 'how many (default 20)', int('--limit'), 20)
    .option('--json', 'machine-readable output')
    .action(async (opts, cmd: Command) => {
      const config = await commandConfig(cmd)
      const rt = await runtime()
      const db = await rt.openDatabase({ ...config.store, create: false })
      try {
        const list = await new rt.RunStore(db).list({ pipeline: opts.pipeline, status: opts.status, limit: opts.limit })
        // A name neither in the config nor in the history is a mistake, refused as `sml run` refuses it (known names
        // listed); a pipeline since removed from the config still shows the runs it left.
        if (list.length === 0 && opts.pipeline !== undefined && !config.pipelines.some((p) => p.name === opts.pipeline)) {
          const [past] = await new rt.RunStore(db).list({ pipeline: opts.pipeline, limit: 1 })
          if (!past) rt.findPipeline(config.pipelines, opts.pipeline)
        }
        if (opts.json) return printJson(list)
        if (list.length === 0) return print('no runs yet: sml run PIPELINE')
        print(
          formatTable(
            ['id', 'pipeline', 'status', 'attempt', 'trigger', 'started', 'duration', 'rows', 'model', 'error'],
            list.map((r) => [r.id, r.pipeline, r.status, r.attempt, r.trigger, r.startedAt, duration(r), r.rowsWritten, r.model ? `${r.model.name} v${r.model.version}` : '', firstLine(r.error)]),
          ),
        )
      } finally {
        await db.close()
      }
    })

  runs
    .command('show')
    .argument('<id>', 'run id', int('the run id'))
    .description('one run: status, attempts, result and its log')
    .option('--json', 'machine-readable output')
    .action(async (id: number, opts, cmd: Command) => {
      // Commander gives an option both commands define to the parent (`runs --json`) when it follows `show ID`.
      const json = Boolean(opts.json || cmd.parent?.opts().json)
      const { store } = await commandConfig(cmd)
      const { RunStore, openDatabase } = await runtime()
      const db = await openDatabase({ ...store, create: false })
      try {
        const store = new RunStore(db)
        const run = await store.get(id)
        const [logs, attempts] = await Promise.all([store.logs(run.id), store.attempts(run.id)])
        if (json) return printJson({ ...run, attempts: attempts.map((a) => ({ id: a.id, attempt: a.attempt, status: a.status })), logs })
        print(`run ${run.id}: ${run.pipeline} ${run.status} (attempt ${run.attempt}, ${run.trigger}${run.scheduledFor ? ` for ${run.scheduledFor.toISOString()}` : ''})`)
        print(`started ${run.startedAt.toISOString()}${run.endedAt ? `, ended ${run.endedAt.toISOString()} (${duration(run)})` : ''} on ${run.hostname} pid ${run.pid}`)
        print(`rows written: ${run.rowsWritten}${run.model ? `   model: ${run.model.name} v${run.model.version}` : ''}`)
        if (run.error) print(`error: ${run.error}`)
        if (attempts.length > 1) print(`attempts: ${attempts.map((a) => `#${a.id} ${a.status}`).join(', ')}`)
        print('\nlog:')
        for (const l of logs) print(`${l.at.toISOString()} ${l.level.padEnd(5)} ${l.message}`)
      } finally {
        await db.close()
      }
    })

  program
    .command('pipelines')
    .description('known pipelines with their schedule and last run')
    .option('--json', 'machine-readable output')
    .action(async (opts, cmd: Command) => {
      const config = await commandConfig(cmd)
      const { RunStore, openDatabase } = await runtime()
      const pipelines = config.pipelines
      const db = await openDatabase({ ...config.store, create: false })
      try {
        const store = new RunStore(db)
        const rows = await Promise.all(
          pipelines.map(async (p) => {
            const [last] = await store.list({ pipeline: p.name, limit: 1 })
            // The time zone beside the cron: `0 6 * * *` means 06:00 in it (UTC unless the pipeline names one).
            return { name: p.name, description: p.description, schedule: p.schedule?.cron ?? null, timezone: p.schedule?.timezone ?? null, retries: p.retries, timeoutMs: p.timeoutMs, lastRun: last ?? null }
          }),
        )
        if (opts.json) return printJson(rows)
        if (rows.length === 0) return print(`no pipelines: add systems or pipelines to ${config.file ?? 'sml.config.ts'}`)
        print(
          formatTable(
            ['name', 'schedule', 'time zone', 'retries', 'timeout', 'last run', 'description'],
            rows.map((r) => [r.name, r.schedule ?? '(manual)', r.timezone ?? '', r.retries, formatDuration(r.timeoutMs), r.lastRun ? `#${r.lastRun.id} ${r.lastRun.status}` : '', r.description]),
          ),
        )
      } finally {
        await db.close()
      }
    })

  program
    .command('worker')
    .description('run the pipeline schedules until stopped; each tick runs once even with several workers on the store')
    .option('--catch-up', "run each pipeline's latest tick missed while no worker ran")
    .option('--in-process', 'run ticks inside the worker instead of as fresh `sml run` processes')
    .option('--pipeline <name...>', 'only these pipelines')
    .action(async (opts, cmd: Command) => {
      const config = await commandConfig(cmd)
      const rt = await runtime()
      let pipelines = config.pipelines
      if (opts.pipeline) pipelines = (opts.pipeline as string[]).map((n) => rt.findPipeline(config.pipelines, n))
      const db = await rt.openDatabase(config.store)
      // Each tick's `sml run` loads the same config file and data directory as this worker.
      const execute = opts.inProcess ? undefined : rt.childProcessExecutor([process.execPath, ...process.execArgv, process.argv[1], ...configArgs(config)])
      const worker = await rt.startWorker({ db, pipelines, execute, catchUp: Boolean(opts.catchUp), jobQueue: config.jobQueue })
      process.stderr.write(`worker ${process.pid} started with ${worker.scheduler.name}: ${plural(worker.jobs.length, 'scheduled pipeline')}; stop with Ctrl-C\n`)
      await new Promise<void>((resolve) => onStopSignals(() => resolve(), (signal) => process.stderr.write(`${signal} again: exiting now; not waiting for running ticks\n`)))
      process.stderr.write('worker stopping: waiting for running ticks (send the signal again after a second to exit at once)\n')
      await worker.stop()
      const { claimed, lost } = worker.scheduler.stats
      process.stderr.write(`worker stopped: ran ${plural(claimed, 'tick')}, ${lost} taken by other workers\n`)
      await db.close()
    })
}

function duration(r: { startedAt: Date; endedAt: Date | null }): string {
  if (!r.endedAt) return ''
  const ms = r.endedAt.getTime() - r.startedAt.getTime()
  return formatDuration(ms)
}

function firstLine(s: string | null): string {
  if (!s) return ''
  const l = s.split('\n')[0]
  return l.length > 60 ? `${l.slice(0, 57)}...` : l
}
