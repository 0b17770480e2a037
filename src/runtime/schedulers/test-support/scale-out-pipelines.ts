// Fixture pipelines for the pg-boss scale-out test; worker processes load them through SML_PIPELINES_MODULE.
import { fileURLToPath } from 'node:url'
import { definePipeline } from '../../pipeline.js'

export const SCALE_OUT_PIPELINES_MODULE = fileURLToPath(import.meta.url)

// The test picks three exact seconds a little ahead and passes them as a 6-field cron.
const cron = process.env.SML_TEST_TICK_CRON ?? '0 0 1 1 *'

export const tickA = definePipeline({
  name: 'tick_a',
  schedule: cron,
  run(ctx) {
    ctx.log.info(`tick ${ctx.scheduledFor?.toISOString()}`)
  },
})

export const tickB = definePipeline({
  name: 'tick_b',
  schedule: cron,
  run(ctx) {
    ctx.log.info(`tick ${ctx.scheduledFor?.toISOString()}`)
  },
})

/** Scheduled yearly (the test enqueues its tick); the first attempt stalls until its worker is killed, the next succeeds. */
export const crashy = definePipeline({
  name: 'crashy',
  schedule: '0 0 1 1 *',
  timeoutMs: 4000,
  async run(ctx) {
    if (ctx.attempt > 1) return ctx.log.info(`recovered on attempt ${ctx.attempt}`)
    ctx.log.info('stalling')
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 60_000)
      ctx.signal.addEventListener('abort', () => (clearTimeout(t), resolve()))
    })
  },
})
