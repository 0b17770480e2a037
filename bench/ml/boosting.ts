/**
 * Gradient-boosting benchmark: our HistGradientBoosting* vs scikit-learn's (OMP_NUM_THREADS=1) and
 * XGBoost (tree_method="hist", nthread 1 and 2) on identical splits, one set at a time (ours, then
 * sklearn, then XGBoost: all three under about the same load). Fit times are given as wall time and
 * as the process's CPU time (every thread): on a shared, loaded machine the CPU-time ratio of
 * single-thread fits is the steadier one.
 *   nice -n 10 npx tsx bench/ml/boosting.ts            (all sets, 1M rows included: ~10 min)
 *   npx tsx bench/ml/boosting.ts --quick               (no 1M sets)
 *   npx tsx bench/ml/boosting.ts --only=synth-clf-100k,wine --xgb-threads=1   (some sets, XGBoost 1 thread only)
 *   npx tsx bench/ml/boosting.ts --only=synth-reg-1M --seeds=10   (scores of ours and sklearn's over 10 binning seeds each)
 * Needs /usr/bin/python3 with python3-sklearn and python3-xgboost. Every set is written to a temp
 * dir as raw float64 (x, y) plus uint32 train/test indices; boosting_bench.py reads the same bytes.
 * Hyper-parameters, the same on all sides: 100 iterations, learning rate 0.1, 31 leaves, 255 bins,
 * no early stopping (XGBoost: grow_policy lossguide, max_depth 0, other parameters default).
 * Each set's row ends with the cores' round trip before and after it (core-latency.ts): two-thread
 * speed-ups are comparable only between runs whose cores were about as far apart.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  accuracyScore,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  Random,
  terminateBoostingWorkers,
  warmUpBoostingWorkers,
  type Matrix,
} from '../../src/ml/index.js'

import { BINNING_SUBSAMPLE } from '../../src/ml/boosting/bin-mapper.js'
import { csvRows, median, timed } from './common.js'
import { coreRoundTripNs } from './core-latency.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const quick = process.argv.includes('--quick')
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',')
/** --xgb-threads=1 skips XGBoost's two-thread fits (on a busy machine its OpenMP threads spin for minutes). */
const xgbThreads = process.argv.find((a) => a.startsWith('--xgb-threads='))?.slice(14) ?? '1,2'
/**
 * --seeds=K: sets whose training split exceeds the binning subsample (BINNING_SUBSAMPLE rows: the 1M
 * sets) are also fitted with seeds 0..K−1 on our side and random_state 0..K−1 on scikit-learn's
 * (default 5; 1 turns it off). The seed only chooses the rows the bin edges come from, yet the
 * RMSE of the 1M regression set ranges over ±10 % with it; ours draws those rows as numpy does for
 * scikit-learn (src/ml/mt19937.ts), so each seed's score should equal scikit-learn's for that
 * random_state (see bench/ml/README.md). XGBoost's sketch uses every row: it has no seed to vary.
 */
const nSeeds = Number(process.argv.find((a) => a.startsWith('--seeds='))?.slice(8) ?? 5)

interface DataSet {
  readonly name: string
  readonly task: 'classification' | 'regression'
  readonly x: Matrix
  readonly y: Float64Array
}

interface Row {
  readonly set: string
  readonly who: string
  readonly threads: number
  readonly fitMs: number
  /** CPU time of the process during the fit (every thread), median: on a loaded machine the fairer single-thread figure. */
  readonly fitCpuMs: number
  /** Ours only: CPU of the calling thread alone (Linux /proc; NaN elsewhere). */
  readonly fitCallingCpuMs?: number
  readonly score: number
  readonly predictMs: number
  readonly predictRows: number
  readonly singleMs: number
  /** Test score of fits with seed (random_state) 0..K−1, where --seeds applies: seed 0 is the timed fit's. */
  readonly seedScores?: number[]
}

function matrix(rows: number[][]): Matrix {
  const p = rows[0].length
  const data = new Float64Array(rows.length * p)
  rows.forEach((r, i) => data.set(r, i * p))
  return { data, nRows: rows.length, nCols: p }
}

/** pclass, sex, age (NaN when unknown: the boosters route it), sibsp, parch, fare, embarked (NaN when unknown) → survived. */
function titanic(): DataSet {
  const rows = csvRows('titanic.csv')
  const h = rows[0]
  const c = (name: string): number => h.indexOf(name)
  const emb: Record<string, number> = { C: 0, Q: 1, S: 2 }
  const body = rows.slice(1)
  const num = (v: string): number => (v === '' ? NaN : Number(v))
  return {
    name: 'titanic',
    task: 'classification',
    x: matrix(
      body.map((r) => [num(r[c('Pclass')]), r[c('Sex')] === 'female' ? 1 : 0, num(r[c('Age')]), num(r[c('SibSp')]), num(r[c('Parch')]), num(r[c('Fare')]), emb[r[c('Embarked')]] ?? NaN]),
    ),
    y: Float64Array.from(body.map((r) => Number(r[c('Survived')]))),
  }
}

function numericCsv(file: string, name: string, task: DataSet['task']): DataSet {
  const rows = csvRows(file).slice(1).map((r) => r.map(Number))
  return { name, task, x: matrix(rows.map((r) => r.slice(0, -1))), y: Float64Array.from(rows.map((r) => r[r.length - 1])) }
}

/**
 * n × 20 uniform features; 8 informative (linear terms, two interactions, a sine, a square, a step),
 * Gaussian-ish noise. Regression: the signal plus noise; classification: its sign, 5 % labels flipped.
 * `nanShare` sets that share of cells to NaN (seeded).
 */
function synthetic(n: number, task: DataSet['task'], seed: number, nanShare = 0): DataSet {
  const p = 20
  const r = new Random(seed)
  const data = new Float64Array(n * p)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const o = i * p
    for (let j = 0; j < p; j++) data[o + j] = r.uniform(-1, 1)
    const v = data.subarray(o, o + p)
    const noise = (r.next() + r.next() + r.next() - 1.5) * 0.6
    const s = v[0] + 0.8 * v[1] - 0.6 * v[2] + 1.2 * v[3] * v[4] + 0.5 * Math.sin(3 * v[5]) + 0.7 * v[6] * v[6] - 0.8 * v[7] * v[0] + (v[8] > 0.3 ? 0.5 : 0) + noise
    if (task === 'regression') y[i] = 3 * s + 10
    else y[i] = (s > 0.15 ? 1 : 0) ^ (r.next() < 0.05 ? 1 : 0)
  }
  if (nanShare > 0) {
    const rn = new Random(seed + 1000)
    for (let k = 0; k < data.length; k++) if (rn.next() < nanShare) data[k] = NaN
  }
  const size = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`
  return { name: `synth-${task === 'regression' ? 'reg' : 'clf'}-${size}${nanShare > 0 ? '-nan' : ''}`, task, x: { data, nRows: n, nCols: p }, y }
}

function take(x: Matrix, rows: Uint32Array): Matrix {
  const p = x.nCols
  const data = new Float64Array(rows.length * p)
  for (let i = 0; i < rows.length; i++) data.set(x.data.subarray(rows[i] * p, rows[i] * p + p), i * p)
  return { data, nRows: rows.length, nCols: p }
}

const PARAMS = { maxIter: 100, learningRate: 0.1, maxLeafNodes: 31, maxBins: 255, earlyStopping: false } as const

function runOurs(d: DataSet, train: Uint32Array, test: Uint32Array, repeats: number, seeds = 1): Row[] {
  const xtr = take(d.x, train)
  const ytr = Array.from(train, (i) => d.y[i])
  const xte = take(d.x, test)
  const yte = Array.from(test, (i) => d.y[i])
  // batch predict: 100k rows of the set (all of it when smaller), as on the Python side
  const nPred = Math.min(100_000, d.x.nRows)
  const xPred: Matrix = { data: d.x.data.subarray(0, nPred * d.x.nCols), nRows: nPred, nCols: d.x.nCols }
  const rows: Row[] = []
  for (const nJobs of [1, 2]) {
    const make = () => (d.task === 'classification' ? new HistGradientBoostingClassifier({ ...PARAMS, nJobs }) : new HistGradientBoostingRegressor({ ...PARAMS, nJobs }))
    // one untimed fit first when several are timed (as on the Python side): the first two-thread fit
    // after one-thread ones runs 10–30 % slower while the idle worker's core and code warm up again
    const fit = timedCpu(() => make().fit(xtr, ytr), repeats, repeats > 1 ? 1 : 0)
    const model = fit.out
    let score: number
    if (model instanceof HistGradientBoostingClassifier) score = accuracyScore(yte, model.predict(xte))
    else score = rmse(yte, model.predict(xte))
    // two untimed calls first, on both sides: a service that predicts often (ours compiles its trees after 100k batch rows)
    const pred = timed(() => (model instanceof HistGradientBoostingClassifier ? model.predictProba(xPred) : model.predict(xPred)), Math.max(3, repeats), 2)
    const one = Array.from({ length: Math.min(1000, xte.nRows) }, (_, i) => xte.data.subarray(i * xte.nCols, (i + 1) * xte.nCols))
    const calls = 20_000
    for (let i = 0; i < 2000; i++) model.predictOne(one[i % one.length])
    const t = performance.now()
    for (let i = 0; i < calls; i++) model.predictOne(one[i % one.length])
    const singleMs = (performance.now() - t) / calls
    // other seeds (untimed, two threads: the model is the same for every nJobs)
    const seedScores = [score]
    for (let seed = 1; nJobs === 1 && seed < seeds; seed++) {
      const m = d.task === 'classification' ? new HistGradientBoostingClassifier({ ...PARAMS, nJobs: 2, seed }).fit(xtr, ytr) : new HistGradientBoostingRegressor({ ...PARAMS, nJobs: 2, seed }).fit(xtr, ytr)
      seedScores.push(m instanceof HistGradientBoostingClassifier ? accuracyScore(yte, m.predict(xte)) : rmse(yte, m.predict(xte)))
    }
    rows.push({ set: d.name, who: 'ours', threads: nJobs, fitMs: fit.ms, fitCpuMs: fit.cpuMs, fitCallingCpuMs: fit.callingCpuMs, score, predictMs: pred.ms, predictRows: nPred, singleMs, ...(seeds > 1 && nJobs === 1 ? { seedScores } : {}) })
    // the model's checksum (its JSON without nJobs): the same for every nJobs, and across a change that must not alter models
    const checksum = createHash('sha1')
      .update(JSON.stringify(model, (key, v: unknown) => (key === 'nJobs' ? undefined : v)))
      .digest('hex')
      .slice(0, 10)
    console.error(`  ours ${d.name} nJobs=${nJobs}: fit ${fit.ms.toFixed(0)} ms (CPU ${fit.cpuMs.toFixed(0)} ms, calling thread ${fit.callingCpuMs.toFixed(0)} ms), score ${score.toFixed(4)}, predict ${pred.ms.toFixed(1)} ms, one row ${singleMs.toPrecision(2)} ms, model ${checksum}`)
  }
  return rows
}

/**
 * CPU ms the calling thread has used (utime + stime of /proc/self/task/<pid>/stat, in clock ticks
 * of 10 ms): NaN where /proc is missing. With two threads, this thread takes part in every
 * threaded task and does all the serial work, so one-thread CPU / this is what two free cores could
 * give at most, whatever the load while measuring.
 */
function callingThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return NaN
  }
}

/** Median wall ms and median process CPU ms (process.cpuUsage: every thread of the process) of `repeats` calls, after `warmup` untimed ones. */
function timedCpu<T>(fn: () => T, repeats: number, warmup = 0): { ms: number; cpuMs: number; callingCpuMs: number; out: T } {
  for (let i = 0; i < warmup; i++) fn()
  const wall: number[] = []
  const cpu: number[] = []
  const calling: number[] = []
  let out!: T
  for (let i = 0; i < repeats; i++) {
    const t = performance.now()
    const c = process.cpuUsage()
    const own = callingThreadCpuMs()
    out = fn()
    calling.push(callingThreadCpuMs() - own)
    const d = process.cpuUsage(c)
    cpu.push((d.user + d.system) / 1000)
    wall.push(performance.now() - t)
  }
  return { ms: median(wall), cpuMs: median(cpu), callingCpuMs: median(calling), out }
}

function rmse(y: number[], pred: Float64Array): number {
  let s = 0
  for (let i = 0; i < y.length; i++) s += (y[i] - pred[i]) ** 2
  return Math.sqrt(s / y.length)
}

function python(tmp: string, who: 'sklearn' | 'xgboost', env: Record<string, string>, set: string): Row[] {
  const script = fileURLToPath(new URL('./boosting_bench.py', import.meta.url))
  const r = spawnSync('/usr/bin/python3', [script, tmp, who, set], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`boosting_bench.py ${who} failed (status ${r.status})`)
  return JSON.parse(r.stdout) as Row[]
}

const f = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2))

async function main(): Promise<void> {
  const sets: DataSet[] = [
    titanic(),
    numericCsv('wine.csv', 'wine', 'classification'),
    numericCsv('diabetes.csv', 'diabetes', 'regression'),
    synthetic(100_000, 'classification', 1),
    synthetic(100_000, 'regression', 2),
    synthetic(100_000, 'classification', 1, 0.1),
    synthetic(100_000, 'regression', 2, 0.1),
    ...(quick ? [] : [synthetic(1_000_000, 'classification', 3), synthetic(1_000_000, 'regression', 4)]),
  ].filter((d) => only === undefined || only.includes(d.name))
  const tmp = mkdtempSync(join(tmpdir(), 'sml-gbm-'))
  const cases: { name: string; task: string; nCols: number; nRows: number; repeats: number; seeds: number }[] = []
  const splits = new Map<string, { train: Uint32Array; test: Uint32Array }>()
  for (const d of sets) {
    const idx = new Random(2024).shuffle(Uint32Array.from({ length: d.x.nRows }, (_, i) => i))
    const nTrain = Math.round(d.x.nRows * 0.8)
    const train = idx.slice(0, nTrain).sort()
    const test = idx.slice(nTrain).sort()
    splits.set(d.name, { train, test })
    writeFileSync(join(tmp, `${d.name}.x`), new Uint8Array(d.x.data.buffer, d.x.data.byteOffset, d.x.data.byteLength))
    writeFileSync(join(tmp, `${d.name}.y`), new Uint8Array(d.y.buffer))
    writeFileSync(join(tmp, `${d.name}.train`), new Uint8Array(train.buffer))
    writeFileSync(join(tmp, `${d.name}.test`), new Uint8Array(test.buffer))
    cases.push({ name: d.name, task: d.task, nCols: d.x.nCols, nRows: d.x.nRows, repeats: d.x.nRows >= 1_000_000 ? 1 : d.x.nRows >= 100_000 ? 3 : 7, seeds: nTrain > BINNING_SUBSAMPLE ? nSeeds : 1 })
  }
  writeFileSync(join(tmp, 'cases.json'), JSON.stringify(cases))
  await warmUpBoostingWorkers(2)
  const load = [loadavg()[0]]
  const rows: Row[] = []
  // warm up the JIT on a small fit of each kind (a long-running service is warm): 24k training rows,
  // enough cells (≥ MIN_THREADED_CELLS) that nJobs 2 runs on the worker threads and warms their code too
  for (const task of ['classification', 'regression'] as const) {
    runOurs({ ...synthetic(30_000, task, 9), name: `warm-up, 30k ${task}` }, Uint32Array.from({ length: 24_000 }, (_, i) => i), Uint32Array.from({ length: 6000 }, (_, i) => 24_000 + i), 1)
  }
  // one set at a time, ours then sklearn then XGBoost, so all three see about the same load; the
  // cores' round trip before and after each set says whether its two-thread figures were measured
  // with the two vCPUs close together or far apart (see core-latency.ts)
  const roundTrips = new Map<string, [number, number]>()
  for (const d of sets) {
    const s = splits.get(d.name)!
    const c = cases.find((c) => c.name === d.name)!
    const before = await coreRoundTripNs()
    rows.push(...runOurs(d, s.train, s.test, c.repeats, c.seeds))
    rows.push(...python(tmp, 'sklearn', { OMP_NUM_THREADS: '1' }, d.name))
    rows.push(...python(tmp, 'xgboost', { XGB_THREADS: xgbThreads }, d.name))
    roundTrips.set(d.name, [before, await coreRoundTripNs()])
    load.push(loadavg()[0])
  }
  await terminateBoostingWorkers()
  rmSync(tmp, { recursive: true, force: true })

  const pyVersions = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, xgboost, sys; print(sklearn.__version__, xgboost.__version__, sys.version.split()[0])'], { encoding: 'utf8' }).stdout.trim().split(' ')
  console.log(`node ${process.version}, scikit-learn ${pyVersions[0]}, xgboost ${pyVersions[1]}, python ${pyVersions[2]}, ${cpus().length} cores, 1-min load average at the start and after each set ${load.map((l) => l.toFixed(1)).join(' → ')}`)
  console.log()
  console.log('| set | task | ours fit 1 thr ms | ours fit 2 thr ms | 2-thr speedup | 2-thr bound: calling-thread CPU ms 1 / 2 thr | sklearn fit (1 OMP thr) | xgb fit 1 thr | xgb fit 2 thr | sklearn / ours (1 thr) | xgb-1 / ours (1 thr) | CPU ms ours / sklearn / xgb-1 | by CPU: sklearn / ours, xgb-1 / ours | score ours / sklearn / xgb | batch predict ms ours / sklearn / xgb-1 (rows) | xgb-1 / ours predict | single-row ms ours / sklearn / xgb-1 | core round trip ns before / after |')
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
  for (const d of sets) {
    const get = (who: string, threads: number) => rows.find((r) => r.set === d.name && r.who === who && r.threads === threads)!
    const o1 = get('ours', 1)
    const o2 = get('ours', 2)
    const sk = get('sklearn', 1)
    const x1 = get('xgboost', 1)
    const x2 = rows.find((r) => r.set === d.name && r.who === 'xgboost' && r.threads === 2)
    const sc = (v: number) => (d.task === 'classification' ? v.toFixed(4) : v.toFixed(3))
    console.log(
      `| ${d.name} | ${d.task === 'classification' ? 'accuracy' : 'RMSE'} | ${f(o1.fitMs)} | ${f(o2.fitMs)} | ${(o1.fitMs / o2.fitMs).toFixed(2)}x | ${f(o1.fitCallingCpuMs!)} / ${f(o2.fitCallingCpuMs!)} = ${(o1.fitCallingCpuMs! / o2.fitCallingCpuMs!).toFixed(2)}x | ${f(sk.fitMs)} | ${f(x1.fitMs)} | ${x2 === undefined ? 'not run' : f(x2.fitMs)} | ${(sk.fitMs / o1.fitMs).toFixed(2)}x | ${(x1.fitMs / o1.fitMs).toFixed(2)}x | ${f(o1.fitCpuMs)} / ${f(sk.fitCpuMs)} / ${f(x1.fitCpuMs)} | ${(sk.fitCpuMs / o1.fitCpuMs).toFixed(2)}x, ${(x1.fitCpuMs / o1.fitCpuMs).toFixed(2)}x | ${sc(o1.score)} / ${sc(sk.score)} / ${sc(x1.score)} | ${f(o1.predictMs)} / ${f(sk.predictMs)} / ${f(x1.predictMs)} (${o1.predictRows}) | ${(x1.predictMs / o1.predictMs).toFixed(2)}x | ${o1.singleMs.toPrecision(2)} / ${sk.singleMs.toPrecision(2)} / ${x1.singleMs.toPrecision(2)} | ${roundTrips.get(d.name)!.map((v) => v.toFixed(0)).join(' / ')} |`,
    )
  }
  const one = (set: string, who: string): Row => rows.find((r) => r.set === set && r.who === who && r.threads === 1)!
  const seeded = sets.filter((d) => one(d.name, 'ours').seedScores !== undefined)
  if (seeded.length === 0) return
  console.log()
  console.log(`Scores over seeds 0..${nSeeds - 1} (ours: seed; scikit-learn: random_state; they choose the ${BINNING_SUBSAMPLE} rows the bin edges come from):`)
  console.log()
  console.log('| set | task | ours min / median / max | sklearn min / median / max | median ours / sklearn | ours by seed | sklearn by random_state |')
  console.log('|---|---|---|---|---|---|---|')
  for (const d of seeded) {
    const o = one(d.name, 'ours').seedScores!
    const k = one(d.name, 'sklearn').seedScores!
    const sc = (v: number) => v.toFixed(4)
    const mmm = (a: number[]) => `${sc(Math.min(...a))} / ${sc(median(a))} / ${sc(Math.max(...a))}`
    console.log(`| ${d.name} | ${d.task === 'classification' ? 'accuracy' : 'RMSE'} | ${mmm(o)} | ${mmm(k)} | ${(median(o) / median(k)).toFixed(4)} | ${o.map(sc).join(' ')} | ${k.map(sc).join(' ')} |`)
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
