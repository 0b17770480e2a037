/**
 * Our forest only, no scikit-learn: a quick loop for iterating on fit threading and predict speed.
 *   nice -n 10 npx tsx bench/ml/micro.ts [rows=20000] [trees=100] [--fit] [--single] [--model=file.json]
 * Prints fit ms for nJobs 1 and 2, batch predict ms, and single-row predictOne µs (mean over calls).
 * --model=file.json skips fitting when the file exists (and writes it after a fit otherwise), so
 * predict changes can be timed on the 100k forest without refitting it each time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { loadModel, RandomForestClassifier, Random, warmUpForestWorkers, type Matrix } from '../../src/ml/index.js'

const args = process.argv.slice(2)
const nums = args.filter((a) => /^\d+$/.test(a)).map(Number)
const rows = nums[0] ?? 20_000
const trees = nums[1] ?? 100
const onlyFit = args.includes('--fit')
const onlySingle = args.includes('--single')
const modelFile = args.find((a) => a.startsWith('--model='))?.slice('--model='.length)

/** Same generator as run.ts: 10 uniform features, 6 informative, 5 % label noise. */
function synthetic(n: number, seed: number): { x: Matrix; y: number[] } {
  const r = new Random(seed)
  const data = new Float64Array(n * 10)
  const y: number[] = []
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: 10 }, () => Number(r.uniform(-1, 1).toFixed(6)))
    data.set(v, i * 10)
    const s = v[0] + 0.8 * v[1] - 0.6 * v[2] + 1.2 * v[3] * v[4] + 0.5 * Math.sin(3 * v[5]) + r.uniform(-0.3, 0.3)
    let label = s > 0 ? 1 : 0
    if (r.next() < 0.05) label = 1 - label
    y.push(label)
  }
  return { x: { data, nRows: n, nCols: 10 }, y }
}

function median(a: number[]): number {
  const s = [...a].sort((u, v) => u - v)
  return s[(s.length - 1) >> 1]
}

await warmUpForestWorkers(2)
const { x, y } = synthetic(rows, 2)
const test = synthetic(2000, 3).x
const reps = rows <= 5000 ? 9 : rows <= 20_000 ? 3 : 1
let model: RandomForestClassifier | undefined
if (modelFile !== undefined && existsSync(modelFile)) model = loadModel(readFileSync(modelFile, 'utf8')) as RandomForestClassifier
for (const nJobs of model !== undefined ? [] : onlySingle ? [1] : [1, 2]) {
  const times: number[] = []
  for (let r = 0; r < reps + (reps > 1 ? 1 : 0); r++) {
    const t = performance.now()
    model = new RandomForestClassifier({ nEstimators: trees, seed: 42, nJobs }).fit(x, y)
    times.push(performance.now() - t)
  }
  if (reps > 1) times.shift()
  console.log(`fit ${rows}×10 RF${trees} nJobs=${nJobs}: ${median(times).toFixed(1)} ms`)
}
if (modelFile !== undefined && model !== undefined && !existsSync(modelFile)) writeFileSync(modelFile, JSON.stringify(model))
if (!onlyFit && model !== undefined) {
  const m = model
  const nodes = m.trees_.reduce((s, t) => s + t.feature.length, 0)
  const batch: number[] = []
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now()
    m.predictProba(test)
    batch.push(performance.now() - t0)
  }
  batch.shift()
  console.log(`batch predict 2000 rows: ${median(batch).toFixed(1)} ms (${(nodes / trees).toFixed(0)} nodes/tree)`)
  let t = 0
  const rowsList = Array.from({ length: 1000 }, (_, i) => test.data.subarray(i * 10, i * 10 + 10))
  const out = new Float64Array(2)
  for (let i = 0; i < 2000; i++) m.predictProbaOne(rowsList[i % 1000], out)
  for (let round = 0; round < 3; round++) {
    const calls = 20_000
    const heap = process.memoryUsage().heapUsed
    t = performance.now()
    for (let i = 0; i < calls; i++) m.predictOne(rowsList[i % 1000])
    const one = ((performance.now() - t) / calls) * 1000
    t = performance.now()
    for (let i = 0; i < calls; i++) m.predictProbaOne(rowsList[i % 1000], out)
    const proba = ((performance.now() - t) / calls) * 1000
    const grew = process.memoryUsage().heapUsed - heap
    console.log(`single row: predictOne ${one.toFixed(1)} µs, predictProbaOne(out) ${proba.toFixed(1)} µs, heap +${(grew / 1024).toFixed(0)} KiB over ${2 * calls} calls`)
  }
}
process.exit(0)
