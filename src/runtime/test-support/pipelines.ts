// Fixture pipelines for the runtime tests; child processes load them through SML_PIPELINES_MODULE.
import { fileURLToPath } from 'node:url'
import { definePipeline } from '../pipeline.js'

export const FIXTURE_PIPELINES_MODULE = fileURLToPath(import.meta.url)

export const noop = definePipeline({
  name: 'noop',
  description: 'does nothing (cold-start measurements)',
  run(ctx) {
    ctx.log.info('hello from noop')
  },
})

/** Fails on its first two attempts, succeeds on the third. */
export const flaky = definePipeline({
  name: 'flaky',
  retries: 2,
  backoffMs: 20,
  async run(ctx) {
    ctx.log.info(`attempt ${ctx.attempt}`)
    if (ctx.attempt < 3) throw new Error(`flaked on attempt ${ctx.attempt}`)
    ctx.reportRows(5)
  },
})

export const failing = definePipeline({
  name: 'failing',
  async run() {
    throw new Error('source unavailable')
  },
})

/** Never finishes on its own; stops only when aborted by its timeout. */
export const slow = definePipeline({
  name: 'slow',
  timeoutMs: 300,
  async run(ctx) {
    ctx.log.info('waiting')
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
  },
})

/** Ignores its abort signal entirely, like a hung network call. */
export const hung = definePipeline({
  name: 'hung',
  timeoutMs: 300,
  async run() {
    await new Promise(() => {})
  },
})

/** Announces itself and then waits (for the crash test to kill it). */
export const sleepy = definePipeline({
  name: 'sleepy',
  async run(ctx) {
    ctx.log.info('sleeping')
    await new Promise((resolve) => setTimeout(resolve, 60_000))
  },
})

/** Writes features and registers a model, reporting both. */
export const trainer = definePipeline({
  name: 'trainer',
  async run(ctx) {
    const fg = await ctx.featureStore.getOrCreateFeatureGroup({
      name: 'trainer_points',
      primaryKey: ['id'],
      schema: [
        { name: 'id', type: 'int' },
        { name: 'x', type: 'float' },
      ],
    })
    const c = await fg.insert([{ id: 1, x: 1 }, { id: 2, x: 2 }, { id: 3, x: 3 }])
    ctx.reportRows(c.rowsAdded)
    const p = ctx.progress('training', 3)
    for (let i = 1; i <= 3; i++) p.update(i)
    p.stop('trained 3 trees')
    const v = await ctx.registry.create({ name: 'trainer_model', metrics: { accuracy: 1 }, commitId: c.id, model: { kind: 'constant' } })
    ctx.reportModel(v)
  },
})

/** Every second (or the cron in SML_TEST_TICKER_CRON, read in UTC), for the worker tests. */
export const ticker = definePipeline({
  name: 'ticker',
  schedule: process.env.SML_TEST_TICKER_CRON ?? '* * * * * *',
  run(ctx) {
    ctx.log.info(`tick ${ctx.scheduledFor?.toISOString()}`)
  },
})
