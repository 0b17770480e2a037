// Child of bench/featurestore/run.ts: opens an existing store, reads the `bench` feature view into a training
// split once (warm-up read of its metadata first), and prints time and memory as one JSON line. A process
// of its own so its peak RSS is the read's, not the parent's million row objects.
//   npx tsx bench/featurestore/split-child.ts '{"home":"/tmp/…"}' | '{"url":"postgres://…","schema":"…"}'
import { openDatabase } from '../../src/db/index.js'
import { FeatureStore } from '../../src/featurestore/index.js'

const location = JSON.parse(process.argv[2]) as { home?: string; url?: string; schema?: string }
const db = await openDatabase({ ...location, migrate: false })
const fs = new FeatureStore(db)
const fv = await fs.getFeatureView('bench')
global.gc?.()
const before = process.memoryUsage()
let peakRss = before.rss
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5)
const t = performance.now()
const split = await fv.trainTestSplit({ testSize: 0.2, seed: 42 })
const seconds = (performance.now() - t) / 1000
clearInterval(sampler)
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024)
const arrays = [split.xTrain.data, split.xTest.data, split.yTrain, split.yTest] as ArrayLike<number>[]
const arrayBytes = arrays.reduce((a, x) => a + ((x as unknown as ArrayBufferView).byteLength ?? x.length * 8), 0)
console.log(JSON.stringify({ store: db.displayName, seconds, rows: split.xTrain.nRows + split.xTest.nRows, arrayBytes, baselineRss: before.rss, peakRss }))
await fs.close()
