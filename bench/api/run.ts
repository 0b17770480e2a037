// Online predict throughput and latency on loopback, beside the model's own predict cost.
//   npm run build && npx tsx bench/api/run.ts [--duration 10] [--slice 5] [--connections 32] [--cpu-prof] [--server dist|src]
// The app runs as its own process on a fresh SQLite store with both systems trained: `sml serve` from the
// build (dist/bin/main.js, what users run; default), or bench/api/server.ts on the sources through tsx
// (--server src: it also prints the event loop's delay, but tsx's esbuild wraps every function created per
// request in a __name call, ~10 % of a request's CPU that the build does not have);
// autocannon drives POST /api/<system>/predict with one row per request, then 1,000-row batches are timed.
// The same app with request logging off runs beside it, measured in alternating --slice second slices for
// --duration seconds each; a bare node:http server answering a fixed JSON runs in the same run with the same
// connections. Logging's cost is the on / off ratio; every answered request must be logged (counted via /health).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon, { type RawResult } from 'autocannon'
import { openDatabase } from '../../src/db/index.js'
import { FeatureStore } from '../../src/featurestore/index.js'
import { ModelRegistry } from '../../src/registry/index.js'
import { iris, loadServingModel, predictRows, runDemo, titanic, type SystemDescription } from '../../src/systems/index.js'
import { fastPredictInput } from '../../src/web/fast-input.js'
import { parsePredictInput } from '../../src/web/index.js'

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    slice: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    'cpu-prof': { type: 'boolean', default: false },
    server: { type: 'string', default: 'dist' },
  },
})
const DURATION = Number(opts.duration)
const CONNECTIONS = Number(opts.connections)
const SLICE = Number(opts.slice)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DIST_MAIN = join(ROOT, 'dist/bin/main.js')
if (opts.server !== 'src' && opts.server !== 'dist') throw new Error(`--server is dist or src, not ${opts.server}`)
if (opts.server === 'dist' && !existsSync(DIST_MAIN)) throw new Error('dist/bin/main.js is missing: npm run build first (or --server src)')
// A bench is an edge: it reads SML_DATA_DIR once and passes it down.
const dataDir = process.env.SML_DATA_DIR ?? join(ROOT, '../shared/data')

const BODIES: Record<string, Record<string, number | string>> = {
  iris: { sepal_length: 6.1, sepal_width: 2.8, petal_length: 4.7, petal_width: 1.2 },
  titanic: { pclass: 2, sex: 'female', age: 28, sibsp: 1, parch: 0, embarked: 'S' },
}

const home = mkdtempSync(join(tmpdir(), 'sml-bench-api-'))
const env = { ...process.env, SML_HOME: home, DATABASE_URL: '', SML_DATA_DIR: dataDir }
process.env.SML_HOME = home
process.env.DATABASE_URL = ''

/** Throughput and latency of a mode over all its slices: requests answered / seconds, percentiles of every request. */
interface Measured {
  rps: number
  answered: number
  p50: number
  p99: number
  errors: number
  logged: number
  dropped: number
  /** CPU time of the server process, all threads, per answered request (µs). */
  cpuPerRequest: number
}
function merge(url: string, slices: RawResult[], cpu: number): Measured {
  const m = autocannon.aggregateResult(slices, { url, connections: CONNECTIONS })
  const answered = slices.reduce((a, r) => a + r.totalCompletedRequests, 0)
  const seconds = slices.reduce((a, r) => a + r.duration, 0)
  return { rps: answered / seconds, answered, p50: m.latency.p50, p99: m.latency.p99, errors: m.errors + m.non2xx, logged: 0, dropped: 0, cpuPerRequest: (cpu * 1000) / answered }
}

/** CPU time a process has used so far, all its threads, user + system (ms; Linux /proc, 10 ms ticks). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) * 10
}

const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** The model's own cost for one row, and the request validation's, measured in this process. */
async function inProcessCosts(system: SystemDescription) {
  const db = await openDatabase({ home })
  try {
    const serving = await loadServingModel(new FeatureStore(db), new ModelRegistry(db), system)
    const parsed = parsePredictInput(system, BODIES[system.name])
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
    const time = (n: number, f: () => void) => {
      for (let i = 0; i < Math.min(1000, n); i++) f()
      const t0 = performance.now()
      for (let i = 0; i < n; i++) f()
      return (performance.now() - t0) / n
    }
    return {
      predict: time(system === titanic ? 5_000 : 50_000, () => predictRows(serving, parsed.rows)),
      validate: time(50_000, () => fastPredictInput(system, BODIES[system.name])),
      zod: time(50_000, () => parsePredictInput(system, BODIES[system.name])),
    }
  } finally {
    await db.close()
  }
}

async function main() {
  const db = await openDatabase({ home })
  await runDemo(db, [iris, titanic], { days: 1, settings: { source: { dataDir } } })
  await db.close()

  const start = async (logging: boolean) => {
    const prof = opts['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/out')}`] : []
    const args = opts.server === 'src' ? ['--import', 'tsx', join(ROOT, 'bench/api/server.ts')] : [DIST_MAIN, 'serve', '--port', '0']
    const child = spawn(process.execPath, [...prof, ...args], {
      // logging off: `sml serve` with a sample rate of 0 (nothing logged, no writer thread)
      env: { ...env, BENCH_REQUEST_LOG: logging ? 'on' : 'off', ...(logging ? {} : { SML_REQUEST_LOG_SAMPLE: '0' }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d
        // server.ts prints its URL alone; `sml serve` says "serving <url>"
        const m = /(?:^|serving )(http:\/\/\S+)/m.exec(out)
        if (m) resolve(m[1])
      })
      child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)))
    })
    return { child, url }
  }
  const stop = async (child: ReturnType<typeof spawn>) => {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }
  const load = async (url: string, body: string) => {
    // Warm up: model load, JIT.
    await autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: 8, duration: 2 })
    return autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: CONNECTIONS, duration: DURATION })
  }

  // Logging off and on are two server processes on the same store, both up for the whole run, measured in
  // alternating slices (off, on, on, off, …) so that a change in the machine's load touches both alike.
  // After each logging-on slice the bench waits until its writer has committed every row (/health) before the
  // next slice starts, so the log's work is not carried into an off slice.
  const off = await start(false)
  const on = await start(true)
  const health = async (url: string) => ((await (await fetch(`${url}/health`)).json()) as { requestLog: { queued: number; written: number; dropped: number; failed: number } }).requestLog
  const drained = async (url: string) => {
    for (let h = await health(url); h.queued > 0; h = await health(url)) await new Promise((r) => setTimeout(r, 20))
  }
  const offResults: Record<string, Measured> = {}
  const onResults: Record<string, Measured> = {}
  for (const system of [iris, titanic]) {
    const body = JSON.stringify(BODIES[system.name])
    const offUrl = `${off.url}/api/${system.name}/predict`
    const onUrl = `${on.url}/api/${system.name}/predict`
    for (const u of [offUrl, onUrl]) await autocannon({ url: u, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: 8, duration: 2 })
    await drained(on.url)
    const before = await health(on.url)
    const slices: Record<'off' | 'on', RawResult[]> = { off: [], on: [] }
    const cpu = { off: 0, on: 0 }
    for (let done = 0, k = 0; done < DURATION; done += SLICE, k++) {
      const duration = Math.min(SLICE, DURATION - done)
      for (const mode of k % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const pid = (mode === 'off' ? off : on).child.pid!
        const t0 = cpuMs(pid)
        slices[mode].push(await autocannon({ url: mode === 'off' ? offUrl : onUrl, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: CONNECTIONS, duration, skipAggregateResult: true }))
        if (mode === 'on') await drained(on.url)
        cpu[mode] += cpuMs(pid) - t0
      }
    }
    const after = await health(on.url)
    offResults[system.name] = merge(offUrl, slices.off, cpu.off)
    onResults[system.name] = { ...merge(onUrl, slices.on, cpu.on), logged: after.written - before.written, dropped: after.dropped - before.dropped + after.failed - before.failed }
  }
  await stop(off.child)
  const { child, url } = on

  const bare = spawn(
    process.execPath,
    ['-e', `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.setHeader('content-type', 'application/json'); s.end('{"prediction":"Setosa"}') }) }).listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port) })`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const bareUrl = await new Promise<string>((resolve) => bare.stdout!.once('data', (d) => resolve(String(d).trim())))
  const bareResult = await load(bareUrl, JSON.stringify(BODIES.iris))
  await stop(bare)

  console.log(`app on ${url} (separate process), store ${home}; ${CONNECTIONS} connections, ${DURATION} s per system, node ${process.version}`)

  const rows: string[] = []
  const ratios: string[] = []
  for (const system of [iris, titanic]) {
    const costs = await inProcessCosts(system)
    const r = onResults[system.name]
    const o = offResults[system.name]
    ratios.push(
      `| ${system.name} | ${Math.round(r.rps).toLocaleString('en')} | ${r.p99} ms | ${r.logged.toLocaleString('en')} / ${r.answered.toLocaleString('en')} (dropped ${r.dropped}) | ${Math.round(r.cpuPerRequest)} µs | ${Math.round(o.rps).toLocaleString('en')} | ${o.p99} ms | ${Math.round(o.cpuPerRequest)} µs | ${((r.rps / o.rps) * 100).toFixed(0)} % | ${Math.round(bareResult.requests.average).toLocaleString('en')} (p99 ${bareResult.latency.p99} ms) |`,
    )
    const batchBody = JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ ...BODIES[system.name], ...(system === iris ? { sepal_length: 4.5 + (i % 30) / 10 } : { age: 1 + (i % 70) }) })))
    const times: number[] = []
    for (let i = 0; i < 25; i++) {
      const t0 = performance.now()
      const res = await fetch(`${url}/api/${system.name}/predict`, { method: 'POST', body: batchBody, headers: { 'content-type': 'application/json' } })
      const out = (await res.json()) as unknown[]
      if (res.status !== 200 || out.length !== 1000) throw new Error(`batch answered ${res.status}`)
      if (i >= 5) times.push(performance.now() - t0)
    }
    rows.push(
      `| ${system.name} | ${Math.round(r.rps).toLocaleString('en')} | ${r.p50} ms | ${r.p99} ms | ${r.errors} | ${us(costs.predict)} | ${us(costs.validate)} (zod ${us(costs.zod)}) | ${median(times).toFixed(1)} ms |`,
    )
    console.log(rows[rows.length - 1])
  }
  console.log('\n| system | single predictions/s | p50 | p99 | errors | model predict, 1 row (in process) | validation, 1 row (in process, fast path; zod) | 1,000-row batch (median of 20) |')
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const r of rows) console.log(r)
  console.log(
    `\n| system | logging on: predictions/s | p99 | rows logged / requests answered | server CPU per request | logging off: predictions/s | p99 | server CPU per request | on / off (goal ≥ 85 %) | bare node:http, fixed JSON |`,
  )
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const r of ratios) console.log(r)
  await stop(child)
  rmSync(home, { recursive: true, force: true })
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
