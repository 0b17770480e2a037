import { describe, expect, it } from 'vitest'
import { ValidationError } from '../db/index.js'
import { KNeighborsClassifier } from '../ml/index.js'
import { ChecksumError } from '../registry/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import type { SqlDialect } from '../db/index.js'
import { definePipeline, type PipelineContext } from './pipeline.js'
import { RunStore } from './run-store.js'
import { exitCode, isRetryable, runPipeline } from './runner.js'
import { classify, ConflictError } from '../errors/index.js'
import { SchemaChangedError } from '../featurestore/definition-drift.js'
import { SourceFetchError } from '../systems/source.js'
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

  it('records our errors (refused input in any layer, corrupt data) by their message alone, no stack, and does not retry them', async () => {
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
      const logs = await store.logs(out.runs[0].id)
      const errors = logs.filter((l) => l.level === 'error').map((l) => l.message)
      // A refused input would be refused again, as corrupt data would fail the same way: one attempt each.
      expect([out.runs.length, waits]).toEqual([1, []])
      expect(errors).toEqual([`failed: ${out.runs[0].error}; not retried: it would fail the same way again`])
      expect(logs.some((l) => l.message.includes('    at '))).toBe(false)
      expect(out.runs[0].error).toMatch(i === 0 ? /^x\[0\]\[1\] is NaN/ : /does not match its sha256/)
    }
  })

  it('retries only failures that may pass: every client-side kind (invalid, schema changed, not found, conflict) fails at once', async () => {
    const schema = [
      { name: 'id', type: 'int' as const },
      { name: 'v', type: 'float' as const },
    ]
    const cases: [string, (ctx: PipelineContext) => Promise<void>, number][] = [
      ['schema_changed', async (ctx) => {
        await ctx.featureStore.getOrCreateFeatureGroup({ name: 'retry_diab', primaryKey: ['id'], schema })
        await ctx.featureStore.getOrCreateFeatureGroup({ name: 'retry_diab', primaryKey: ['id'], schema: [...schema, { name: 'w', type: 'int' }] })
      }, 1],
      ['not_found', async (ctx) => void (await ctx.featureStore.getFeatureGroup('retry_nowhere')), 1],
      ['conflict', async () => {
        throw new ConflictError('the position moved')
      }, 1],
      ['fetch_failed', async () => {
        throw new SourceFetchError('HTTP 502')
      }, 3],
      ['unexpected', async () => {
        throw new Error('connection reset')
      }, 3],
    ]
    for (const [name, run, attempts] of cases) {
      const out = await runPipeline(definePipeline({ name: `retry_${name}`, retries: 2, run }), { db, echo, sleep: async () => {} })
      expect([name, out.status, out.runs.length]).toEqual([name, 'failed', attempts])
    }
    const [changed] = (await runPipeline(definePipeline({ name: 'retry_schema_again', retries: 2, run: cases[0][1] }), { db, echo, sleep: async () => {} })).runs
    expect(changed.error).toMatch(/feature group retry_diab v1 already exists with a different schema/)
    expect(isRetryable(classify(new SchemaChangedError('g', 1, [], 2, [])).kind)).toBe(false)
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
