import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { classify } from '../errors/index.js'
import { errorPage } from './pages/error.js'
import { predictCors } from './cors.js'
import { predictFastPath, type FastPath } from './fast-predict.js'
import { rateLimit } from './rate-limit.js'
import { securityHeaders } from './security-headers.js'
import { apiRoutes } from './routes/api.js'
import { docsRoutes } from './routes/docs.js'
import { opsApiRoutes } from './routes/ops-api.js'
import { opsPageRoutes } from './routes/ops-pages.js'
import { pageRoutes } from './routes/pages.js'
import type { WebServices } from './services.js'

/** The route of a system's predict page (pages.tsx), GET and POST: it matches any one-segment path. */
const SYSTEM_PAGE = '/:system'

/** The node:http fast path of an app createApp made, when it has one (see fast-predict.ts); listen() puts it first. */
export const fastPaths = new WeakMap<Hono, FastPath>()

/** Builds the whole web app from its services; it never listens (see server.ts). */
export function createApp(services: WebServices): Hono {
  const app = new Hono()
  const systemNames = new Set(services.systems.map((s) => s.name))

  app.get('/health', (c) => c.json({ ok: true, store: services.db.displayName, systems: services.systems.map((s) => s.name), requestLog: services.requestLog.stats() }))
  const security = securityHeaders()
  app.use(security.middleware)
  // CORS before the rate limit, so a preflight is answered without counting against the client. The preset
  // answer (below) is kept only without CORS: cors() adds its headers through the context.
  const cors = services.corsOrigins.length > 0
  if (cors) app.use('/api/:system/predict', predictCors(services.corsOrigins))
  if (services.predictRateLimit) app.use('/api/:system/predict', rateLimit(services.predictRateLimit))
  app.route('/api', opsApiRoutes(services))
  // The rate limiter and CORS add their headers through the context, which a preset answer would drop.
  const preset = !services.predictRateLimit && !cors
  app.route('/api', apiRoutes(services, { answer: preset ? security.json : undefined }))
  // For the same reason the predict API's plain success may be answered before the app only then (listen() uses it).
  if (preset) fastPaths.set(app, predictFastPath(services, security.jsonHeaders))
  app.route('/', docsRoutes(services))
  app.route('/', opsPageRoutes(services))
  // POST /<name> is the predict form of a system, so it matches every one-segment path: for a name that is not a
  // system but a page of another method (POST /admin, /runs), say 405 with Allow rather than "no system called …".
  app.post(SYSTEM_PAGE, async (c, next) => (systemNames.has(c.req.param('system')) ? next() : (methodNotAllowed(c) ?? next())))
  app.route('/', pageRoutes(services))

  // JSON for the API, an HTML page in the site layout for everything a browser opens.
  const isApi = (c: Context) => c.req.path === '/api' || c.req.path.startsWith('/api/') || c.req.path === '/health'
  const html = (c: Context, status: 400 | 404 | 409 | 413 | 500, message: string) => c.html(`<!DOCTYPE html>${errorPage(services.systems, status, message)}`, status)
  // A path that exists for other methods is 405 with an Allow header (RFC 9110 §15.5.6), not "no such page". A
  // system's pages (/<name>) count only for the name of a system: they would otherwise match every one-segment path.
  const routed = (method: string, path: string) =>
    (app.router.match(method, path)[0] as unknown as [[unknown, { method: string; path: string }], unknown][]).some(
      ([[, route]]) => route.method !== 'ALL' && (route.path !== SYSTEM_PAGE || systemNames.has(path.slice(1))),
    )
  /** The 405 answer when the request's path is routed for other methods only, else null. */
  function methodNotAllowed(c: Context): Response | null {
    const allow = routed(c.req.method, c.req.path) ? [] : ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => routed(m, c.req.path))
    if (allow.length === 0) return null
    const message = `${c.req.method} is not allowed on ${c.req.path}; use ${allow.join(' or ')}`
    c.header('Allow', allow.join(', '))
    return isApi(c) ? c.json({ error: message }, 405) : c.html(`<!DOCTYPE html>${errorPage(services.systems, 405, message)}`, 405)
  }
  app.notFound(
    (c) =>
      methodNotAllowed(c) ??
      (isApi(c) ? c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404) : html(c, 404, `There is no page at ${c.req.path}.`)),
  )
  // A client's mistake is 4xx with the reason (classify decides which); only our own faults and corrupt data are 500.
  app.onError((err, c) => {
    const api = isApi(c)
    if (err instanceof HTTPException) return api ? c.json({ error: err.message }, err.status) : html(c, err.status === 404 || err.status === 413 ? err.status : 400, err.message)
    const e = classify(err)
    if (!e.expected) {
      process.stderr.write(`${c.req.method} ${c.req.path}: ${e.stack}\n`)
      return api ? c.json({ error: 'internal error' }, 500) : html(c, 500, 'The server failed to answer this page; the error is in its log.')
    }
    // Corrupt stored data or a failed operation is the operator's to look at: the log says so too, in one line.
    if (e.httpStatus >= 500) process.stderr.write(`${c.req.method} ${c.req.path}: ${e.message}\n`)
    // Issues keep the predict API's shape, `{ field, reason }`, whichever layer refused the input.
    const issues = e.issues.map((i) => ({ field: i.path, reason: i.reason }))
    return api ? c.json({ error: e.message, issues }, e.httpStatus) : html(c, e.httpStatus, e.message)
  })
  return app
}
