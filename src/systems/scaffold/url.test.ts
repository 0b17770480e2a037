// `sml init --from URL` end to end: a project scaffolded from a CSV a local HTTP server publishes, loaded as a
// user's config, backfilled, then fed the rows the publisher appends, on each database.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config/index.js'
import { tempProject } from '../../config/test-support/project.js'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { FeatureStore } from '../../featurestore/index.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { runPipeline } from '../../runtime/index.js'
import { systemFeatureGroup } from '../feature-groups.js'
import { scaffoldProjectFromUrl } from './index.js'
import { splitCsv, startCsvFeed, type CsvFeed } from './test-support/csv-feed.js'

const quiet = { echo: () => {}, sleep: async () => {} }
// Titanic's first 600 passengers are published at first; `passengerid` increases down the file, so it is the
// daily fetch's position.
const { head, rest } = splitCsv(readFileSync(join(DATA_DIR, 'titanic.csv'), 'utf8'), 600)

describe.each(testDialectNames())('a project scaffolded from a CSV URL on %s', (dialect) => {
  let db: SqlDialect
  useTestDatabase(dialect, (_tdb, database) => {
    db = database
  })
  let feed: CsvFeed
  const root = tempProject()
  beforeAll(async () => {
    feed = await startCsvFeed('passengers.csv', head)
  })
  afterAll(async () => {
    await feed.close()
    root.remove()
  })

  it('backfills what was published, then each daily run adds exactly the rows appended since the last', async () => {
    const dir = join(root.dir, `voyage_${dialect}`)
    const made = await scaffoldProjectFromUrl({ dir, from: feed.url, label: 'survived', name: 'voyage' })
    expect(made.plan.daily).toMatchObject({ kind: 'fetch', after: 'passengerid' })
    expect(readFileSync(join(dir, 'voyage.csv'), 'utf8')).toBe(head)
    const config = await loadConfig(undefined, { cwd: dir, home: join(dir, '.sml') })
    expect(config.systems[0].source).toMatchObject({ file: 'voyage.csv', url: feed.url })
    const run = async (kind: string, at: string) => {
      const p = config.pipelines.find((x) => x.name === `voyage-${kind}`)!
      const outcome = await runPipeline(p, { db, scheduledFor: new Date(at), ...quiet })
      expect(outcome.ok, outcome.runs.at(-1)?.error ?? '').toBe(true)
    }
    const fg = await systemFeatureGroup(new FeatureStore(db), config.systems[0])

    await run('feature', '2026-03-01T00:00:00Z')
    expect(await fg.count()).toBe(600)
    feed.append(rest.slice(0, 7))
    const hits = feed.hits
    await run('daily', '2026-03-02T06:00:00Z')
    expect(feed.hits).toBe(hits + 1) // downloaded again, not read from the backfill's cache
    expect(await fg.count()).toBe(607)
    const added = await fg.read({ sinceCommit: (await fg.commits()).at(-2)!.id })
    expect(added.map((r) => r.passengerid).sort((a, b) => Number(a) - Number(b))).toEqual([601, 602, 603, 604, 605, 606, 607])
    await run('daily', '2026-03-03T06:00:00Z')
    expect(await fg.count()).toBe(607)
    expect((await new FeatureStore(db).sourcePosition('voyage'))?.position).toBe('607')
  })
})
