import { nextTick } from '../pipeline-status.js'
import { ValidationError } from '../../errors/index.js'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { NotFoundError } from '../../db/index.js'
import type { RunStatus, RunTrigger } from '../../runtime/index.js'
import { endSession, parseForm, requireAdmin, startSession } from '../admin-access.js'
import { parseOr400, promoteBodySchema, runIdSchema, runNowBodySchema, runsQuerySchema, sessionBodySchema, versionSchema } from '../api-schemas.js'
import { bodyLimit } from '../body-limit.js'
import { rateLimit } from '../rate-limit.js'
import type { WebServices } from '../services.js'

export const ACTION_BODY_LIMIT = 64 * 1024
const NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** Content types of the files a model version stores; anything else downloads as bytes. */
const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
}

function bad(field: string, reason: string): never {
  throw new ValidationError(`${field} ${reason}`, [{ path: field, reason }])
}

const isForm = (c: Context) => /^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(c.req.header('content-type') ?? '')

/** The request's fields: a form's, or a JSON object's (400 for anything else). */
async function fields(c: Context): Promise<Record<string, unknown>> {
  if (isForm(c)) return parseForm(c)
  const text = await c.req.text()
  if (text.trim() === '') return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (e) {
    bad('(body)', `is not valid JSON: ${(e as Error).message}`)
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) bad('(body)', 'must be a JSON object')
  return body as Record<string, unknown>
}

/** A same-site path to return a form to (never another origin). */
function nextPath(v: unknown, fallback: string): string {
  return typeof v === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(v) ? v : fallback
}

/** Query of the runs list and page: pipeline, status, trigger filters and a page number (runsQuerySchema). */
export function runsQuery(c: Context): { pipeline?: string; status?: RunStatus; trigger?: RunTrigger; page: number; perPage: number } {
  const q = parseOr400(runsQuerySchema, c.req.query())
  return { pipeline: q.pipeline, status: q.status, trigger: q.trigger, page: q.page, perPage: q.limit }
}

/** JSON actions (admin only) and the operational reads behind the runs, pipelines and models pages. */
export function opsApiRoutes(services: WebServices): Hono {
  const api = new Hono()
  const admin = requireAdmin(services.access)
  const limit = bodyLimit({ maxSize: ACTION_BODY_LIMIT, onError: (c) => c.json({ error: `request body is larger than ${ACTION_BODY_LIMIT} bytes`, issues: [{ field: '(body)', reason: 'too large' }] }, 413) })

  // The token entered once in the UI becomes an HttpOnly SameSite=Strict session cookie. Beyond loopback,
  // guesses are limited per client address (a chosen SML_ADMIN_TOKEN may be short).
  const guesses: MiddlewareHandler = services.access.loopback ? (_c, next) => next() : rateLimit({ limit: 10, windowMs: 60_000 })
  api.post('/admin/session', guesses, limit, async (c) => {
    const f = await fields(c)
    const { token } = parseOr400(sessionBodySchema, f)
    const refused = startSession(c, services.access, token)
    if (refused) return refused
    return isForm(c) ? c.redirect(nextPath(f.next, '/admin'), 303) : c.json({ ok: true })
  })
  api.delete('/admin/session', (c) => {
    endSession(c)
    return c.json({ ok: true })
  })

  api.get('/pipelines', async (c) =>
    c.json(
      await Promise.all(
        services.pipelines.map(async (p) => ({
          name: p.name,
          description: p.description,
          schedule: p.schedule,
          next: await nextTick(services, p),
          last: (await services.runs.list({ pipeline: p.name, limit: 1 }))[0] ?? null,
        })),
      ),
    ),
  )

  api.post('/pipelines/:name/runs', limit, admin, async (c) => {
    const name = c.req.param('name')
    const f = await fields(c)
    parseOr400(runNowBodySchema, f)
    if (!services.pipelines.some((p) => p.name === name)) throw new NotFoundError(`no pipeline ${JSON.stringify(name)} (known: ${services.pipelines.map((p) => p.name).join(', ')})`)
    if (!services.launchRun) return c.json({ error: 'Run now is not available on this server: it was started without a way to run `sml run`' }, 503)
    const launchedAt = Date.now()
    const { pid } = await services.launchRun(name)
    // The runs page reads `launched` and `pid` to say the run is starting (and reload until it is recorded).
    const to = nextPath(f.next, `/runs?pipeline=${encodeURIComponent(name)}`)
    const launched = `${to.includes('?') ? '&' : '?'}launched=${launchedAt}&pid=${pid}`
    return isForm(c) ? c.redirect(`${to}${launched}`, 303) : c.json({ pipeline: name, pid, trigger: 'manual', runs: `/api/runs?pipeline=${encodeURIComponent(name)}` }, 202)
  })

  api.get('/runs/:id', async (c) => {
    const id = parseOr400(runIdSchema, c.req.param('id'), 'id')
    const [run, logs, attempts] = await Promise.all([services.runs.get(id), services.runs.logs(id), services.runs.attempts(id)])
    return c.json({ ...run, attempts: attempts.map((a) => ({ id: a.id, attempt: a.attempt, status: a.status })), logs })
  })

  api.post('/models/:name/promote', limit, admin, async (c) => {
    const name = c.req.param('name')
    const f = await fields(c)
    if (!NAME.test(name)) throw new NotFoundError(`no model ${JSON.stringify(name)}`)
    const { version, reason } = parseOr400(promoteBodySchema, f)
    const v = await services.registry.promote(name, version, { actor: 'web', reason })
    return isForm(c) ? c.redirect(nextPath(f.next, `/models/${name}`), 303) : c.json({ name: v.name, version: v.version, aliases: v.aliases })
  })

  api.get('/models/:name/versions/:version/artifacts/:file', async (c) => {
    const name = c.req.param('name')
    const file = c.req.param('file')
    const version = parseOr400(versionSchema, c.req.param('version'), 'version')
    if (!NAME.test(name)) throw new NotFoundError(`no model ${JSON.stringify(name)}`)
    const v = await services.registry.get(name, version)
    const info = v.artifacts.find((a) => a.file === file)
    if (!info) throw new NotFoundError(`model ${name} v${version} has no artifact ${JSON.stringify(file)} (has: ${v.artifacts.map((a) => a.file).join(', ') || 'none'})`)
    const bytes = await services.registry.readArtifact(name, version, file) // checked against the recorded sha256
    const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase()
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'content-disposition': `attachment; filename="${file.replace(/[^\w.-]/g, '_')}"`,
      'x-checksum-sha256': info.sha256,
      // RFC 9530: the representation's sha-256, base64.
      'repr-digest': `sha-256=:${Buffer.from(info.sha256, 'hex').toString('base64')}:`,
      etag: `"${info.sha256}"`,
      'x-content-type-options': 'nosniff',
    })
  })

  return api
}
