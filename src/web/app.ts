import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { NotFoundError, ValidationError } from '../db/index.js'
import { apiRoutes } from './routes/api.js'
import type { WebServices } from './services.js'

/** Builds the whole web app from its services; it never listens (see server.ts). */
export function createApp(services: WebServices): Hono {
  const app = new Hono()

  app.get('/health', (c) => c.json({ ok: true, store: services.db.displayName, systems: services.systems.map((s) => s.name) }))
  app.route('/api', apiRoutes(services))

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404))
  // A client's mistake is 4xx with the reason; only our own faults are 500.
  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status)
    if (err instanceof ValidationError) return c.json({ error: err.message, issues: err.issues }, 400)
    if (err instanceof NotFoundError) return c.json({ error: err.message }, 404)
    process.stderr.write(`${c.req.method} ${c.req.path}: ${err.stack ?? err}\n`)
    return c.json({ error: 'internal error' }, 500)
  })
  return app
}
