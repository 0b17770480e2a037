// The pipeline the cold-start bench runs: loaded by the built CLI through SML_PIPELINES_MODULE.
import { definePipeline } from 'serverless-ml'

export const noop = definePipeline({
  name: 'noop',
  description: 'does nothing: measures the runtime itself',
  run(ctx) {
    ctx.log.info('noop')
  },
})
