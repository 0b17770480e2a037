import { readdirSync, readFileSync } from 'node:fs'
import { getPriority } from 'node:os'
import { describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { ModelRegistry } from '../registry/index.js'
import { featureDrift, iris, runDemo, systemFeatureGroup } from '../systems/index.js'
import { RequestLog, requestsFeatureGroup, uuidv7 } from './request-log.js'
import type { RequestLogWriter } from './request-log-writer.js'

const data = { source: { dataDir: DATA_DIR } }

describe('uuidv7', () => {
  it('is a version-7 RFC 9562 UUID carrying its millisecond', () => {
    const id = uuidv7(Date.UTC(2026, 10, 27, 1, 2, 3, 456))
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.UTC(2026, 10, 27, 1, 2, 3, 456))
  })

  it('increases within and across milliseconds, so inserts append', () => {
    const ids = [uuidv7(1000), uuidv7(1000), uuidv7(1000), uuidv7(1001), uuidv7(1002), uuidv7(1002)]
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
  })
})

describe.each(testDialectNames())('request log on %s', (dialect) => {
  let db: SqlDialect
  let fs: FeatureStore
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    fs = new FeatureStore(db)
    await runDemo(db, [iris], { days: 1, until: new Date('2026-05-03T12:00:00Z'), settings: data })
  })
  const answer = { prediction: 'Setosa', probability: 1, modelVersion: 1 }
  const rowsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ sepal_length: 5 + (i % 10) / 10, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }))
  const stored = async () => (await requestsFeatureGroup(fs, iris)).count()

  it('writes every logged row (off the event loop, on a writer thread), in batches, and flushes on close', async () => {
    const before = await stored()
    const log = new RequestLog(db, { batchRows: 300 })
    let sent = 0
    for (let i = 0; i < 200; i++) {
      const n = 1 + (i % 25)
      log.add(iris, rowsOf(n), Array(n).fill(answer))
      sent += n
      if (i % 50 === 0) await new Promise((r) => setImmediate(r))
    }
    await log.close()
    expect(log.stats()).toMatchObject({ queued: 0, written: sent, dropped: 0, failed: 0 })
    expect((await stored()) - before).toBe(sent)
    // after close nothing more is queued or written
    log.add(iris, rowsOf(3), Array(3).fill(answer))
    expect(log.stats().queued).toBe(0)
  })

  it.runIf(process.platform === 'linux')('runs its writer thread 10 nice levels below the server, the requests it logs first (Linux)', async () => {
    const expected = String(Math.min(19, getPriority() + 10))
    // nice of each thread of this process (field 19 of /proc/self/task/<tid>/stat)
    const niceThreads = () =>
      readdirSync('/proc/self/task').filter((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16] === expected
      }).length
    const before = niceThreads()
    const log = new RequestLog(db)
    await log.start()
    expect(niceThreads()).toBe(before + 1)
    log.add(iris, rowsOf(3), Array(3).fill(answer))
    await log.close()
    expect(log.stats()).toMatchObject({ written: 3, dropped: 0 })
    expect(niceThreads()).toBe(before)
  })

  it('rows are validated as any insert: a row the store refuses fails its batch (counted), and the next batch is written', async () => {
    const before = await stored()
    const errors: string[] = []
    const log = new RequestLog(db, { onError: (e) => errors.push((e as Error).message) })
    log.add(iris, [{ ...rowsOf(1)[0], sepal_length: NaN }, ...rowsOf(2)], Array(3).fill(answer))
    await log.flush()
    expect(log.stats()).toMatchObject({ queued: 0, written: 0, failed: 3 })
    expect(errors.join()).toMatch(/sepal_length/)
    // a Prediction as serving returns it: the probability of the predicted class is read from its probabilities
    log.add(iris, rowsOf(2), Array(2).fill({ prediction: 'Setosa', probabilities: { Setosa: 0.5, Versicolor: 0.25, Virginica: 0.25 }, modelVersion: 1 }))
    await log.close()
    expect(log.stats()).toMatchObject({ queued: 0, written: 2, failed: 3 })
    expect((await stored()) - before).toBe(2)
    const fg = await requestsFeatureGroup(fs, iris)
    expect(new Set((await fg.read()).slice(-2).map((r) => r.probability))).toEqual(new Set([0.5]))
  })

  it('keeps its queue bounded when the writer stalls: the API goes on, rows are dropped and counted', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const writes: number[] = []
    const stalled: RequestLogWriter = {
      async write(batch) {
        await gate
        writes.push(batch.rows.length)
        return { written: batch.rows.length, pruned: 0 }
      },
      close: async () => undefined,
      ready: Promise.resolve(),
    }
    const log = new RequestLog(db, { writer: stalled, maxQueuedRows: 50, batchRows: 20, onError: () => undefined })
    for (let i = 0; i < 200; i++) log.add(iris, rowsOf(1), [answer])
    expect(log.stats().queued).toBeLessThanOrEqual(50)
    expect(log.stats().dropped).toBe(150)
    release()
    await log.close()
    expect(writes.reduce((a, b) => a + b, 0)).toBe(50)
    expect(log.stats()).toMatchObject({ queued: 0, written: 50, dropped: 150 })
  })

  it('retention: keeps the age window and the row bound, pruning whole old commits a little at a time; drift reads what is kept', async () => {
    const fg = await requestsFeatureGroup(fs, iris)
    await fg.pruneCommits({ keepRows: 0, maxCommits: 1_000_000 }) // start from an empty log
    let now = Date.UTC(2026, 4, 1)
    const log = new RequestLog(db, { batchRows: 100, maxRows: 450, maxAgeDays: 30, pruneEveryMs: 0, now: () => now })
    // 10 days × 100 rows, one commit each; the row bound keeps the newest 4 commits (400 ≤ 450 rows)
    for (let day = 0; day < 10; day++) {
      log.add(iris, rowsOf(100), Array(100).fill(answer))
      await log.flush()
      now += 86_400_000
    }
    expect(await fg.count()).toBe(400)
    expect((await fg.commits()).length).toBe(4)
    // 40 days later, every old commit is past the window: only the newest write remains
    now += 40 * 86_400_000
    log.add(iris, rowsOf(7), Array(7).fill(answer))
    await log.close()
    expect(await fg.count()).toBe(7)
    expect(log.stats().pruned).toBe(1000)
    const drift = await featureDrift(fs, new ModelRegistry(db), iris, { now: new Date(now), windowDays: 30 })
    expect(drift?.currentRows.requests).toBe(7)
  })

  it('refuses to prune a group that a feature view reads', async () => {
    await expect((await systemFeatureGroup(fs, iris)).pruneCommits({ keepRows: 0 })).rejects.toThrow(/feature view iris reads feature group iris v1, so its commits cannot be pruned/)
  })
})
