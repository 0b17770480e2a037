// Online predict throughput and latency on loopback, beside the model's own predict cost.
//   npx tsx bench/api/run.ts [--duration 10] [--connections 32] [--cpu-prof]
// The app runs as its own process (bench/api/server.ts) on a fresh SQLite store with both systems trained;
// autocannon drives POST /api/<system>/predict with one row per request, then 1,000-row batches are timed.
// The same server with request logging off, and a bare node:http server answering a fixed JSON, run in the
// same run with the same connections: logging's cost is the ratio of the first two.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { openDatabase } from '../../src/db/index.js'
import { FeatureStore } from '../../src/featurestore/index.js'
import { ModelRegistry } from '../../src/registry/index.js'
import { iris, loadServingModel, predictRows, runDemo, titanic, type SystemDescription } from '../../src/systems/index.js'
import { fastPredictInput } from '../../src/web/fast-input.js'
import { parsePredictInput } from '../../src/web/index.js'

const { values: opts } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' }, 'cpu-prof': { type: 'boolean', default: false } },
})
const DURATION = Number(opts.duration)
const CONNECTIONS = Number(opts.connections)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
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
    const child = spawn(process.execPath, [...(opts['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench/out')}`] : []), '--import', 'tsx', join(ROOT, 'bench/api/server.ts')], {
      env: { ...env, BENCH_REQUEST_LOG: logging ? 'on' : 'off' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))
      child.once('exit', (code) => reject(new Error(`server exited ${code}`)))
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

  // Logging off first, then on, each its own server process on the same store.
  const off = await start(false)
  const offResults: Record<string, Awaited<ReturnType<typeof autocannon>>> = {}
  for (const system of [iris, titanic]) offResults[system.name] = await load(`${off.url}/api/${system.name}/predict`, JSON.stringify(BODIES[system.name]))
  await stop(off.child)

  const bare = spawn(
    process.execPath,
    ['-e', `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.setHeader('content-type', 'application/json'); s.end('{"prediction":"Setosa"}') }) }).listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port) })`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const bareUrl = await new Promise<string>((resolve) => bare.stdout!.once('data', (d) => resolve(String(d).trim())))
  const bareResult = await load(bareUrl, JSON.stringify(BODIES.iris))
  await stop(bare)

  const { child, url } = await start(true)
  console.log(`app on ${url} (separate process), store ${home}; ${CONNECTIONS} connections, ${DURATION} s per system, node ${process.version}`)

  const rows: string[] = []
  const ratios: string[] = []
  for (const system of [iris, titanic]) {
    const costs = await inProcessCosts(system)
    const r = await load(`${url}/api/${system.name}/predict`, JSON.stringify(BODIES[system.name]))
    const o = offResults[system.name]
    ratios.push(
      `| ${system.name} | ${Math.round(r.requests.average).toLocaleString('en')} | ${r.latency.p99} ms | ${Math.round(o.requests.average).toLocaleString('en')} | ${o.latency.p99} ms | ${((r.requests.average / o.requests.average) * 100).toFixed(0)} % | ${Math.round(bareResult.requests.average).toLocaleString('en')} (p99 ${bareResult.latency.p99} ms) |`,
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
      `| ${system.name} | ${Math.round(r.requests.average).toLocaleString('en')} | ${r.latency.p50} ms | ${r.latency.p99} ms | ${r.errors + r.non2xx} | ${us(costs.predict)} | ${us(costs.validate)} (zod ${us(costs.zod)}) | ${median(times).toFixed(1)} ms |`,
    )
    console.log(rows[rows.length - 1])
  }
  console.log('\n| system | single predictions/s | p50 | p99 | errors | model predict, 1 row (in process) | validation, 1 row (in process, fast path; zod) | 1,000-row batch (median of 20) |')
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const r of rows) console.log(r)
  console.log('\n| system | logging on: predictions/s | p99 | logging off: predictions/s | p99 | on / off (goal ≥ 85 %) | bare node:http, fixed JSON |')
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  for (const r of ratios) console.log(r)
  await stop(child)
  rmSync(home, { recursive: true, force: true })
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
