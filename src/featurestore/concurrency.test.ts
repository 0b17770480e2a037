import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from './feature-store.js'

const run = promisify(execFile)
const worker = fileURLToPath(new URL('./test-support/insert-worker.ts', import.meta.url))

describe.each(testDialectNames())('concurrent writers on %s', (dialect) => {
  let tdb: TestDatabase
  beforeAll(() => {
    tdb = createTestDatabase(dialect)
  })
  afterAll(async () => {
    await tdb.drop()
  })

  it('two processes inserting into the same group at once lose nothing', async () => {
    const env = { ...process.env, ...tdb.env }
    const batches = 25
    const size = 400
    // Both start before either creates the group, so creation races too.
    const barrier = join(mkdtempSync(join(tmpdir(), 'sml-barrier-')), 'ready')
    const bases = ['0', '1000000']
    await Promise.all(
      bases.map((base) =>
        run(process.execPath, ['--import', 'tsx', worker, base, String(batches), String(size), barrier, ...bases.filter((b) => b !== base)], { env }),
      ),
    )
    const fs = new FeatureStore(await tdb.open())
    try {
      const fg = await fs.getFeatureGroup('contended')
      expect(await fg.count()).toBe(2 * batches * size)
      const commits = await fg.commits()
      expect(commits).toHaveLength(2 * batches)
      expect(commits.every((c) => c.rowsAdded === size && c.rowsUpdated === 0)).toBe(true)
      // Writers really interleaved rather than running one after the other.
      const order = commits.map((c) => c.source)
      const switches = order.filter((s, i) => i > 0 && s !== order[i - 1]).length
      expect(switches).toBeGreaterThan(0)
    } finally {
      await fs.close()
    }
  })
})
