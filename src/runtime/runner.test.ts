import { describe, expect, it } from 'vitest'
import { ValidationError } from '../db/index.js'
import { KNeighborsClassifier } from '../ml/index.js'
import { ChecksumError } from '../registry/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import type { SqlDialect } from '../db/index.js'
import { definePipeline } from './pipeline.js'
import { RunStore } from './run-store.js'
import { exitCode, runPipeline } from './runner.js'
import { failing, flaky, hung, slow, trainer } from './test-support/pipelines.js'

describe.each(testDialectNames())('pipeline runner on %s', (dialect) => {
  let db: SqlDialect
  let store: RunStore
  const echoed: string[] = []
  const echo = (l: string) => void echoed.push(l)
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    store = new RunStore(db)
  })

  it('retries with exponential backoff, recording each attempt with its own log, then succeeds', async () => {
    const waits: number[] = []
    const out = await runPipeline(flaky, { db, echo, sleep: async (ms) => void waits.push(ms) })
    expect(out.ok).toBe(true)
    expect(exitCode(out)).toBe(0)
    expect(waits).toEqual([20, 40])
    expect(out.runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ])
    expect(new Set(out.runs.map((r) => r.firstAttemptId))).toEqual(new Set([out.runs[0].id]))
    expect(out.runs[0].error).toBe('flaked on attempt 1')
    expect(out.runs[2]).toMatchObject({ rowsWritten: 5, error: null, pid: process.pid, trigger: 'manual' })
    expect(out.runs[2].endedAt!.getTime()).toBeGreaterThanOrEqual(out.runs[2].startedAt.getTime())
    const log1 = (await store.logs(out.runs[0].id)).map((l) => l.message)
    expect(log1[0]).toMatch(/^attempt 1\/3 started/)
    expect(log1).toContain('attempt 1')
    expect(log1.at(-1)).toBe('failed: flaked on attempt 1; retrying in 20 ms')
    expect((await store.logs(out.runs[2].id)).map((l) => l.message).at(-1)).toBe('succeeded, 5 rows written')
    expect((await store.attempts(out.runs[1].id)).map((r) => r.id)).toEqual(out.runs.map((r) => r.id))
  })

  it('records a failure with its error and stack', async () => {
    const out = await runPipeline(failing, { db, echo })
    expect([out.status, exitCode(out)]).toEqual(['failed', 1])
    expect(out.runs).toHaveLength(1)
    expect(out.runs[0].error).toBe('source unavailable')
    const logs = await store.logs(out.runs[0].id)
    expect(logs.some((l) => l.level === 'error' && l.message.startsWith('Error: source unavailable\n'))).toBe(true)
  })

  it('records our errors (refused input in any layer, corrupt data) by their message alone, no stack', async () => {
    const refusals = [
      () => new KNeighborsClassifier().fit([[0, NaN]], ['a']),
      () => {
        throw new ChecksumError('artifact model.json of m v1 does not match its sha256', 'aa', 'bb')
      },
    ]
    for (const [i, refuse] of refusals.entries()) {
      const waits: number[] = []
      const out = await runPipeline(definePipeline({ name: `refuses_${i}`, retries: 2, run: () => void refuse() }), { db, echo, sleep: async (ms) => void waits.push(ms) })
      expect(out.status).toBe('failed')
      const errors = (await store.logs(out.runs[0].id)).filter((l) => l.level === 'error').map((l) => l.message)
      // A refused input is retried (a feed can answer a maintenance page); corrupt data would fail the same way.
      expect([out.runs.length, waits]).toEqual(i === 0 ? [3, [1000, 2000]] : [1, []])
      expect(errors).toEqual([`failed: ${out.runs[0].error}${i === 0 ? '; retrying in 1000 ms' : '; not retried: it would fail the same way again'}`])
      expect(out.runs[0].error).toMatch(i === 0 ? /^x\[0\]\[1\] is NaN/ : /does not match its sha256/)
    }
  })

  it('times out an attempt, aborting its signal, even when the pipeline ignores the signal', async () => {
    for (const p of [slow, hung]) {
      const out = await runPipeline(p, { db, echo })
      expect([out.status, exitCode(out)]).toEqual(['timed-out', 124])
      expect(out.runs[0].error).toBe('timed out after 300 ms')
      expect(out.runs[0].endedAt!.getTime() - out.runs[0].startedAt.getTime()).toBeGreaterThanOrEqual(290)
    }
  })

  it('gives the pipeline the stores and records rows written and the model version produced', async () => {
    const out = await runPipeline(trainer, { db, echo })
    expect(out.ok).toBe(true)
    expect(out.runs[0]).toMatchObject({ rowsWritten: 3, model: { name: 'trainer_model', version: 1 } })
    expect((await store.logs(out.runs[0].id)).map((l) => l.message)).toContain('trained 3 trees')
    const runs = await store.list({ pipeline: 'trainer' })
    expect(runs.map((r) => r.id)).toEqual([out.runs[0].id])
  })

  it('marks runs whose process is gone as abandoned, and leaves live ones alone', async () => {
    const live = await store.start({ pipeline: 'ghost', trigger: 'manual', attempt: 1 })
    const dead = await store.start({ pipeline: 'ghost', trigger: 'manual', attempt: 1 })
    await db.kysely.updateTable('sml_runs').set({ pid: 999_999 }).where('id', '=', dead.id).execute()
    await db.kysely.updateTable('sml_runs').set({ pid: 999_998 }).where('id', '=', live.id).execute()
    const marked = await store.markAbandoned((pid) => pid === 999_998)
    expect(marked.map((r) => r.id)).toEqual([dead.id])
    expect((await store.get(dead.id)).status).toBe('abandoned')
    expect((await store.get(live.id)).status).toBe('running')
    // Finishing an abandoned run later does not resurrect it.
    expect((await store.finish(dead.id, { status: 'succeeded' })).status).toBe('abandoned')
    await store.finish(live.id, { status: 'failed', error: 'test' })
  })

  it('refuses bad definitions at definition time', () => {
    expect(() => definePipeline({ name: 'Bad Name', run() {} })).toThrow(ValidationError)
    expect(() => definePipeline({ name: 'x', retries: -1, run() {} })).toThrow(/retries/)
    expect(() => definePipeline({ name: 'x', schedule: 'daily', run() {} })).toThrow(/schedule/)
  })
})
