/**
 * ML benchmark: our estimators vs scikit-learn on identical CSV splits.
 *   npx tsx bench/ml/run.ts            (needs /usr/bin/python3 with python3-sklearn)
 * Data: iris.csv and titanic.csv from SML_DATA_DIR (default ../shared/data next to the repo),
 * synthetic 10k×10 and 100k×10 generated here with a fixed seed. Everything is written to a temp
 * dir (CSV + split indices) that the Python side reads, so both train and test on the same rows.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  accuracyScore,
  KNeighborsClassifier,
  RandomForestClassifier,
  Random,
  warmUpForestWorkers,
  type Classifier,
  type Label,
  type Matrix,
} from '../../src/ml/index.js'

import { csvRows, median, timed, titanicMeanFilled } from './common.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const quick = process.argv.includes('--quick')

interface Dataset {
  readonly header: string[]
  readonly x: number[][]
  readonly y: Label[]
}

interface Case {
  readonly name: string
  readonly data: string
  readonly model: 'knn' | 'rf'
  readonly k?: number
  readonly nEstimators?: number
  readonly nJobs: number[]
  readonly repeats: number
  readonly singleRows: number
}

interface Result {
  readonly case: string
  readonly nJobs: number
  readonly fitMs: number
  readonly predictMs: number
  readonly singleMs: number
  readonly accuracy: number
  readonly modelBytes: number
}

function iris(): Dataset {
  const rows = csvRows('iris.csv')
  return { header: rows[0], x: rows.slice(1).map((r) => r.slice(0, 4).map(Number)), y: rows.slice(1).map((r) => r[4]) }
}

/** pclass, sex (male 0 / female 1), age (mean-filled), sibsp, parch, embarked (C0 Q1 S2; rows without it dropped) → survived. */
const titanic = (): Dataset => titanicMeanFilled()

/** 10 uniform features, 6 informative (linear, an interaction, a sine), 5 % of labels flipped. */
function synthetic(n: number, seed: number): Dataset {
  const r = new Random(seed)
  const x: number[][] = []
  const y: number[] = []
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: 10 }, () => Number(r.uniform(-1, 1).toFixed(6)))
    const s = v[0] + 0.8 * v[1] - 0.6 * v[2] + 1.2 * v[3] * v[4] + 0.5 * Math.sin(3 * v[5]) + r.uniform(-0.3, 0.3)
    let label = s > 0 ? 1 : 0
    if (r.next() < 0.05) label = 1 - label
    x.push(v)
    y.push(label)
  }
  return { header: [...Array.from({ length: 10 }, (_, j) => `f${j}`), 'label'], x, y }
}

function toMatrix(rows: number[][]): Matrix {
  const p = rows[0].length
  const data = new Float64Array(rows.length * p)
  rows.forEach((r, i) => data.set(r, i * p))
  return { data, nRows: rows.length, nCols: p }
}

function runOurs(c: Case, d: Dataset, split: { train: number[]; test: number[] }): Result[] {
  const xtr = toMatrix(split.train.map((i) => d.x[i]))
  const ytr = split.train.map((i) => d.y[i])
  const xte = toMatrix(split.test.map((i) => d.x[i]))
  const yte = split.test.map((i) => d.y[i])
  const results: Result[] = []
  for (const nJobs of c.nJobs) {
    const make = (): Classifier =>
      c.model === 'knn' ? new KNeighborsClassifier({ nNeighbors: c.k }) : new RandomForestClassifier({ nEstimators: c.nEstimators, nJobs, seed: 42 })
    const warm = c.repeats > 1 ? 1 : 0
    const fit = timed(() => make().fit(xtr, ytr), c.repeats, warm)
    const model = fit.out
    const pred = timed(() => model.predict(xte), c.repeats, warm)
    const rows = Array.from({ length: Math.min(xte.nRows, 1000) }, (_, i) => xte.data.subarray(i * xte.nCols, (i + 1) * xte.nCols))
    model.predictOne(rows[0])
    const t = performance.now()
    for (let i = 0; i < c.singleRows; i++) model.predictOne(rows[i % rows.length])
    const singleMs = (performance.now() - t) / c.singleRows
    results.push({
      case: c.name,
      nJobs,
      fitMs: fit.ms,
      predictMs: pred.ms,
      singleMs,
      accuracy: accuracyScore(yte, pred.out),
      modelBytes: Buffer.byteLength(JSON.stringify(model)),
    })
    console.error(`  ours ${c.name} nJobs=${nJobs}: fit ${fit.ms.toFixed(0)} ms`)
  }
  return results
}

const f = (v: number, d = 1): string => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(d) : v.toPrecision(2))
const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'sml-bench-'))
  const datasets: Record<string, Dataset> = {
    iris: iris(),
    titanic: titanic(),
    synth10k: synthetic(10_000, 1),
    synth100k: synthetic(quick ? 20_000 : 100_000, 2),
  }
  const splits: Record<string, { train: number[]; test: number[] }> = {}
  for (const [name, d] of Object.entries(datasets)) {
    writeFileSync(join(tmp, `${name}.csv`), [d.header.join(','), ...d.x.map((r, i) => [...r, d.y[i]].join(','))].join('\n') + '\n')
    // one shuffled index list, computed here and shared with Python: 80 % train, 20 % test
    const idx = new Random(2024).shuffle(Array.from({ length: d.x.length }, (_, i) => i))
    const nTrain = Math.round(d.x.length * 0.8)
    splits[name] = { train: idx.slice(0, nTrain), test: idx.slice(nTrain) }
    writeFileSync(join(tmp, `${name}.split.json`), JSON.stringify(splits[name]))
  }
  const big = quick ? '20k×10' : '100k×10'
  const cases: Case[] = [
    { name: 'iris KNN k=2', data: 'iris', model: 'knn', k: 2, nJobs: [1], repeats: 21, singleRows: 5000 },
    { name: 'iris RF100', data: 'iris', model: 'rf', nEstimators: 100, nJobs: [1, 2], repeats: 11, singleRows: 2000 },
    { name: 'titanic RF100', data: 'titanic', model: 'rf', nEstimators: 100, nJobs: [1, 2], repeats: 7, singleRows: 2000 },
    { name: 'synthetic 10k×10 RF100', data: 'synth10k', model: 'rf', nEstimators: 100, nJobs: [1, 2], repeats: 3, singleRows: 1000 },
    { name: `synthetic ${big} RF100`, data: 'synth100k', model: 'rf', nEstimators: 100, nJobs: [1, 2], repeats: 1, singleRows: 500 },
    { name: `synthetic ${big} KNN k=5`, data: 'synth100k', model: 'knn', k: 5, nJobs: [1], repeats: 1, singleRows: 200 },
  ]
  writeFileSync(join(tmp, 'cases.json'), JSON.stringify(cases.map((c) => ({ ...c, csv: `${c.data}.csv`, split: `${c.data}.split.json` }))))

  // workers load once per process, as in a long-running service
  await warmUpForestWorkers(2)
  const ours: Result[] = []
  for (const c of cases) ours.push(...runOurs(c, datasets[c.data], splits[c.data]))

  const env = { ...process.env }
  delete env.OPENBLAS_CORETYPE
  delete env.OPENBLAS_L2_SIZE
  const py = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('./sklearn_bench.py', import.meta.url)), tmp], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  })
  rmSync(tmp, { recursive: true, force: true })
  if (py.status !== 0) throw new Error(`sklearn_bench.py failed (status ${py.status}): is python3-sklearn installed?`)
  const theirs = JSON.parse(py.stdout) as Result[]
  const versions = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, sys; print(sklearn.__version__, sys.version.split()[0])'], { env, encoding: 'utf8' }).stdout.trim()

  const lines: string[] = []
  lines.push(`node ${process.version}, scikit-learn/python ${versions}, ${(await import('node:os')).availableParallelism()} cores`)
  lines.push('')
  lines.push('| case | threads | fit ms (ours / sklearn) | fit speedup | batch predict ms | predict speedup | single-row ms | single-row speedup | accuracy (ours / sklearn) | model bytes JSON / pickle |')
  lines.push('|---|---|---|---|---|---|---|---|---|---|')
  for (const o of ours) {
    const s = theirs.find((t) => t.case === o.case && t.nJobs === o.nJobs)
    if (s === undefined) continue
    lines.push(
      `| ${o.case} | ${o.nJobs} | ${f(o.fitMs)} / ${f(s.fitMs)} | ${ratio(s.fitMs, o.fitMs)} | ${f(o.predictMs)} / ${f(s.predictMs)} | ${ratio(s.predictMs, o.predictMs)} | ` +
        `${f(o.singleMs, 3)} / ${f(s.singleMs, 3)} | ${ratio(s.singleMs, o.singleMs)} | ${o.accuracy.toFixed(4)} / ${s.accuracy.toFixed(4)} | ${o.modelBytes} / ${s.modelBytes} |`,
    )
  }
  console.log(lines.join('\n'))
}

await main()
process.exit(0)
