// Point-in-time (as-of) join: 1,000,000 label rows joined with a 1,000,000-row feature group over 1,000 keys
// through a feature view (read both groups from the store + merge), beside DuckDB's ASOF JOIN on the same data
// in the same run, with checksums of both results compared. SQLite always; PostgreSQL too when DATABASE_URL is set.
// Wall time and, as the machine is shared, CPU time of each (this process; plus the PostgreSQL server's on this machine).
//   nice -n 10 npx tsx bench/featurestore/asof.ts [--rows N] [--keys K] [--repeats R]
//   DATABASE_URL=postgres://… nice -n 10 npx tsx bench/featurestore/asof.ts
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { openDatabase } from '../../src/db/index.js'
import { FeatureStore, asOfIndex } from '../../src/featurestore/index.js'
import { Random } from '../../src/ml/random.js'

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? Number(process.argv[i + 1]) : def
}
const N = arg('--rows', 1_000_000)
const K = arg('--keys', 1_000)
const REPEATS = arg('--repeats', 3)
const url = process.env.DATABASE_URL
const T0 = Date.UTC(2025, 0, 1)
const MINUTE = 60_000

// Feature rows: N / K per key at distinct minutes spread over about two years; label rows: N at random
// minutes over the same span, so most labels find a feature row before them and some (the earliest) none.
const rng = new Random(1)
const perKey = Math.ceil(N / K)
const feat = { key: new Int32Array(N), ts: new Float64Array(N), v: new Float64Array(N) }
for (let i = 0; i < N; i++) {
  const k = i % K
  const j = Math.floor(i / K)
  feat.key[i] = k
  feat.ts[i] = T0 + (j * 1000 + rng.int(1000)) * MINUTE
  feat.v[i] = rng.int(1_000_000)
}
const lab = { id: new Int32Array(N), key: new Int32Array(N), ts: new Float64Array(N) }
for (let i = 0; i < N; i++) {
  lab.id[i] = i
  lab.key[i] = rng.int(K)
  lab.ts[i] = T0 + rng.int(perKey * 1000) * MINUTE
}

/** Order-independent checksum of (label id, joined v): Σ v × (id mod 97 + 1) over matches (exact: < 2^53), and the misses. */
function checksum(id: ArrayLike<number>, v: ArrayLike<number>): { sum: number; missing: number } {
  let sum = 0
  let missing = 0
  for (let i = 0; i < id.length; i++) {
    if (Number.isNaN(v[i])) missing++
    else sum += v[i] * ((id[i] % 97) + 1)
  }
  return { sum, missing }
}

const seconds = (t: number) => (performance.now() - t) / 1000
type Sum = { sum: number; missing: number }
interface Contender { what: string; run: () => Promise<Sum>; seconds: number; times?: number[]; cpu?: number[]; serverCpu?: number[]; result?: Sum }

// DuckDB: the same rows in in-memory tables, ASOF LEFT JOIN with the result brought back to JS (what we return),
// and the join aggregated inside DuckDB (the engine alone).
const duck = await (await DuckDBInstance.create(':memory:')).connect()
await duck.run('CREATE TABLE labels (id INTEGER, key INTEGER, ts DOUBLE)')
await duck.run('CREATE TABLE feat (key INTEGER, ts DOUBLE, v DOUBLE)')
const appendAll = async (table: string, cols: (Int32Array | Float64Array)[]) => {
  const a = await duck.createAppender(table)
  for (let i = 0; i < cols[0].length; i++) {
    for (const c of cols) c instanceof Int32Array ? a.appendInteger(c[i]) : a.appendDouble(c[i])
    a.endRow()
  }
  a.closeSync()
}
await appendAll('labels', [lab.id, lab.key, lab.ts])
await appendAll('feat', [feat.key, feat.ts, feat.v])
const ASOF = 'FROM labels l ASOF LEFT JOIN feat f ON l.key = f.key AND l.ts >= f.ts'
const threads = (await duck.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0]
const duckRows: Contender = {
  what: `DuckDB ASOF LEFT JOIN, ${N.toLocaleString('en-US')} result rows into JS`,
  seconds: Infinity,
  run: async () => {
    const r = await duck.runAndReadAll(`SELECT l.id, f.v ${ASOF}`)
    const [ids, vs] = r.getColumns() as [number[], (number | null)[]]
    return checksum(Float64Array.from(ids), Float64Array.from(vs, (x) => (x === null ? NaN : x)))
  },
}
const duckAgg: Contender = {
  what: 'DuckDB ASOF LEFT JOIN, aggregated in DuckDB',
  seconds: Infinity,
  run: async () => {
    const r = await duck.runAndReadAll(`SELECT sum(f.v * (l.id % 97 + 1))::DOUBLE AS s, count(*) - count(f.v) AS missing ${ASOF}`)
    const [[s, missing]] = r.getRows() as [[number, bigint]]
    return { sum: s, missing: Number(missing) }
  },
}
// The merge alone, on typed arrays already in memory (what the view does after reading).
const merge: Contender = {
  what: 'our merge alone (asOfIndex on arrays in memory)',
  seconds: Infinity,
  run: async () => {
    const idx = asOfIndex({ nRows: N, keys: [Float64Array.from(lab.key)], time: lab.ts }, { nRows: N, keys: [Float64Array.from(feat.key)], time: feat.ts })
    const v = new Float64Array(N)
    for (let i = 0; i < N; i++) v[i] = idx[i] < 0 ? NaN : feat.v[idx[i]]
    return checksum(lab.id, v)
  },
}

/** Fills a store with the same rows and returns the feature view's read + join as a contender. */
async function throughStore(location: { home?: string; url?: string; schema?: string }): Promise<Contender & { insertSeconds: number; close: () => Promise<void> }> {
  const fs = new FeatureStore(await openDatabase(location))
  const labels = await fs.getOrCreateFeatureGroup({
    name: 'asof_labels',
    primaryKey: ['id'],
    eventTime: 'ts',
    schema: [
      { name: 'id', type: 'int' },
      { name: 'key', type: 'int' },
      { name: 'ts', type: 'timestamp' },
    ],
  })
  const features = await fs.getOrCreateFeatureGroup({
    name: 'asof_features',
    primaryKey: ['key', 'ts'],
    eventTime: 'ts',
    schema: [
      { name: 'key', type: 'int' },
      { name: 'ts', type: 'timestamp' },
      { name: 'v', type: 'float' },
    ],
  })
  const t = performance.now()
  await labels.insert(Array.from({ length: N }, (_, i) => ({ id: lab.id[i], key: lab.key[i], ts: lab.ts[i] })))
  await features.insert(Array.from({ length: N }, (_, i) => ({ key: feat.key[i], ts: feat.ts[i], v: feat.v[i] })))
  const insertSeconds = seconds(t)
  const fv = await fs.getOrCreateFeatureView({ name: 'asof', query: labels.select(['id']).join(features.select(['v']), { on: ['key'] }) })
  const asOf = (await features.latestCommit())!.id
  return {
    what: `feature view read + join on ${fs.db.displayName} (goal ≤ 3× DuckDB)`,
    seconds: Infinity,
    insertSeconds,
    run: async () => {
      const data = await fv.readColumns(['id', 'v'], { asOf })
      return checksum(data.columns.id as Float64Array, data.columns.v as Float64Array)
    },
    close: () => fs.close(),
  }
}

const home = mkdtempSync(join(tmpdir(), 'sml-asof-'))
const schema = `bench_asof_${Date.now().toString(36)}`
const stores = [await throughStore({ home })]
if (url) stores.push(await throughStore({ url, schema }))

/**
 * CPU seconds used so far by every PostgreSQL server process on this machine (utime + stime from /proc, in
 * clock ticks of 10 ms), or null where there is no /proc or no such process (a remote server). The machine is
 * shared, so CPU time beside wall time tells what each contender costs whatever the load: this process's CPU
 * counts DuckDB's threads and our reader threads; a PostgreSQL read also costs the server's.
 */
function postgresCpuSeconds(): number | null {
  if (!url) return null
  let ticks = 0
  let found = false
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^[0-9]+$/.test(d)) continue
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
        if (!stat.includes('(postgres)')) continue
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        ticks += Number(f[11]) + Number(f[12])
        found = true
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return null
  }
  return found ? ticks / 100 : null
}

// Rounds run every contender one after another, best (and median) of the rounds each: on a shared machine every
// contender then sees the same moments of load, and the ratios are read within one run.
const contenders: Contender[] = [duckRows, duckAgg, merge, ...stores]
const loads: number[] = []
for (let r = 0; r < REPEATS; r++) {
  loads.push(loadavg()[0])
  for (const c of contenders) {
    const server = postgresCpuSeconds()
    const cpu = process.cpuUsage()
    const t = performance.now()
    const result = await c.run()
    const s = seconds(t)
    const used = process.cpuUsage(cpu)
    if (s < c.seconds) c.seconds = s
    ;(c.times ??= []).push(s)
    ;(c.cpu ??= []).push((used.user + used.system) / 1e6)
    if (server !== null) (c.serverCpu ??= []).push(postgresCpuSeconds()! - server)
    c.result = result
  }
}
for (const s of stores) await s.close()

const reference = duckRows.result!
// Ratios are to the faster of DuckDB's two figures (the stricter reference).
const duckBest = Math.min(duckRows.seconds, duckAgg.seconds)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]
// The same ratio from medians: each contender's median round against DuckDB's faster median.
const duckMedian = Math.min(median(duckRows.times!), median(duckAgg.times!))
const same = (c: Sum) => c.sum === reference.sum && c.missing === reference.missing
console.log(
  `as-of join: ${N.toLocaleString('en-US')} label rows × ${N.toLocaleString('en-US')} feature rows over ${K.toLocaleString('en-US')} keys; best of ${REPEATS} rounds; DuckDB threads ${threads}; 1-min load average at each round ${loads.map((l) => l.toFixed(1)).join(', ')}`,
)
console.table(
  contenders.map((c) => ({
    what: c.what,
    seconds: +c.seconds.toFixed(3),
    checksum: `${c.result!.sum} / ${c.result!.missing} missing`,
    same: same(c.result!),
    'ratio to DuckDB': +(c.seconds / duckBest).toFixed(2),
    'median s': +median(c.times!).toFixed(3),
    'median ratio': +(median(c.times!) / duckMedian).toFixed(2),
    'median CPU s': +median(c.cpu!).toFixed(3),
    ...(c.serverCpu && c.what.includes('postgres') ? { '+ server CPU s': +median(c.serverCpu).toFixed(2) } : {}),
  })),
)
// CPU per join (median round), load-independent: this process's CPU (DuckDB's threads, our reader threads),
// plus on PostgreSQL its server processes' on this machine.
const duckCpu = median(duckAgg.cpu!)
for (const s of stores) {
  const server = s.what.includes('postgres') && s.serverCpu ? median(s.serverCpu) : null
  const total = median(s.cpu!) + (server ?? 0)
  console.log(
    `CPU per join, ${s.what.split(' on ')[1].split(' ')[0]}: ${total.toFixed(2)} s${server === null ? '' : ` (${server.toFixed(2)} s of it the server's)`}, ${(total / duckCpu).toFixed(2)}× DuckDB's aggregated in DuckDB (${duckCpu.toFixed(2)} s)`,
  )
}
for (const s of stores) console.log(`${s.what.split(' on ')[1].split(' ')[0]}: inserted both groups in ${s.insertSeconds.toFixed(1)} s (not timed against DuckDB)`)
const wrong = contenders.filter((c) => !same(c.result!))

if (url) {
  const pg = (await import('pg')).default
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await c.end()
}
rmSync(home, { recursive: true, force: true })
if (wrong.length) {
  console.error('checksums differ from DuckDB’s')
  process.exit(1)
}
