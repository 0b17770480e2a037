// Pipelines for the fault tests, loaded by child processes through SML_PIPELINES_MODULE.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { definePipeline } from '../../src/runtime/index.js'

export const FAULT_PIPELINES_MODULE = fileURLToPath(import.meta.url)

/**
 * Every second; while the file named by SML_FAULT_HOLD exists it announces itself and then waits (so a test
 * can kill the worker mid-run); once the file is gone it writes one row and succeeds.
 */
export const holder = definePipeline({
  name: 'fault-holder',
  schedule: '* * * * * *',
  async run(ctx) {
    const hold = process.env.SML_FAULT_HOLD
    if (hold && existsSync(hold)) {
      ctx.log.info(`holding (pid ${process.pid})`)
      await new Promise((resolve) => setTimeout(resolve, 60_000))
    }
    const fg = await ctx.featureStore.getOrCreateFeatureGroup({
      name: 'fault_ticks',
      primaryKey: ['tick'],
      schema: [
        { name: 'tick', type: 'int' },
        { name: 'run_id', type: 'int' },
      ],
    })
    const c = await fg.insert([{ tick: ctx.scheduledFor?.getTime() ?? Date.now(), run_id: ctx.runId }])
    ctx.reportRows(c.rowsAdded)
    ctx.log.info('done')
  },
})
