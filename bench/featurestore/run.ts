// Feature-store throughput: insert 1,000,000 rows of 8 numeric columns and read them back into a
// training split, beside the raw driver doing the same inserts in the same run. The read → split runs in a
// child process per store (split-child.ts), so its time and peak memory are measured alone; with
// DATABASE_URL the same rows also go into a SQLite file, and PostgreSQL's read is printed beside SQLite's.
//   npx tsx bench/featurestore/run.ts [--rows N]            (SQLite, fresh temp file)
//   DATABASE_URL=postgres://… npx tsx bench/featurestore/run.ts   (PostgreSQL, fresh schema; raw unnest INSERT and raw COPY)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { openDatabase } from '../../src/db/index.js'
import { FeatureStore } from '../../src/featurestore/index.js'
import { Random } from '../../src/ml/random.js'

const rowsArg = process.argv.indexOf('--rows')
const N = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000
const FEATURES = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5']
const url = process.env.DATABASE_URL

const rng = new Random(1)
const rows = Array.from({ length: N }, (_, i) => {
  const r: Record<string, number> = { id: i }
  for (const f of FEATURES) r[f] = rng.next() * 100
  r.label = rng.int(3)
  return r
})
const columns = ['id', ...FEATURES, 'label']
const arrays = rows.map((r) => columns.map((c) => r[c]))

const home = mkdtempSync(join(tmpdir(), 'sml-bench-'))
const schema = `bench_${Date.now().toString(36)}`
const db = url ? await openDatabase({ url, schema }) : await openDatabase({ home })
const fs = new FeatureStore(db)

const seconds = (t: number) => (performance.now() - t) / 1000
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

// Raw driver, same rows, same table shape (typed columns, primary key), one transaction.
let rawSeconds: number
let rawLabel: string
let rawCopySeconds: number | null = null
if (!url) {
  const raw = new BetterSqlite3(join(home, 'raw.db'))
  raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = NORMAL')
  raw.exec(`CREATE TABLE raw_bench (id integer primary key, ${FEATURES.map((f) => `${f} real`).join(', ')}, label integer)`)
  const stmt = raw.prepare(`INSERT INTO raw_bench VALUES (${columns.map(() => '?').join(', ')})`)
  const t = performance.now()
  raw.transaction(() => {
    for (const a of arrays) stmt.run(a)
  })()
  rawSeconds = seconds(t)
  rawLabel = 'raw better-sqlite3 (prepared INSERT per row, one transaction)'
  raw.close()
} else {
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  // Its own schema beside the store's: dropping it afterwards must not take the store's catalog along.
  const rawSchema = `${schema}_raw`
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${rawSchema}`)
  await client.query(`CREATE TABLE ${rawSchema}.raw_bench (id bigint primary key, ${FEATURES.map((f) => `${f} double precision`).join(', ')}, label bigint)`)
  // The fastest plain-pg path without extra packages: multi-row unnest inserts in one transaction.
  const t = performance.now()
  await client.query('BEGIN')
  for (let s = 0; s < N; s += 20_000) {
    const chunk = arrays.slice(s, s + 20_000)
    await client.query(
      `INSERT INTO ${rawSchema}.raw_bench SELECT * FROM unnest($1::bigint[], ${FEATURES.map((_, i) => `$${i + 2}::float8[]`).join(', ')}, $${FEATURES.length + 2}::bigint[])`,
      columns.map((_, c) => chunk.map((a) => a[c])),
    )
  }
  await client.query('COMMIT')
  rawSeconds = seconds(t)
  rawLabel = 'raw pg (unnest multi-row INSERT, one transaction)'
  // The fastest path pg offers: COPY FROM STDIN (text format) through pg-copy-streams, which our insert uses too.
  const { from: copyFrom } = await import('pg-copy-streams')
  const { Readable } = await import('node:stream')
  const { pipeline } = await import('node:stream/promises')
  await client.query(`CREATE TABLE ${rawSchema}.raw_copy (LIKE ${rawSchema}.raw_bench INCLUDING ALL)`)
  const tc = performance.now()
  await client.query('BEGIN')
  const chunks = function* () {
    let chunk = ''
    for (const a of arrays) {
      chunk += `${a.join('\t')}\n`
      if (chunk.length >= 256 * 1024) {
        yield chunk
        chunk = ''
      }
    }
    if (chunk) yield chunk
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${rawSchema}.raw_copy FROM STDIN`)))
  await client.query('COMMIT')
  rawCopySeconds = seconds(tc)
  await client.query(`DROP SCHEMA ${rawSchema} CASCADE`)
  await client.end()
}

const fg = await fs.getOrCreateFeatureGroup({
  name: 'bench',
  primaryKey: ['id'],
  schema: [{ name: 'id', type: 'int' }, ...FEATURES.map((name) => ({ name, type: 'float' as const })), { name: 'label', type: 'int' }],
})
let t = performance.now()
const commit = await fg.insert(rows)
const insertSeconds = seconds(t)
if (commit.rowsAdded !== N) throw new Error(`expected ${N} rows added, got ${commit.rowsAdded}`)

await fs.getOrCreateFeatureView({ name: 'bench', query: fg.selectExcept(['id']), labels: ['label'] })

interface SplitFigures { store: string; seconds: number; rows: number; arrayBytes: number; baselineRss: number; peakRss: number }
const splitIn = (location: object): SplitFigures => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', new URL('./split-child.ts', import.meta.url).pathname, JSON.stringify(location)], { encoding: 'utf8' })
  const r = JSON.parse(out.trim().split('\n').pop()!) as SplitFigures
  if (r.rows !== N) throw new Error(`split of ${r.store} has ${r.rows} rows, expected ${N}`)
  return r
}
const split = splitIn(db.location)
const splitSeconds = split.seconds
// On PostgreSQL, the same rows in a SQLite file too: the read beside SQLite's in the same run.
let sqliteSplit: SplitFigures | null = null
if (url) {
  const sqliteDb = await openDatabase({ home })
  const sfs = new FeatureStore(sqliteDb)
  const sfg = await sfs.getOrCreateFeatureGroup({ name: 'bench', primaryKey: ['id'], schema: fg.schema })
  await sfg.insert(rows)
  await sfs.getOrCreateFeatureView({ name: 'bench', query: sfg.selectExcept(['id']), labels: ['label'] })
  await sfs.close()
  sqliteSplit = splitIn({ home })
}
const mb = (b: number) => +(b / 1024 / 1024).toFixed(1)

console.log(`feature store on ${db.displayName}: ${fmt(N)} rows × ${columns.length} numeric columns`)
console.table([
  { step: 'insert (validate + one commit)', seconds: +insertSeconds.toFixed(3), 'rows/s': fmt(N / insertSeconds), goal: url ? '< 10 s' : '< 3 s' },
  { step: rawLabel, seconds: +rawSeconds.toFixed(3), 'rows/s': fmt(N / rawSeconds), goal: '' },
  ...(rawCopySeconds === null ? [] : [{ step: 'raw pg (COPY FROM STDIN via pg-copy-streams)', seconds: +rawCopySeconds.toFixed(3), 'rows/s': fmt(N / rawCopySeconds), goal: '' }]),
  { step: `read → trainTestSplit (typed arrays) on ${split.store}`, seconds: +splitSeconds.toFixed(3), 'rows/s': fmt(N / splitSeconds), goal: url ? '≤ 1.5× SQLite' : '< 2 s' },
  ...(sqliteSplit ? [{ step: 'read → trainTestSplit on sqlite (same rows, same run)', seconds: +sqliteSplit.seconds.toFixed(3), 'rows/s': fmt(N / sqliteSplit.seconds), goal: '< 2 s' }] : []),
])
console.table(
  [split, ...(sqliteSplit ? [sqliteSplit] : [])].map((r) => ({
    'read → split': r.store,
    'typed arrays MB': mb(r.arrayBytes),
    'RSS before MB': mb(r.baselineRss),
    'peak RSS MB': mb(r.peakRss),
    'peak growth / arrays': +((r.peakRss - r.baselineRss) / r.arrayBytes).toFixed(2),
    goal: '≤ 3',
  })),
)
if (sqliteSplit) console.log(`read → split on postgres vs sqlite: ${(split.seconds / sqliteSplit.seconds).toFixed(2)}x SQLite's time (goal: at most 1.5x)`)
const fastestRaw = Math.min(rawSeconds, rawCopySeconds ?? Infinity)
console.log(`insert vs fastest raw driver path: ${(insertSeconds / fastestRaw).toFixed(2)}x the raw time (goal: within 1.5x)`)

await fs.close()
if (url) {
  const pg = (await import('pg')).default
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await c.end()
}
rmSync(home, { recursive: true, force: true })
