// Child process for the concurrency test: inserts `batches` commits of `size` rows with keys offset by `base`.
import { existsSync, writeFileSync } from 'node:fs'
import { openFeatureStore } from '../../config/open-store.js'

const [base, batches, size] = process.argv.slice(2, 5).map(Number)
const barrier = process.argv[5]
// Start together: announce readiness, then wait (bounded) until every writer is ready.
writeFileSync(`${barrier}.${base}`, '')
const others = process.argv.slice(6)
const deadline = Date.now() + 20_000
while (!others.every((o) => existsSync(`${barrier}.${o}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
// The store this child opens is the test's, handed down in SML_HOME / DATABASE_URL / SML_PG_SCHEMA.
const fs = await openFeatureStore()
const fg = await fs.getOrCreateFeatureGroup({
  name: 'contended',
  primaryKey: ['id'],
  schema: [
    { name: 'id', type: 'int' },
    { name: 'writer', type: 'int' },
    { name: 'v', type: 'float' },
  ],
})
for (let b = 0; b < batches; b++) {
  const rows = Array.from({ length: size }, (_, i) => ({ id: base + b * size + i, writer: base, v: Math.random() }))
  await fg.insert(rows, { source: `writer ${base}` })
}
await fs.close()
