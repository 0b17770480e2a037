/**
 * Checks that predictOne(row) and predictProbaOne(row, out) allocate nothing once warm: counts the
 * garbage collections V8 reports during 300k calls per estimator (each allocation of even a tiny
 * Float64Array would force several scavenges). Exits 1 when one is seen.
 *   npx tsx bench/ml/alloc-check.ts
 */
import { PerformanceObserver } from 'node:perf_hooks'
import {
  DecisionTreeClassifier,
  HistGradientBoostingClassifier,
  KNeighborsClassifier,
  Random,
  RandomForestClassifier,
  type Classifier,
} from '../../src/ml/index.js'

let gcs = 0
const obs = new PerformanceObserver((list) => {
  gcs += list.getEntries().length
})
obs.observe({ entryTypes: ['gc'] })
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

const r = new Random(1)
const x = Array.from({ length: 3000 }, () => Array.from({ length: 6 }, () => r.uniform(-1, 1)))
const y = x.map((v) => (v[0] + v[1] > 0 ? 'a' : v[2] > 0 ? 'b' : 'c'))
const rows = x.slice(0, 100).map((v) => Float64Array.from(v))
const models: Classifier[] = [
  new RandomForestClassifier({ nEstimators: 30, nJobs: 1 }),
  new KNeighborsClassifier(),
  new DecisionTreeClassifier(),
  new HistGradientBoostingClassifier({ maxIter: 50 }),
]
let failed = false
for (const m of models) {
  m.fit(x, y)
  const out = new Float64Array(3)
  for (let i = 0; i < 20_000; i++) {
    m.predictOne(rows[i % 100])
    m.predictProbaOne(rows[i % 100], out)
  }
  await tick()
  gcs = 0
  for (let i = 0; i < 300_000; i++) {
    m.predictOne(rows[i % 100])
    m.predictProbaOne(rows[i % 100], out)
  }
  await tick()
  console.log(`${m.constructor.name}: ${gcs} GCs during 600k single-row calls`)
  if (gcs > 0) failed = true
}
obs.disconnect()
process.exit(failed ? 1 : 0)
