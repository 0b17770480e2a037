// Mixed load on loopback: predict for both systems, the iris monitor and the runs list at the same time, one
// autocannon instance per route so each route gets its own throughput, p50/p99 and errors; and the server's
// resident memory sampled every second from start to end.
//   npm run build && nice -n 10 npx tsx bench/load/run.ts [--seconds 60] [--days 10] [--server dist|src]
// The server is its own process, `node dist/bin/main.js serve --port 0` (or the sources through tsx with
// --server src), on a temp SQLite store prepared with `sml demo --days N`; this process only drives load.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

interface Histogram {
  readonly average: number
  readonly p50: number
  readonly p99: number
  readonly max: number
}
interface Result {
  readonly requests: Histogram & { readonly total: number }
  readonly latency: Histogram
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
  readonly '2xx': number
  readonly duration: number
}
type Autocannon = (options: { url: string; method?: string; body?: string; headers?: Record<string, string>; connections?: number; duration?: number }) => Promise<Result>
// Loaded untyped through require so this bench does not depend on a module declaration elsewhere.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

const { values: opts } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, days: { type: 'string', default: '10' }, server: { type: 'string', default: 'dist' } },
})
const SECONDS = Number(opts.seconds)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DIST_MAIN = join(ROOT, 'dist/bin/main.js')
const SRC_MAIN = join(ROOT, 'src/cli/main.ts')
if (opts.server === 'dist' && !existsSync(DIST_MAIN)) throw new Error('dist/bin/main.js is missing: npm run build first (or --server src)')
const cli = opts.server === 'dist' ? [DIST_MAIN] : ['--import', 'tsx', SRC_MAIN]

const home = mkdtempSync(join(tmpdir(), 'sml-bench-load-'))
const env = { ...process.env, SML_HOME: home, DATABASE_URL: '', SML_DATA_DIR: process.env.SML_DATA_DIR ?? join(ROOT, '../shared/data') }

const ROUTES = [
  { name: 'POST /api/iris/predict', path: '/api/iris/predict', method: 'POST', connections: 8, body: { sepal_length: 6.1, sepal_width: 2.8, petal_length: 4.7, petal_width: 1.2 } },
  { name: 'POST /api/titanic/predict', path: '/api/titanic/predict', method: 'POST', connections: 8, body: { pclass: 2, sex: 'female', age: 28, sibsp: 1, parch: 0, embarked: 'S' } },
  { name: 'GET /api/iris/monitor', path: '/api/iris/monitor', method: 'GET', connections: 1 },
  { name: 'GET /api/runs', path: '/api/runs?limit=50', method: 'GET', connections: 2 },
] as const

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...cli, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const m = /serving (http:\/\/\S+)/.exec(out)
      if (m) resolve({ child, url: m[1] })
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)))
  })
}

/** The reference, in the same run: a bare node:http server answering a fixed small JSON, same connections. */
async function bareNodeReference(seconds: number, connections: number): Promise<Result> {
  const code = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.setHeader('content-type', 'application/json'); s.end('{"prediction":"Setosa"}') }) }).listen(0, '127.0.0.1', function () { console.log('serving http://127.0.0.1:' + this.address().port) })`
  const bare = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve) => bare.stdout!.on('data', (d) => resolve(/serving (\S+)/.exec(String(d))![1])))
  try {
    const body = JSON.stringify(ROUTES[0].body)
    await autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: 1, duration: 1 })
    return await autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, duration: seconds })
  } finally {
    bare.kill('SIGTERM')
  }
}

const prepStarted = performance.now()
execFileSync(process.execPath, [...cli, 'demo', '--days', String(opts.days)], { env, stdio: ['ignore', 'ignore', 'inherit'] })
console.log(`store: ${home}/sml.db prepared with sml demo --days ${opts.days} in ${((performance.now() - prepStarted) / 1000).toFixed(1)} s; server: ${cli.join(' ')} serve --port 0 (own process)`)
const { child, url } = await startServer()
try {
  // A short warm-up, so the first samples are not JIT and lazy loading.
  for (const r of ROUTES) await autocannon({ url: url + r.path, method: r.method, body: 'body' in r ? JSON.stringify(r.body) : undefined, headers: { 'content-type': 'application/json' }, connections: 1, duration: 1 })
  const rss: number[] = [rssMb(child.pid!)]
  const sampler = setInterval(() => rss.push(rssMb(child.pid!)), 1000)
  const results = await Promise.all(
    ROUTES.map((r) =>
      autocannon({
        url: url + r.path,
        method: r.method,
        body: 'body' in r ? JSON.stringify(r.body) : undefined,
        headers: { 'content-type': 'application/json' },
        connections: r.connections,
        duration: SECONDS,
      }),
    ),
  )
  clearInterval(sampler)
  rss.push(rssMb(child.pid!))
  const health = (await (await fetch(`${url}/health`)).json()) as { requestLog: Record<string, number> }

  console.log(`\n${SECONDS} s of mixed load on ${url} (${ROUTES.reduce((a, r) => a + r.connections, 0)} connections in all), node ${process.version}\n`)
  console.log('| route | connections | requests | req/s | p50 ms | p99 ms | max ms | errors | non-2xx |')
  console.log('|---|---|---|---|---|---|---|---|---|')
  ROUTES.forEach((r, i) => {
    const x = results[i]
    console.log(
      `| ${r.name} | ${r.connections} | ${x.requests.total} | ${(x.requests.total / SECONDS).toFixed(0)} | ${x.latency.p50} | ${x.latency.p99} | ${x.latency.max} | ${x.errors + x.timeouts} | ${x.non2xx} |`,
    )
  })
  const total = results.reduce((a, x) => a + x.requests.total, 0)
  console.log(`| all | | ${total} | ${(total / SECONDS).toFixed(0)} | | | | ${results.reduce((a, x) => a + x.errors + x.timeouts, 0)} | ${results.reduce((a, x) => a + x.non2xx, 0)} |`)
  const refSeconds = Math.min(10, SECONDS)
  const ref = await bareNodeReference(refSeconds, ROUTES.reduce((a, r) => a + r.connections, 0))
  console.log(
    `| reference: bare node:http, fixed JSON, ${refSeconds} s | ${ROUTES.reduce((a, r) => a + r.connections, 0)} | ${ref.requests.total} | ${(ref.requests.total / refSeconds).toFixed(0)} | ${ref.latency.p50} | ${ref.latency.p99} | ${ref.latency.max} | ${ref.errors + ref.timeouts} | ${ref.non2xx} |`,
  )
  console.log(`\nmixed load reaches ${((total / SECONDS / (ref.requests.total / refSeconds)) * 100).toFixed(0)} % of the bare node:http throughput on this machine`)
  const third = Math.max(1, Math.floor(rss.length / 3))
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  console.log(
    `\nserver RSS: ${rss[0].toFixed(0)} MB after warm-up, ${rss[rss.length - 1].toFixed(0)} MB at the end, max ${Math.max(...rss).toFixed(0)} MB; ` +
      `mean of the first third ${mean(rss.slice(0, third)).toFixed(0)} MB vs last third ${mean(rss.slice(-third)).toFixed(0)} MB ` +
      `(${((mean(rss.slice(-third)) / mean(rss.slice(0, third)) - 1) * 100).toFixed(1)} %, goal within 10 %; ${rss.length} samples, 1 s apart)`,
  )
  const step = Math.max(1, Math.round(rss.length / 12))
  console.log(`RSS every ${step} s (MB): ${rss.filter((_, i) => i % step === 0 || i === rss.length - 1).map((m) => m.toFixed(0)).join(' ')}`)
  console.log(`requests answered: ${results[0]['2xx'] + results[1]['2xx']}; request log at the end of the load (/health): ${JSON.stringify(health.requestLog)} (goal: dropped 0)`)
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  rmSync(home, { recursive: true, force: true })
}
