import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { NotFoundError, ValidationError } from '../../errors/index.js'
import type { Row } from '../../featurestore/index.js'
import { predictRows, type Prediction, type SystemDescription } from '../../systems/index.js'
import { bodyLimit } from '../body-limit.js'
import { fastPredictInput } from '../fast-input.js'
import { MAX_BATCH, maxBodyBytes, MIN_BODY_BYTES, parsePredictInput } from '../predict-input.js'
import type { WebServices } from '../services.js'
import { runsQuery } from './ops-api.js'


/**
 * The predict API's one media type: `application/json`, with parameters (`; charset=utf-8`) or none, any case.
 * Anything else is refused with 415 — text/plain, a form type or no content type at all is what a page on another
 * site can POST without a CORS preflight, and each such request would be answered and logged as a prediction.
 */
export const JSON_CONTENT_TYPE = /^application\/json[ \t]*(;|$)/i

/** The 415 answer for a body whose content type is not JSON (`type` as sent, or undefined when absent). */
function unsupportedContentType(type: string | undefined): { error: string; issues: { field: string; reason: string }[] } {
  return {
    error: `content-type must be application/json, got ${type === undefined || type === '' ? 'none' : JSON.stringify(type)}: send the JSON body with the header content-type: application/json`,
    issues: [{ field: '(body)', reason: 'unsupported content-type' }],
  }
}

/** Finds the system named in the path, or answers 404 naming the known ones. */
export function systemOr404(services: WebServices, name: string): SystemDescription {
  const s = services.systems.find((x) => x.name === name)
  if (!s) throw new HTTPException(404, { message: `no system ${JSON.stringify(name)} (known: ${services.systems.map((x) => x.name).join(', ')})` })
  return s
}

/**
 * Predicts valid rows with the system's serving model and logs the request: the answer of the predict API, one
 * prediction for one row, an array for a batch (classification: `{ prediction, probabilities, modelVersion }`;
 * regression: `{ prediction: number, unit?, modelVersion }`). Shared by the route and the node:http fast path
 * (fast-predict.ts), so both answer and log alike. Throws what loading the model or predicting throws, before
 * anything is logged.
 */
export async function predictAndLog(services: WebServices, system: SystemDescription, input: { rows: Row[]; batch: boolean }): Promise<Prediction | Prediction[]> {
  const serving = await services.models.get(system)
  const answers = predictRows(serving, input.rows)
  services.requestLog.add(system, input.rows, answers)
  return input.batch ? answers : answers[0]
}

/** How the predict route answers: with a preset JSON answer (security-headers.ts), or by default `c.json`. */
export interface ApiRouteOptions {
  readonly answer?: (value: unknown) => Promise<Response>
}

/** JSON API: predict, monitor, models, runs. */
export function apiRoutes(services: WebServices, options: ApiRouteOptions = {}): Hono {
  const { answer } = options
  const api = new Hono()

  // each system's body limit: a full batch of its rows (maxBodyBytes); an unknown system's body is read up to the least, then 404
  const tooLarge = (limit: number) => (c: Context) => c.json({ error: `request body is larger than ${limit} bytes (a full batch of ${MAX_BATCH} rows)`, issues: [{ field: '(body)', reason: 'too large' }] }, 413)
  const limits = new Map(services.systems.map((s) => [s.name, bodyLimit({ maxSize: maxBodyBytes(s), onError: tooLarge(maxBodyBytes(s)) })]))
  const leastLimit = bodyLimit({ maxSize: MIN_BODY_BYTES, onError: tooLarge(MIN_BODY_BYTES) })
  api.post(
    '/:system/predict',
    (c, next) => (limits.get(c.req.param('system')) ?? leastLimit)(c, next),
    async (c) => {
      const system = systemOr404(services, c.req.param('system'))
      // A compressed body is not read as text: say so, rather than "not valid JSON" over its bytes.
      const encoding = c.req.header('content-encoding')
      if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity')
        return c.json({ error: `content-encoding ${encoding} is not supported: send the JSON uncompressed`, issues: [{ field: '(body)', reason: 'unsupported content-encoding' }] }, 415)
      const type = c.req.header('content-type')
      if (type === undefined || !JSON_CONTENT_TYPE.test(type)) return c.json(unsupportedContentType(type), 415)
      let body: unknown
      try {
        body = JSON.parse(await c.req.text())
      } catch (e) {
        throw new ValidationError(`request body is not valid JSON: ${(e as Error).message}`, [{ path: '(body)', reason: 'not valid JSON' }])
      }
      const input = fastPredictInput(system, body) ?? parsePredictInput(system, body)
      if (!input.ok) {
        const first = input.issues[0]
        throw new ValidationError(`invalid ${system.name} input: ${first.field} ${first.reason}`, input.issues.map((i) => ({ path: i.field, reason: i.reason })))
      }
      const value = await predictAndLog(services, system, input)
      return answer ? answer(value) : c.json(value)
    },
  )

  api.get('/:system/monitor', async (c) => {
    const system = systemOr404(services, c.req.param('system'))
    return c.json(await services.monitors.get(system))
  })

  api.get('/models', async (c) => {
    const models = await services.registry.list()
    return c.json(await Promise.all(models.map(async (m) => ({ ...m, versions: await services.registry.listVersions(m.name) }))))
  })

  api.get('/models/:name', async (c) => {
    const name = c.req.param('name')
    const model = (await services.registry.list()).find((m) => m.name === name)
    if (!model) throw new NotFoundError(`no model ${JSON.stringify(name)} (known: ${(await services.registry.list()).map((m) => m.name).join(', ') || 'none'})`)
    return c.json({ ...model, versions: await services.registry.listVersions(name) })
  })

  // ?pipeline=&status=&trigger=&limit=&page=, newest first.
  api.get('/runs', async (c) => {
    const q = runsQuery(c)
    const list = await services.runs.list({ pipeline: q.pipeline, status: q.status, trigger: q.trigger, limit: q.perPage, offset: (q.page - 1) * q.perPage })
    // A name neither served nor in the history is a mistake (404, known names listed), as `sml runs --pipeline`
    // refuses it; a pipeline since removed still shows the runs it left.
    if (list.length === 0 && q.pipeline !== undefined && !services.pipelines.some((p) => p.name === q.pipeline)) {
      const [past] = await services.runs.list({ pipeline: q.pipeline, limit: 1 })
      if (!past) throw new NotFoundError(`no pipeline ${JSON.stringify(q.pipeline)} (known: ${services.pipelines.map((p) => p.name).join(', ') || 'none'})`)
    }
    return c.json(list)
  })

  return api
}
