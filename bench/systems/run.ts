// The two systems end to end, measured:
//   1. test accuracy of our models beside scikit-learn's trained on the very same recorded split, and beside
//      the serving model's accuracy on 2,000 synthetic rows drawn as the daily pipeline draws them;
//   2. bootstrapping a fresh store (what `npm start` does before serving) and the whole 8-pipeline
//      cycle as separate `sml run` processes (needs `npm run build` first).
//   npx tsx bench/systems/run.ts            (SML_DATA_DIR defaults to ../shared/data)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../../src/db/index.js'
import { FeatureStore } from '../../src/featurestore/index.js'
import { ModelRegistry } from '../../src/registry/index.js'
import { bootstrapSystem, iris, syntheticAccuracy, systemFeatureView, titanic, type SyntheticAccuracy, type SystemDescription } from '../../src/systems/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
// A bench is an edge: it reads SML_DATA_DIR once and passes it down.
const dataDir = process.env.SML_DATA_DIR ?? join(root, '..', 'shared', 'data')
const work = mkdtempSync(join(tmpdir(), 'sml-bench-systems-'))
const systems: SystemDescription[] = [iris, titanic]

// 1. Fresh store, bootstrapped in-process (timed), then the recorded splits exported for scikit-learn.
const db = await openDatabase({ home: join(work, 'a') })
let t = performance.now()
for (const s of systems) await bootstrapSystem(db, s, { echo: () => {}, settings: { source: { dataDir } } })
const bootstrapSeconds = (performance.now() - t) / 1000
const fs = new FeatureStore(db)
const registry = new ModelRegistry(db)
const ours: Record<string, number> = {}
const specs: string[] = []
const synthetic: SyntheticAccuracy[] = []
for (const s of systems) {
  const model = await registry.get(s.model.name)
  ours[s.name] = model.metrics.accuracy
  synthetic.push(await syntheticAccuracy(fs, registry, s, 2000, 1))
  const fv = await systemFeatureView(fs, s)
  const split = await fv.getTrainTestSplit(model.lineage.trainingDatasetVersion!)
  const prefix = join(work, s.name)
  const rows = (m: typeof split.xTrain) => Array.from({ length: m.nRows }, (_, i) => Array.from(m.data.subarray(i * m.nCols, (i + 1) * m.nCols)).join(',')).join('\n')
  writeFileSync(`${prefix}_xtrain.csv`, rows(split.xTrain))
  writeFileSync(`${prefix}_xtest.csv`, rows(split.xTest))
  writeFileSync(`${prefix}_ytrain.csv`, Array.from(split.yTrain as ArrayLike<unknown>).join('\n'))
  writeFileSync(`${prefix}_ytest.csv`, Array.from(split.yTest as ArrayLike<unknown>).join('\n'))
  specs.push(`${s.name}=${prefix}`)
}
await db.close()
const env: NodeJS.ProcessEnv = { ...process.env, SML_DATA_DIR: dataDir }
delete env.OPENBLAS_CORETYPE
delete env.OPENBLAS_L2_SIZE
const sk = execFileSync('/usr/bin/python3', [join(root, 'bench/systems/sklearn_same_split.py'), ...specs], { env, encoding: 'utf8' })
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { system: string; accuracy: number; test_rows: number })

console.log('test accuracy on the same recorded split (goal: ours ≥ 0.93 iris / 0.78 titanic, within 1.5 points of scikit-learn)')
console.table(
  sk.map((r) => ({
    system: r.system,
    'test rows': r.test_rows,
    ours: +ours[r.system].toFixed(4),
    'scikit-learn': +r.accuracy.toFixed(4),
    'difference (points)': +((ours[r.system] - r.accuracy) * 100).toFixed(2),
  })),
)

console.log('serving model: test accuracy beside accuracy on 2,000 synthetic rows (goal: within 5 points)')
console.table(
  synthetic.map((r) => ({
    system: r.system,
    model: `v${r.modelVersion}`,
    'test accuracy': +r.test.toFixed(4),
    'synthetic accuracy (2,000 rows)': +r.synthetic.toFixed(4),
    'difference (points)': +((r.synthetic - r.test) * 100).toFixed(2),
  })),
)

// 2. The 8-pipeline cycle as fresh processes on another fresh store (what a scheduler would do).
const cli = join(root, 'dist/bin/main.js')
const cycleEnv = { ...process.env, SML_HOME: join(work, 'b'), DATABASE_URL: '', SML_DATA_DIR: dataDir }
const order = ['feature', 'training', 'daily', 'batch-inference']
const times: { pipeline: string; ms: number }[] = []
t = performance.now()
for (const step of order)
  for (const s of systems) {
    const t0 = performance.now()
    execFileSync(process.execPath, [cli, 'run', `${s.name}-${step}`], { env: cycleEnv, stdio: 'ignore' })
    times.push({ pipeline: `${s.name}-${step}`, ms: Math.round(performance.now() - t0) })
  }
const cycleSeconds = (performance.now() - t) / 1000
console.table(times)
console.table([
  { step: 'bootstrap both systems in-process (backfill + train)', seconds: +bootstrapSeconds.toFixed(2), goal: 'part of npm start < 30 s' },
  { step: '8-pipeline cycle, each a fresh `sml run` process', seconds: +cycleSeconds.toFixed(2), goal: '< 10 s' },
])
rmSync(work, { recursive: true, force: true })
