import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SystemDescription } from '../systems/index.js'
import { fastPredictInput } from './fast-input.js'
import { maxBodyBytes } from './predict-input.js'
import { JSON_CONTENT_TYPE, predictAndLog } from './routes/api.js'
import type { WebServices } from './services.js'

/** A node:http request handler that answers a request itself or passes it on with `next`. */
export type FastPath = (req: IncomingMessage, res: ServerResponse, next: () => void) => void

const PREDICT_PATH = /^\/api\/([a-z_][a-z0-9_]{0,62})\/predict$/

/**
 * The predict API's plain success answered on node:http directly, before the web app: a POST to
 * `/api/<system>/predict` with a JSON body of known length (≤ 1 MB) whose rows are certainly valid
 * (`fastPredictInput`). It gives the same 200 answer as the route (same JSON, same headers, the request logged
 * the same way) without building the app's web Request, context and Response — about a third of a
 * single-row predict's server CPU (`bench/api`). Everything else goes to the app: another route or method, a
 * query string, a body without a length or over the limit, a content type other than `JSON_CONTENT_TYPE` (the
 * app's 415), and — with the body already read, handed on as `rawBody`, which @hono/node-server takes as the
 * request's body — a body that is not valid JSON or not a certainly valid input, an unknown system, or any error
 * while predicting; so every answer but the plain success is the app's own (400 with the issues, 404, 413, 415, 500).
 *
 * Only for an app whose predict answers carry no per-request headers (no rate limit, no CORS: see createApp);
 * `headers` are the app's JSON answer headers (content type and security headers).
 */
export function predictFastPath(services: WebServices, headers: Promise<Readonly<Record<string, string>>>): FastPath {
  const systems = new Map(services.systems.map((s) => [s.name, s]))
  let preset: Readonly<Record<string, string>> | undefined
  void headers.then((h) => (preset = h))
  return (req, res, next) => {
    const m = req.method === 'POST' && req.url !== undefined ? PREDICT_PATH.exec(req.url) : null
    const system = m ? systems.get(m[1]) : undefined
    const length = req.headers['content-length']
    if (
      !system ||
      preset === undefined ||
      length === undefined ||
      req.headers['transfer-encoding'] !== undefined ||
      req.headers['content-encoding'] !== undefined ||
      !/^\d{1,7}$/.test(length) ||
      Number(length) > maxBodyBytes(system) ||
      !JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? '')
    )
      return next()
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.once('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
      const handOver = () => {
        ;(req as IncomingMessage & { rawBody?: Buffer }).rawBody = body
        next()
      }
      answer(services, system, body, preset!, res).then((done) => done || handOver(), handOver)
    })
  }
}

/** Answers a certainly valid body; false (nothing written) for anything the app should answer instead. */
async function answer(services: WebServices, system: SystemDescription, body: Buffer, headers: Readonly<Record<string, string>>, res: ServerResponse): Promise<boolean> {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch {
    return false
  }
  const input = fastPredictInput(system, value)
  if (!input) return false
  // predictAndLog throws before it logs, so a hand-over after an error cannot log the request twice.
  const text = JSON.stringify(await predictAndLog(services, system, input))
  res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(text) })
  res.end(text)
  return true
}
