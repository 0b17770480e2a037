import type { Command } from 'commander'
import { commandConfig } from '../config.js'
import { port, positiveInt, requestLogSettings } from '../options.js'
import { print } from '../output.js'


/** Stops everything in order on SIGINT/SIGTERM: no new requests or ticks, pending request logs written, store closed. */
function onShutdown(stop: () => Promise<void>): void {
  let stopping = false
  const handler = (signal: string) => {
    if (stopping) process.exit(1)
    stopping = true
    process.stderr.write(`\n${signal}: stopping…\n`)
    stop().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`error while stopping: ${(e as Error).message}\n`)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => handler('SIGINT'))
  process.once('SIGTERM', () => handler('SIGTERM'))
}

/** `sml start`, `sml serve`, `sml demo`: the whole system, the web app alone, simulated days. */
export function registerAppCommands(program: Command): void {
  program
    .command('start')
    .description('bring both systems up on this store (backfill and train when empty), run their schedules and serve the web app')
    .option('--port <n>', 'HTTP port', port, Number(process.env.PORT ?? 3000))
    .option('--host <host>', 'address to bind (default 127.0.0.1, this machine only)', '127.0.0.1')
    .option('--no-worker', 'do not run the schedules in this process (run `sml worker` elsewhere)')
    .option('--catch-up', 'run each pipeline’s latest missed tick at start')
    .action(async (opts, cmd: Command) => {
      const started = performance.now()
      const logSettings = requestLogSettings()
      const config = await commandConfig(cmd)
      const [{ openDatabase, smlHome }, systems, runtime, web] = await Promise.all([
        import('../../db/index.js'),
        import('../../systems/index.js'),
        import('../../runtime/index.js'),
        import('../../web/index.js'),
      ])
      const db = await openDatabase(config.store)
      print(`store: ${db.displayName}${db.displayName === 'sqlite' ? ` (${smlHome(config.store.home)}/sml.db)` : ''}${config.file ? `; config ${config.file}` : ''}`)
      for (const system of config.systems) {
        const r = await systems.bootstrapSystem(db, system, { settings: config.settings })
        print(`${system.name}: ${r.backfilled ? 'backfilled' : 'features present'}, ${r.trained ? 'trained' : 'model present'}`)
      }
      const worker = opts.worker ? await runtime.startWorker({ db, pipelines: config.pipelines, catchUp: opts.catchUp }) : null
      const scheduleOf = new Map(config.pipelines.map((p) => [p.name, p.schedule]))
      const services = web.createServices(db, {
        systems: config.systems,
        requestLog: logSettings,
        nextRun: (p) => {
          const schedule = scheduleOf.get(p)
          return worker && schedule ? worker.scheduler.nextRun(schedule) : null
        },
      })
      await services.requestLog.start()
      const server = await web.listen(web.createApp(services), { port: opts.port, host: opts.host })
      print(`serving ${server.url} (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)${worker ? '; schedules running' : ''}`)
      onShutdown(async () => {
        await server.close()
        await worker?.stop()
        await services.requestLog.close()
        await db.close()
      })
    })

  program
    .command('serve')
    .description('serve the web app and JSON API on this store (no schedules)')
    .option('--port <n>', 'HTTP port', port, Number(process.env.PORT ?? 3000))
    .option('--host <host>', 'address to bind (default 127.0.0.1, this machine only)', '127.0.0.1')
    .action(async (opts, cmd: Command) => {
      const logSettings = requestLogSettings()
      const config = await commandConfig(cmd)
      const [{ openDatabase }, web] = await Promise.all([import('../../db/index.js'), import('../../web/index.js')])
      const db = await openDatabase(config.store)
      const services = web.createServices(db, { systems: config.systems, requestLog: logSettings })
      await services.requestLog.start()
      const server = await web.listen(web.createApp(services), { port: opts.port, host: opts.host })
      print(`serving ${server.url}`)
      onShutdown(async () => {
        await server.close()
        await services.requestLog.close()
        await db.close()
      })
    })

  program
    .command('demo')
    .description('simulate N days of the daily synthetic and batch-inference pipelines for both systems, so the monitors have history')
    .option('--days <n>', 'how many days, ending today', positiveInt('--days'), 30)
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
        const { runs } = await systems.runDemo(db, all, {
          days: opts.days,
          settings: config.settings,
          echo: (line) => {
            if (/ succeeded, /.test(line) && !/-(feature|training) /.test(line)) progress.update(++done)
          },
        })
        progress.stop(`${runs} runs over ${opts.days} day(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
        for (const s of all) {
          const m = await systems.monitorData(new (await import('../../featurestore/index.js')).FeatureStore(db), new (await import('../../registry/index.js')).ModelRegistry(db), s)
          print(`${s.name}: ${m.totals.predictions} predictions, accuracy ${m.totals.accuracy === null ? 'n/a' : m.totals.accuracy.toFixed(3)}`)
        }
      } finally {
        await db.close()
      }
    })
}
