/**
 * Linear models beside scikit-learn on identical splits:
 *   nice -n 10 npx tsx bench/ml/linear.ts [--quick]     (needs /usr/bin/python3 with python3-sklearn)
 * LogisticRegression on titanic, wine (raw and standardised) and a synthetic 100k×20 binary task;
 * LinearRegression and Ridge on diabetes and a synthetic 100k×20 regression. Data come from
 * SML_DATA_DIR (default ../shared/data next to the repo); everything is written to a temp dir (CSV +
 * one shuffled 80/20 split) that sklearn_linear.py reads, so both sides train and test on the same rows.
 * Every model uses its library's defaults (C 1, alpha 1, fit_intercept).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  accuracyScore,
  LinearRegression,
  LogisticRegression,
  logLoss,
  r2Score,
  Random,
  Ridge,
  rootMeanSquaredError,
  type Classifier,
  type Matrix,
  type Regressor,
} from '../../src/ml/index.js'

import { csvRows, median, timed, titanicMeanFilled } from './common.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const quick = process.argv.includes('--quick')

interface Dataset {
  readonly header: string[]
  readonly x: number[][]
  readonly y: number[]
}

interface Case {
  readonly name: string
  readonly data: string
  readonly model: 'logistic' | 'linear' | 'ridge'
  /** Standardise features with the training split's mean and standard deviation first (both sides). */
  readonly scale: boolean
  readonly repeats: number
}

export interface LinearResult {
  readonly case: string
  readonly fitMs: number
  readonly predictMs: number
  /** accuracy (classifiers) or RMSE (regressors) on the test split */
  readonly score: number
  /** log loss (classifiers) or R² (regressors) on the test split */
  readonly score2: number
  readonly nIter: number | null
}

/** Numeric CSV whose last column is the target (wine, diabetes). */
function numeric(file: string): Dataset {
  const rows = csvRows(file)
  return { header: rows[0], x: rows.slice(1).map((r) => r.slice(0, -1).map(Number)), y: rows.slice(1).map((r) => Number(r[r.length - 1])) }
}

/** As bench/ml/run.ts: pclass, sex, age (mean-filled), sibsp, parch, embarked (rows without it dropped) → survived. */
const titanic = (): Dataset => titanicMeanFilled()

/**
 * n × 20 features uniform in [−1, 1] on different scales (feature j multiplied by 1 + j), a linear
 * signal in 12 of them plus a sine; 'classification': the sign with 5 % of labels flipped.
 */
function synthetic(n: number, seed: number, task: 'classification' | 'regression'): Dataset {
  const r = new Random(seed)
  const beta = Array.from({ length: 20 }, (_, j) => (j < 12 ? (j % 2 ? -1 : 1) * (0.3 + 0.1 * j) : 0))
  const x: number[][] = []
  const y: number[] = []
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: 20 }, (_, j) => Number(((1 + j) * r.uniform(-1, 1)).toFixed(6)))
    let s = 0.4 * Math.sin(3 * v[0])
    for (let j = 0; j < 20; j++) s += (beta[j] * v[j]) / (1 + j)
    if (task === 'regression') {
      y.push(Number((10 + 5 * s + r.uniform(-1, 1)).toFixed(6)))
    } else {
      let label = s + r.uniform(-0.3, 0.3) > 0 ? 1 : 0
      if (r.next() < 0.05) label = 1 - label
      y.push(label)
    }
    x.push(v)
  }
  return { header: [...Array.from({ length: 20 }, (_, j) => `f${j}`), 'y'], x, y }
}

function toMatrix(rows: number[][]): Matrix {
  const p = rows[0].length
  const data = new Float64Array(rows.length * p)
  rows.forEach((r, i) => data.set(r, i * p))
  return { data, nRows: rows.length, nCols: p }
}

/** Standardises train and test with the training rows' mean and population standard deviation (StandardScaler). */
function standardise(train: Matrix, test: Matrix): void {
  const { nRows: n, nCols: p } = train
  for (let j = 0; j < p; j++) {
    let m = 0
    for (let i = 0; i < n; i++) m += train.data[i * p + j]
    m /= n
    let v = 0
    for (let i = 0; i < n; i++) v += (train.data[i * p + j] - m) ** 2
    const sd = Math.sqrt(v / n) || 1
    for (const x of [train, test]) for (let i = 0; i < x.nRows; i++) x.data[i * p + j] = (x.data[i * p + j] - m) / sd
  }
}

/** One warm-up run, as on the Python side, then the median of `repeats`. */
const timedAfterWarmUp = <T>(fn: () => T, repeats: number) => timed(fn, repeats, repeats > 1 ? 1 : 0)

function runOurs(c: Case, d: Dataset, split: { train: number[]; test: number[] }): LinearResult {
  const xtr = toMatrix(split.train.map((i) => d.x[i]))
  const ytr = split.train.map((i) => d.y[i])
  const xte = toMatrix(split.test.map((i) => d.x[i]))
  const yte = split.test.map((i) => d.y[i])
  if (c.scale) standardise(xtr, xte)
  if (c.model === 'logistic') {
    const fit = timedAfterWarmUp(() => new LogisticRegression().fit(xtr, ytr), c.repeats)
    const m: Classifier = fit.out
    const pred = timedAfterWarmUp(() => m.predict(xte), PREDICT_REPEATS)
    return { case: c.name, fitMs: fit.ms, predictMs: pred.ms, score: accuracyScore(yte, pred.out), score2: logLoss(yte, m.predictProba(xte), { labels: m.classes_ }), nIter: fit.out.nIter_ }
  }
  const fit = timedAfterWarmUp(() => (c.model === 'linear' ? new LinearRegression() : new Ridge()).fit(xtr, ytr), c.repeats)
  const m: Regressor = fit.out
  const pred = timedAfterWarmUp(() => m.predict(xte), PREDICT_REPEATS)
  return { case: c.name, fitMs: fit.ms, predictMs: pred.ms, score: rootMeanSquaredError(yte, pred.out), score2: r2Score(yte, pred.out), nIter: null }
}

/** Batch predict is cheap even at 20k rows: always the median of this many runs after a warm-up. */
const PREDICT_REPEATS = 21

const f = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2))

function main(): void {
  const tmp = mkdtempSync(join(tmpdir(), 'sml-linear-'))
  const big = quick ? 20_000 : 100_000
  const bigName = quick ? '20k×20' : '100k×20'
  const datasets: Record<string, Dataset> = {
    titanic: titanic(),
    wine: numeric('wine.csv'),
    diabetes: numeric('diabetes.csv'),
    synthClf: synthetic(big, 3, 'classification'),
    synthReg: synthetic(big, 4, 'regression'),
  }
  const splits: Record<string, { train: number[]; test: number[] }> = {}
  for (const [name, d] of Object.entries(datasets)) {
    writeFileSync(join(tmp, `${name}.csv`), [d.header.join(','), ...d.x.map((r, i) => [...r, d.y[i]].join(','))].join('\n') + '\n')
    const idx = new Random(2024).shuffle(Array.from({ length: d.x.length }, (_, i) => i))
    const nTrain = Math.round(d.x.length * 0.8)
    splits[name] = { train: idx.slice(0, nTrain), test: idx.slice(nTrain) }
    writeFileSync(join(tmp, `${name}.split.json`), JSON.stringify(splits[name]))
  }
  const cases: Case[] = [
    { name: 'titanic LogisticRegression', data: 'titanic', model: 'logistic', scale: false, repeats: 21 },
    { name: 'titanic LogisticRegression (standardised)', data: 'titanic', model: 'logistic', scale: true, repeats: 21 },
    { name: 'wine LogisticRegression', data: 'wine', model: 'logistic', scale: false, repeats: 21 },
    { name: 'wine LogisticRegression (standardised)', data: 'wine', model: 'logistic', scale: true, repeats: 21 },
    { name: `synthetic ${bigName} LogisticRegression`, data: 'synthClf', model: 'logistic', scale: false, repeats: 3 },
    { name: 'diabetes LinearRegression', data: 'diabetes', model: 'linear', scale: false, repeats: 21 },
    { name: 'diabetes Ridge', data: 'diabetes', model: 'ridge', scale: false, repeats: 21 },
    { name: `synthetic ${bigName} LinearRegression`, data: 'synthReg', model: 'linear', scale: false, repeats: 3 },
    { name: `synthetic ${bigName} Ridge`, data: 'synthReg', model: 'ridge', scale: false, repeats: 3 },
  ]
  writeFileSync(join(tmp, 'cases.json'), JSON.stringify(cases.map((c) => ({ ...c, csv: `${c.data}.csv`, split: `${c.data}.split.json` }))))

  const ours = cases.map((c) => {
    const r = runOurs(c, datasets[c.data], splits[c.data])
    console.error(`  ours ${c.name}: fit ${f(r.fitMs)} ms`)
    return r
  })
  const env = { ...process.env }
  delete env.OPENBLAS_CORETYPE
  delete env.OPENBLAS_L2_SIZE
  const py = spawnSync('/usr/bin/python3', [fileURLToPath(new URL('./sklearn_linear.py', import.meta.url)), tmp], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  })
  rmSync(tmp, { recursive: true, force: true })
  if (py.status !== 0) throw new Error(`sklearn_linear.py failed (status ${py.status}): is python3-sklearn installed?`)
  const theirs = JSON.parse(py.stdout) as LinearResult[]
  const versions = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, sys; print(sklearn.__version__, sys.version.split()[0])'], { env, encoding: 'utf8' }).stdout.trim()

  const lines = [
    `node ${process.version}, scikit-learn/python ${versions}, ${availableParallelism()} cores`,
    '',
    '| case | fit ms (ours / sklearn) | fit speedup | batch predict ms | predict speedup | accuracy or RMSE (ours / sklearn) | difference | log loss or R² (ours / sklearn) | iterations (ours / sklearn) |',
    '|---|---|---|---|---|---|---|---|---|',
  ]
  for (const o of ours) {
    const s = theirs.find((t) => t.case === o.case)
    if (s === undefined) continue
    const classifier = o.nIter !== null
    // accuracy: points (percentage points); RMSE: relative difference
    const diff = classifier ? `${((o.score - s.score) * 100).toFixed(2)} pt` : `${(((o.score - s.score) / s.score) * 100).toFixed(3)} %`
    lines.push(
      `| ${o.case} | ${f(o.fitMs)} / ${f(s.fitMs)} | ${(s.fitMs / o.fitMs).toFixed(1)}x | ${f(o.predictMs)} / ${f(s.predictMs)} | ${(s.predictMs / o.predictMs).toFixed(1)}x | ` +
        `${o.score.toFixed(4)} / ${s.score.toFixed(4)} | ${diff} | ${o.score2.toFixed(4)} / ${s.score2.toFixed(4)} | ${classifier ? `${o.nIter} / ${s.nIter}` : '—'} |`,
    )
  }
  console.log(lines.join('\n'))
}

main()
