// The app alone on an existing store (SML_HOME / DATABASE_URL), on an ephemeral loopback port; prints its URL.
// Started by run.ts as a separate process so the load generator does not share its event loop.
// BENCH_REQUEST_LOG=off serves with request logging off (sample rate 0), the bench's other column.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { tuneHeapForServing } from '../../src/cli/heap.js'
import { storeLocation } from '../../src/config/index.js'
import { openDatabase } from '../../src/db/index.js'
import { createApp, createServices, listen } from '../../src/web/index.js'

// Configured as `sml serve` is (src/cli/heap.ts).
tuneHeapForServing()
// A bench is an edge: the store comes from SML_HOME / DATABASE_URL, read once here.
const db = await openDatabase(storeLocation())
const services = createServices(db, process.env.BENCH_REQUEST_LOG === 'off' ? { requestLog: { sampleRate: 0 } } : {})
await services.requestLog.start()
const server = await listen(createApp(services), { port: 0 })
process.stdout.write(`${server.url}\n`)
// How long callbacks waited for the loop (a blocked loop delays every request waiting at that moment).
const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
// BENCH_MEMORY=1: the process's memory by kind every 5 s (MB), to tell a heap that grows from one that settles.
const memory = process.env.BENCH_MEMORY
  ? setInterval(() => {
      const m = process.memoryUsage()
      const mb = (n: number) => Math.round(n / 1048576)
      process.stderr.write(`memory MB: rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}\n`)
    }, 5_000).unref()
  : undefined
const stop = async () => {
  clearInterval(memory)
  loopDelay.disable()
  await server.close()
  await services.requestLog.close()
  const ms = (ns: number) => (ns / 1e6).toFixed(1)
  process.stderr.write(
    `request log ${process.env.BENCH_REQUEST_LOG === 'off' ? 'off' : 'on'}: ${JSON.stringify(services.requestLog.stats())}; event loop delay p50 ${ms(loopDelay.percentile(50))} / p99 ${ms(loopDelay.percentile(99))} / max ${ms(loopDelay.max)} ms\n`,
  )
  await db.close()
  process.exit(0)
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
