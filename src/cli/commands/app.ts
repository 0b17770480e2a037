import { createServer } from 'node:net'
import type { Command } from 'commander'
import type { Config } from '../../config/index.js'
import type { RequestLogStats } from '../../web/request-log.js'
import { commandConfig, configArgs } from '../config.js'
import { tuneHeapForServing } from '../heap.js'
import { corsOriginsSetting, port, portSetting, positiveInt, predictRateLimitSetting, requestLogSettings, utcDay } from '../options.js'
import { formatDuration, print, printJson } from '../output.js'
import { onStopSignals } from '../signals.js'
import { usageError } from '../usage.js'
import { plural } from '../../support/plural.js'

/** Binds the web app; a port another process holds or a host that is not this machine's is a usage mistake (one line naming --port or --host, exit 2), after `cleanup`. */
async function listenOrExplain<T>(cmd: Command, opts: { port: number; host: string }, listen: () => Promise<T>, cleanup: () => Promise<void>): Promise<T> {
  try {
    return await listen()
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? ''
    const reasons: Record<string, string> = {
      EADDRINUSE: `port ${opts.port} on ${opts.host} is in use (choose another with --port, or stop what holds it)`,
      EACCES: `port ${opts.port} on ${opts.host} needs privileges this user lacks (choose one above 1023 with --port)`,
      ENOTFOUND: `--host ${JSON.stringify(opts.host)} is not a host name or address of this machine`,
      EAI_AGAIN: `--host ${JSON.stringify(opts.host)} could not be looked up`,
      EADDRNOTAVAIL: `--host ${opts.host} is not an address of this machine (127.0.0.1 for this machine only, 0.0.0.0 for every interface)`,
    }
    if (!(code in reasons)) throw e
    await cleanup()
    usageError(cmd, reasons[code])
  }
}


/** --port, else PORT, else 3000; a bad PORT is a usage mistake like a bad --port (one line naming PORT, exit 2). */
function resolvePort(cmd: Command, flag: number | undefined): number {
  try {
    return portSetting(flag)
  } catch (e) {
    return usageError(cmd, (e as Error).message)
  }
}

/** Binds the port and lets it go at once: lets `sml start` refuse a taken port before minutes of backfill and training. */
function probePort(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(port, host, () => probe.close(() => resolve()))
  })
}

/** Stops everything in order on SIGINT/SIGTERM/SIGHUP: no new requests or ticks, pending request logs written, store closed. */
function onShutdown(stop: () => Promise<RequestLogStats>): void {
  onStopSignals(
    (signal) => {
      const started = Date.now()
      process.stderr.write(`\n${signal}: stopping… (send it again after a second to exit at once)\n`)
      stop().then(
        (log) => {
          // The last line says the stop was clean and what became of the request log, so nobody has to guess.
          process.stderr.write(`stopped in ${formatDuration(Date.now() - started)}; request log: ${log.written} ${log.written === 1 ? 'row' : 'rows'} written, ${log.dropped} dropped, ${log.failed} failed\n`)
          process.exit(0)
        },
        (e) => {
          process.stderr.write(`error while stopping: ${(e as Error).message}\n`)
          process.exit(1)
        },
      )
    },
    (signal) => process.stderr.write(`${signal} again: exiting now; request-log rows not yet written are lost\n`),
  )
}

/**
 * A definition changed without a new version stops the command here, the store closed, before any pipeline,
 * request or monitor uses it (`checkStoredDefinitions`: one line naming each difference).
 */
async function refuseChangedDefinitions(db: import('../../db/index.js').SqlDialect, systems: Config['systems']): Promise<void> {
  const web = await import('../../web/index.js')
  await web.checkStoredDefinitions(db, systems).catch(async (e) => {
    await db.close()
    throw e
  })
}

/**
 * What the web app needs beyond the store to be operated safely: who may act (SML_ADMIN_TOKEN, or a token
 * generated and printed once when the server is reachable beyond loopback), Run now as `sml run`, and the
 * predict API's rate limit.
 */
async function operateOptions(db: import('../../db/index.js').SqlDialect, host: string, config: Config) {
  const web = await import('../../web/index.js')
  const loopback = web.isLoopbackHost(host)
  const envToken = process.env.SML_ADMIN_TOKEN || undefined
  const weak = envToken === undefined ? null : web.weakAdminTokenWarning(envToken)
  if (weak) process.stderr.write(`${weak}\n`)
  const { config: access, generated } = await web.resolveAdminToken(db, { envToken, loopback })
  if (generated) print(`admin token (shown once; only its hash is stored): ${generated}`)
  else if (access.adminTokenSha256 === null) print('no admin token: actions (Run now, Promote) work from this machine only')
  const rate = predictRateLimitSetting()
  const cors = corsOriginsSetting()
  return {
    access,
    ...(cors === undefined ? {} : { corsOrigins: cors }),
    // the child loads the same config and data directory, as the worker's children do
    launchRun: web.childProcessLauncher([process.execPath, ...process.execArgv, process.argv[1], ...configArgs(config)]),
    pipelines: config.pipelines,
    ...(rate === undefined ? {} : { predictRateLimit: rate }),
  }
}

/** `sml start`, `sml serve`, `sml demo`: the whole system, the web app alone, simulated days. */
export function registerAppCommands(program: Command): void {
  program
    .command('start')
    .description('bring every system of the config up on this store (backfill and train when empty), run their schedules and serve the web app')
    .option('--port <n>', 'HTTP port (default: the environment\'s PORT, else 3000)', port)
    .option('--host <host>', 'address to bind (default 127.0.0.1, this machine only)', '127.0.0.1')
    .option('--no-worker', 'do not run the schedules in this process (run `sml worker` elsewhere)')
    .option('--catch-up', 'run each pipeline’s latest missed tick at start')
    .action(async (opts, cmd: Command) => {
      opts.port = resolvePort(cmd, opts.port)
      tuneHeapForServing()
      const started = performance.now()
      const logSettings = requestLogSettings()
      if (opts.port !== 0) await listenOrExplain(cmd, opts, () => probePort(opts.port, opts.host), async () => {})
      const config = await commandConfig(cmd)
      const [{ describePostgres, openDatabase, smlHome }, systems, runtime, web] = await Promise.all([
        import('../../db/index.js'),
        import('../../systems/index.js'),
        import('../../runtime/index.js'),
        import('../../web/index.js'),
      ])
      const db = await openDatabase(config.store)
      const where = config.store.url ? describePostgres(config.store.url, config.store.schema) : `${smlHome(config.store.home)}/sml.db`
      print(`store: ${db.displayName} at ${where}${config.file ? `; config ${config.file}` : ''}`)
      await refuseChangedDefinitions(db, config.systems)
      for (const system of config.systems) {
        const r = await systems.bootstrapSystem(db, system, { settings: config.settings })
        print(`${system.name}: ${r.backfilled ? 'backfilled' : 'features present'}, ${r.trained ? 'trained' : 'model present'}`)
      }
      const worker = opts.worker ? await runtime.startWorker({ db, pipelines: config.pipelines, catchUp: opts.catchUp, jobQueue: config.jobQueue }) : null
      const scheduleOf = new Map(config.pipelines.map((p) => [p.name, p.schedule]))
      const services = web.createServices(db, {
        ...(await operateOptions(db, opts.host, config)),
        systems: config.systems,
        requestLog: logSettings,
        nextRun: (p) => {
          const schedule = scheduleOf.get(p)
          return worker && schedule ? worker.scheduler.nextRun(schedule) : null
        },
      })
      await services.requestLog.start()
      const server = await listenOrExplain(cmd, opts, () => web.listen(web.createApp(services), { port: opts.port, host: opts.host }), async () => {
        await worker?.stop()
        await services.requestLog.close()
        await db.close()
      })
      print(`serving ${server.url} (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)${worker ? '; schedules running' : ''}`)
      onShutdown(async () => {
        await server.close()
        await worker?.stop()
        await services.requestLog.close()
        await db.close()
        return services.requestLog.stats()
      })
    })

  program
    .command('serve')
    .description('serve the web app and JSON API on this store (no schedules)')
    .option('--port <n>', 'HTTP port (default: the environment\'s PORT, else 3000)', port)
    .option('--host <host>', 'address to bind (default 127.0.0.1, this machine only)', '127.0.0.1')
    .action(async (opts, cmd: Command) => {
      opts.port = resolvePort(cmd, opts.port)
      tuneHeapForServing()
      const logSettings = requestLogSettings()
      const config = await commandConfig(cmd)
      // A port in use is found before anything is opened or printed.
      if (opts.port !== 0) await listenOrExplain(cmd, opts, () => probePort(opts.port, opts.host), async () => {})
      const [{ openDatabase }, web] = await Promise.all([import('../../db/index.js'), import('../../web/index.js')])
      // Serves a store `sml start` (or a pipeline) made; it does not make one.
      const db = await openDatabase({ ...config.store, create: false })
      const services = web.createServices(db, { ...(await operateOptions(db, opts.host, config)), systems: config.systems, requestLog: logSettings })
      await refuseChangedDefinitions(db, config.systems)
      await services.requestLog.start()
      const server = await listenOrExplain(cmd, opts, () => web.listen(web.createApp(services), { port: opts.port, host: opts.host }), async () => {
        await services.requestLog.close()
        await db.close()
      })
      print(`serving ${server.url}`)
      onShutdown(async () => {
        await server.close()
        await services.requestLog.close()
        await db.close()
        return services.requestLog.stats()
      })
    })

  program
    .command('demo')
    .description('simulate N days of the daily and batch-inference pipelines for every system of the config, so the monitors have history')
    .option('--days <n>', 'how many days, ending today (days already simulated are skipped)', positiveInt('--days'), 30)
    .option('--until <day>', 'the last simulated day, YYYY-MM-DD (default today, UTC)', utcDay('--until'))
    .option('--json', 'machine-readable summary')
    .action(async (opts, cmd: Command) => {
      const config = await commandConfig(cmd)
      const [{ openDatabase }, systems, { createProgress }] = await Promise.all([
        import('../../db/index.js'),
        import('../../systems/index.js'),
        import('../../runtime/index.js'),
      ])
      const db = await openDatabase(config.store)
      try {
        const all = config.systems
        const progress = createProgress('demo', opts.days * all.length * 2)
        let done = 0
        const started = performance.now()
        const { runs, skipped } = await systems.runDemo(db, all, {
          days: opts.days,
          until: opts.until,
          settings: config.settings,
          echo: (line) => {
            if (/ succeeded, /.test(line) && !/-(feature|training) /.test(line)) progress.update(++done)
            else if (/ already simulated, skipped$/.test(line)) progress.update((done += 2))
          },
        })
        const seconds = (performance.now() - started) / 1000
        progress.stop(`${plural(runs, 'run')} over ${plural(opts.days, 'day')} in ${seconds.toFixed(1)} s${skipped ? `; ${plural(skipped, 'system-day')} already simulated, skipped` : ''}`)
        const summary = []
        for (const s of all) {
          const m = await systems.monitorData(new (await import('../../featurestore/index.js')).FeatureStore(db), new (await import('../../registry/index.js')).ModelRegistry(db), s)
          summary.push({ system: s.name, predictions: m.totals.predictions, task: m.task, accuracy: m.totals.accuracy, mae: m.totals.mae })
        }
        if (opts.json) return printJson({ days: opts.days, runs, skipped, systems: summary })
        for (const m of summary) {
          const [name, value] = m.task === 'regression' ? ['MAE', m.mae] : ['accuracy', m.accuracy]
          print(`${m.system}: ${m.predictions} predictions, ${name} ${value === null || value === undefined ? 'n/a' : value.toFixed(3)}`)
        }
      } finally {
        await db.close()
      }
    })
}
