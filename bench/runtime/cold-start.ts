// Cold start of `sml run <noop pipeline>` as a fresh process, from spawn to exit, on the embedded store.
// Run after `npm run build`:  npx tsx bench/runtime/cold-start.ts [runs=20]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MAIN = join(ROOT, 'dist/bin/main.js')
const MODULE = fileURLToPath(new URL('./noop-pipelines.mjs', import.meta.url))
const RUNS = Number(process.argv[2] ?? 20)
const GOAL_MS = 300

if (!existsSync(MAIN)) {
  process.stderr.write(`no ${MAIN}: run \`npm run build\` first\n`)
  process.exit(1)
}

const home = mkdtempSync(join(tmpdir(), 'sml-bench-'))
const env = { ...process.env, SML_HOME: home, DATABASE_URL: '', SML_PIPELINES_MODULE: MODULE }

function time(args: string[]): number {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

try {
  // The first run creates the database and applies migrations; a real deployment pays that once.
  time([MAIN, 'run', 'noop'])
  time(['-e', '0'])
  const node: number[] = []
  const sml: number[] = []
  // Interleaved so machine load affects both series alike.
  for (let i = 0; i < RUNS; i++) {
    node.push(time(['-e', '0']))
    sml.push(time([MAIN, 'run', 'noop']))
  }
  const n = median(node)
  const s = median(sml)
  console.log(`node -e 0              median ${n.toFixed(1)} ms  (min ${Math.min(...node).toFixed(1)}, n=${RUNS})`)
  console.log(`sml run noop (cold)    median ${s.toFixed(1)} ms  (min ${Math.min(...sml).toFixed(1)}, n=${RUNS})`)
  console.log(`runtime overhead       ${(s - n).toFixed(1)} ms over bare node; goal: sml run under ${GOAL_MS} ms — ${s < GOAL_MS ? 'met' : 'NOT met'}`)
} finally {
  rmSync(home, { recursive: true, force: true })
}
