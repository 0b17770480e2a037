import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import type { FeatureGroup } from './feature-group.js'
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
    let writing = true
    const writers = Promise.all(
      bases.map((base) =>
        run(process.execPath, ['--import', 'tsx', worker, base, String(batches), String(size), barrier, ...bases.filter((b) => b !== base)], { env }),
      ),
    ).finally(() => (writing = false))
    const fs = new FeatureStore(await tdb.open())
    try {
      // Meanwhile a batch-inference-style reader follows the commits with a "since" cursor: it must see
      // every row once, however the writers' commits interleave.
      const seen: number[] = []
      let cursor = 0
      const poll = async (fg: FeatureGroup) => {
        const latest = (await fg.latestCommit())?.id
        if (latest === undefined) return
        seen.push(...(await fg.read({ sinceCommit: cursor, asOf: latest })).map((r) => Number(r.id)))
        cursor = latest
      }
      let fg: FeatureGroup | undefined
      while (writing) {
        fg ??= (await fs.listFeatureGroups()).find((g) => g.name === 'contended' && g.schema.length > 0)
        if (fg) await poll(fg)
        await new Promise((r) => setImmediate(r))
      }
      await writers
      fg = await fs.getFeatureGroup('contended')
      await poll(fg)
      expect(seen.length).toBe(2 * batches * size)
      expect(new Set(seen).size).toBe(seen.length)
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
