import { createHash } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { iris, runDemo, titanic } from '../../systems/index.js'
import { resolveAdminToken, sha256Hex, weakAdminTokenWarning, type AccessConfig } from '../admin-access.js'
import { createApp } from '../app.js'
import { createServices, type WebServices } from '../services.js'

const jsonOf = (res: Response): Promise<any> => res.json()
const TOKEN = 'correct-horse-battery-staple'

/** The value of a Set-Cookie header's cookie, and its attributes. */
function cookieOf(res: Response, name: string): { value: string; attrs: string } | null {
  for (const h of res.headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)(.*)$`).exec(h)
    if (m) return { value: m[1], attrs: m[2] }
  }
  return null
}

describe.each(testDialectNames())('operating the app on %s', (dialect) => {
  let db: SqlDialect
  const made: WebServices[] = []
  const launched: string[] = []
  const build = (access: AccessConfig, extra: Partial<Parameters<typeof createServices>[1]> = {}) => {
    const services = createServices(db, {
      access,
      launchRun: async (p) => {
        launched.push(p)
        return { pid: 4242 }
      },
      ...extra,
    })
    made.push(services)
    return createApp(services)
  }

  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    await runDemo(db, [iris, titanic], { days: 2, until: new Date('2026-05-03T12:00:00Z'), settings: { source: { dataDir: DATA_DIR } } })
  })
  afterAll(async () => {
    for (const s of made) await s.requestLog.close()
  })

  const actions: [string, string, Record<string, unknown>, number][] = [
    ['Run now', '/api/pipelines/iris-daily/runs', {}, 202],
    ['Promote', '/api/models/iris_model/promote', { version: 1 }, 200],
  ]

  describe.each(actions)('%s', (_name, path, body, ok) => {
    const json = (headers: Record<string, string> = {}) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } })

    it('with a token configured: 401 without or with a wrong token, done with the right one', async () => {
      const app = build({ adminTokenSha256: sha256Hex(TOKEN), loopback: false })
      const none = await app.request(path, json())
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect((await jsonOf(none)).error).toMatch(/needs the admin token/)
      const wrong = await app.request(path, json({ authorization: 'Bearer nope' }))
      expect(wrong.status).toBe(401)
      expect((await jsonOf(wrong)).error).toBe('the admin token is wrong')
      expect((await app.request(path, json({ authorization: 'Basic abc' }))).status).toBe(401)
      const right = await app.request(path, json({ authorization: `Bearer ${TOKEN}` }))
      expect(right.status).toBe(ok)
    })

    it('with a session cookie: needs the CSRF token as well (403 without)', async () => {
      const app = build({ adminTokenSha256: sha256Hex(TOKEN), loopback: false })
      const signIn = await app.request('/api/admin/session', { method: 'POST', body: JSON.stringify({ token: TOKEN }), headers: { 'content-type': 'application/json' } })
      expect(signIn.status).toBe(200)
      const session = cookieOf(signIn, 'sml_admin')!
      expect(session.attrs).toMatch(/HttpOnly/)
      expect(session.attrs).toMatch(/SameSite=Strict/)
      expect(session.value).not.toContain(TOKEN)
      const noCsrf = await app.request(path, json({ cookie: `sml_admin=${session.value}` }))
      expect(noCsrf.status).toBe(403)
      expect((await jsonOf(noCsrf)).error).toMatch(/CSRF/)
      const csrf = 'c'.repeat(32)
      const mismatch = await app.request(path, json({ cookie: `sml_admin=${session.value}; sml_csrf=${csrf}`, 'x-csrf-token': 'd'.repeat(32) }))
      expect(mismatch.status).toBe(403)
      const done = await app.request(path, json({ cookie: `sml_admin=${session.value}; sml_csrf=${csrf}`, 'x-csrf-token': csrf }))
      expect(done.status).toBe(ok)
      // A form post (no script) carries the CSRF token as a field and is sent back to a page.
      const form = new URLSearchParams({ _csrf: csrf, next: '/pipelines', ...Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])) })
      const viaForm = await app.request(path, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sml_admin=${session.value}; sml_csrf=${csrf}` } })
      expect(viaForm.status).toBe(303)
      // Run now's redirect says when it was pressed and which process it started, for the runs page's notice.
      expect(viaForm.headers.get('location')).toMatch(_name === 'Run now' ? /^\/pipelines\?launched=\d{13}&pid=4242$/ : /^\/pipelines$/)
      const forged = await app.request(path, json({ cookie: `sml_admin=forged; sml_csrf=${csrf}`, 'x-csrf-token': csrf }))
      expect(forged.status).toBe(401)
    })

    it('with no token configured: refused (403) beyond loopback, open with CSRF on loopback', async () => {
      const exposed = build({ adminTokenSha256: null, loopback: false })
      const refused = await exposed.request(path, json({ authorization: `Bearer ${TOKEN}` }))
      expect(refused.status).toBe(403)
      expect((await jsonOf(refused)).error).toMatch(/no admin token is configured/)
      const local = build({ adminTokenSha256: null, loopback: true })
      expect((await local.request(path, json())).status).toBe(403)
      // Any bearer token would be unchecked: refused, saying how to get one that is.
      const unchecked = await local.request(path, json({ authorization: 'Bearer wrong' }))
      expect(unchecked.status).toBe(401)
      expect((await jsonOf(unchecked)).error).toMatch(/no admin token to check a bearer token against: start it with SML_ADMIN_TOKEN/)
      const csrf = 'e'.repeat(32)
      expect((await local.request(path, json({ cookie: `sml_csrf=${csrf}`, 'x-csrf-token': csrf }))).status).toBe(ok)
    })
  })

  it('Run now records nothing itself: it launches `sml run NAME`, and answers 404 / 503 / 400 clearly', async () => {
    const app = build({ adminTokenSha256: sha256Hex(TOKEN), loopback: false })
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
    launched.length = 0
    const res = await app.request('/api/pipelines/titanic-training/runs', { method: 'POST', headers: auth })
    expect(await jsonOf(res)).toMatchObject({ pipeline: 'titanic-training', pid: 4242, trigger: 'manual' })
    expect(launched).toEqual(['titanic-training'])
    const unknown = await app.request('/api/pipelines/nope/runs', { method: 'POST', headers: auth })
    expect(unknown.status).toBe(404)
    expect((await jsonOf(unknown)).error).toMatch(/no pipeline "nope" \(known: iris-feature/)
    expect((await app.request('/api/pipelines/iris-daily/runs', { method: 'POST', headers: auth, body: '{"x":' })).status).toBe(400)
    const noLauncher = createServices(db, { access: { adminTokenSha256: sha256Hex(TOKEN), loopback: false } })
    made.push(noLauncher)
    const unavailable = await createApp(noLauncher).request('/api/pipelines/iris-daily/runs', { method: 'POST', headers: auth })
    expect(unavailable.status).toBe(503)
  })

  it('Promote moves production and records a manual decision; bad versions are 400 / 404', async () => {
    const app = build({ adminTokenSha256: sha256Hex(TOKEN), loopback: false })
    const post = (name: string, body: string) => app.request(`/api/models/${name}/promote`, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } })
    const res = await post('titanic_model', '{"version":1}')
    expect(await jsonOf(res)).toMatchObject({ name: 'titanic_model', version: 1, aliases: ['production'] })
    const v = await made[0].registry.get('titanic_model', 1)
    expect(v.promotions.at(-1)).toMatchObject({ decidedBy: 'manual', actor: 'web', promoted: true })
    for (const [body, status] of [['{"version":0}', 400], ['{"version":"x"}', 400], ['{}', 400], ['[1]', 400], ['{"version":99}', 404]] as const) {
      const r = await post('titanic_model', body)
      expect(r.status, body).toBe(status)
      expect((await jsonOf(r)).error).toBeTruthy()
    }
    // A reason is recorded with the decision, as `sml models promote --reason`; unknown fields and a reason that is not text are refused.
    await post('titanic_model', JSON.stringify({ version: 1, reason: 'rolled back after the drift alert' }))
    expect((await made[0].registry.get('titanic_model', 1)).promotions.at(-1)).toMatchObject({ decidedBy: 'manual', reason: 'rolled back after the drift alert' })
    for (const [body, field] of [['{"version":1,"colour":"red"}', 'colour'], ['{"version":1,"reason":123}', 'reason'], ['{"version":1,"reason":"  "}', 'reason']] as const) {
      const r = await post('titanic_model', body)
      expect(r.status, body).toBe(400)
      expect((await jsonOf(r)).issues.map((i: { field: string }) => i.field), body).toContain(field)
    }
    expect((await app.request('/api/pipelines/iris-daily/runs', { method: 'POST', body: '{"when":"now"}', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } })).status).toBe(400)
    expect((await post('no_such_model', '{"version":1}')).status).toBe(404)
    expect((await post('Bad-Name', '{"version":1}')).status).toBe(404)
  })

  it('signing in: 401 for a wrong token, 403 when none is configured, 400 without one; signing out clears the cookie', async () => {
    const app = build({ adminTokenSha256: sha256Hex(TOKEN), loopback: false })
    const post = (body: string, type = 'application/json') => app.request('/api/admin/session', { method: 'POST', body, headers: { 'content-type': type } })
    expect((await post(JSON.stringify({ token: 'wrong' }))).status).toBe(401)
    expect((await post('{}')).status).toBe(400)
    const form = await post(new URLSearchParams({ token: TOKEN, next: '/pipelines' }).toString(), 'application/x-www-form-urlencoded')
    expect(form.status).toBe(303)
    expect(form.headers.get('location')).toBe('/pipelines')
    const offsite = await post(new URLSearchParams({ token: TOKEN, next: '//evil.example/' }).toString(), 'application/x-www-form-urlencoded')
    expect(offsite.headers.get('location')).toBe('/admin')
    const out = await app.request('/api/admin/session', { method: 'DELETE' })
    expect(cookieOf(out, 'sml_admin')!.attrs).toMatch(/Max-Age=0/)
    // Beyond loopback, at most 10 sign-in attempts a minute from one client.
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) statuses.push((await post(JSON.stringify({ token: 'guess' }))).status)
    expect(statuses).toEqual([...Array(6).fill(401), ...Array(6).fill(429)]) // 4 attempts above, then 6 more allowed
    const none = build({ adminTokenSha256: null, loopback: false })
    expect((await none.request('/api/admin/session', { method: 'POST', body: JSON.stringify({ token: TOKEN }), headers: { 'content-type': 'application/json' } })).status).toBe(403)
  })

  it('downloads an artifact with its content type and sha256, checked against the store', async () => {
    const app = build({ adminTokenSha256: null, loopback: false })
    const res = await app.request('/api/models/iris_model/versions/1/artifacts/model.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const bytes = new Uint8Array(await res.arrayBuffer())
    const sha = createHash('sha256').update(bytes).digest('hex')
    expect(res.headers.get('x-checksum-sha256')).toBe(sha)
    expect(res.headers.get('repr-digest')).toBe(`sha-256=:${Buffer.from(sha, 'hex').toString('base64')}:`)
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="model.json"')
    const svg = await app.request('/api/models/iris_model/versions/1/artifacts/confusion_matrix.svg')
    expect(svg.headers.get('content-type')).toBe('image/svg+xml')
    expect((await app.request('/api/models/iris_model/versions/1/artifacts/nope.bin')).status).toBe(404)
    expect((await app.request('/api/models/iris_model/versions/99/artifacts/model.json')).status).toBe(404)
    expect((await app.request('/api/models/iris_model/versions/x/artifacts/model.json')).status).toBe(400)
  })

  it('reads runs with their logs and pipelines as JSON', async () => {
    const app = build({ adminTokenSha256: null, loopback: true })
    const [first] = await made[0].runs.list({ limit: 1 })
    const run = await jsonOf(await app.request(`/api/runs/${first.id}`))
    expect(run).toMatchObject({ id: first.id, pipeline: first.pipeline, status: first.status })
    expect(Array.isArray(run.logs)).toBe(true)
    expect((await app.request('/api/runs/0')).status).toBe(400)
    const page2 = await jsonOf(await app.request('/api/runs?limit=2&page=2&trigger=demo'))
    const demo = await made[0].runs.list({ trigger: 'demo', limit: 4 })
    expect(page2).toHaveLength(2)
    expect(page2.map((r: { id: number }) => r.id)).toEqual(demo.slice(2, 4).map((r) => r.id))
    expect((await app.request('/api/runs?status=nope')).status).toBe(400)
    expect((await app.request('/api/runs/99999999')).status).toBe(404)
    // Too large for a run id: one issue, not the same one twice (it is both unsafe and above the maximum).
    const huge = await app.request('/api/runs/99999999999999999999')
    expect(huge.status).toBe(400)
    expect((await jsonOf(huge)).issues).toEqual([{ field: 'id', reason: 'must be a whole number from 1 to 9007199254740991, got 100000000000000000000' }])
    const pipelines = await jsonOf(await app.request('/api/pipelines'))
    expect(pipelines.find((p: { name: string }) => p.name === 'iris-daily')).toMatchObject({ schedule: { cron: expect.any(String), timezone: expect.any(String) } })
  })

  it('limits the predict API per client beyond loopback (429 with Retry-After) and sets security headers', async () => {
    const app = build({ adminTokenSha256: null, loopback: false }, { predictRateLimit: { limit: 2, windowMs: 60_000 } })
    const flower = JSON.stringify({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 })
    const post = () => app.request('/api/iris/predict', { method: 'POST', body: flower, headers: { 'content-type': 'application/json' } })
    expect((await post()).status).toBe(200)
    const second = await post()
    expect(second.status).toBe(200)
    // The rate limiter's headers and the security headers, both on a predict answer.
    expect(second.headers.get('ratelimit-remaining')).toBe('0')
    expect(second.headers.get('x-content-type-options')).toBe('nosniff')
    const third = await post()
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await jsonOf(third)).error).toMatch(/too many requests/)
    const page = await app.request('/runs')
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
    // On loopback the default is no limit.
    const local = build({ adminTokenSha256: null, loopback: true })
    for (let i = 0; i < 3; i++) expect((await local.request('/api/iris/predict', { method: 'POST', body: flower, headers: { 'content-type': 'application/json' } })).status).toBe(200)
  })

  it('answers browsers of the listed origins (CORS) on the predict API only when asked to; none by default', async () => {
    const flower = JSON.stringify({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 })
    const preflight = { method: 'OPTIONS', headers: { origin: 'https://app.example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } }
    const post = (origin: string) => ({ method: 'POST', body: flower, headers: { 'content-type': 'application/json', origin } })
    const closed = build({ adminTokenSha256: null, loopback: true })
    expect((await closed.request('/api/iris/predict', preflight)).status).toBe(405)
    expect((await closed.request('/api/iris/predict', post('https://app.example.org'))).headers.get('access-control-allow-origin')).toBeNull()
    const open = build({ adminTokenSha256: null, loopback: false }, { corsOrigins: ['https://app.example.org'] })
    const pre = await open.request('/api/iris/predict', preflight)
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.org')
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST')
    const answer = await open.request('/api/iris/predict', post('https://app.example.org'))
    expect(answer.status).toBe(200)
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.org')
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
    expect((await open.request('/api/iris/predict', post('https://evil.example'))).headers.get('access-control-allow-origin')).toBeNull()
    // Only the predict API: actions stay same-origin.
    expect((await open.request('/api/pipelines/iris-daily/runs', { ...preflight })).headers.get('access-control-allow-origin')).toBeNull()
  })

  it('generates an admin token once beyond loopback, keeps only its hash, and prefers SML_ADMIN_TOKEN', async () => {
    expect(await resolveAdminToken(db, { loopback: true })).toEqual({ config: { adminTokenSha256: null, loopback: true }, generated: null })
    const first = await resolveAdminToken(db, { loopback: false })
    expect(first.generated).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(first.config.adminTokenSha256).toBe(sha256Hex(first.generated!))
    const stored = await db.kysely.selectFrom('sml_settings').selectAll().execute()
    expect(JSON.stringify(stored)).not.toContain(first.generated)
    const again = await resolveAdminToken(db, { loopback: false })
    expect(again).toEqual({ config: first.config, generated: null })
    expect((await resolveAdminToken(db, { loopback: true })).config.adminTokenSha256).toBe(first.config.adminTokenSha256)
    expect((await resolveAdminToken(db, { loopback: false, envToken: TOKEN })).config.adminTokenSha256).toBe(sha256Hex(TOKEN))
    // a chosen token short enough to guess is taken, with a warning at start
    expect(weakAdminTokenWarning('a')).toBe('warning: SML_ADMIN_TOKEN is 1 character, short enough to guess; use at least 16 random ones (e.g. `openssl rand -base64 24`)')
    expect(weakAdminTokenWarning('x'.repeat(15))).toMatch(/is 15 characters/)
    expect(weakAdminTokenWarning('x'.repeat(16))).toBeNull()
    expect(weakAdminTokenWarning(first.generated!)).toBeNull()
  })
})
