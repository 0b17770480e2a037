import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { airQualitySystem, iris, runDemo, titanic } from '../systems/index.js'
import { sha256Hex } from './admin-access.js'
import { createApp } from './app.js'
import { exampleOf, openApiDocument, predictionSchema, runSchema, type OpenApiDocument } from './openapi.js'
import { createServices, type WebServices } from './services.js'

const data = { source: { dataDir: DATA_DIR } }
const METHODS = ['get', 'post', 'delete', 'put', 'patch'] as const

/** Every `$ref` anywhere in the value. */
function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out)
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' && typeof x === 'string' ? out.push(x) : refs(x, out)
  return out
}

/** Whether a document path (`/api/iris/predict`, `/api/{system}/monitor`) is an instance of a hono route (`/api/:system/predict`). */
const matches = (route: string, path: string) => {
  const r = route.split('/')
  const p = path.replace(/\{(\w+)\}/g, ':$1').split('/')
  return r.length === p.length && r.every((seg, i) => seg === p[i] || (seg.startsWith(':') && (p[i].startsWith(':') ? true : !p[i].includes('{'))))
}

describe('the OpenAPI document, built alone', () => {
  const doc = openApiDocument([iris, titanic])

  it('is OpenAPI 3.1 with the package name and version and a relative server', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string }
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info).toMatchObject({ title: pkg.name, version: pkg.version })
    expect(doc.servers).toEqual([{ url: '/' }])
  })

  it('resolves every $ref and declares every path parameter, and only those', () => {
    for (const r of refs(doc)) {
      const target = r
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc)
      expect(target, r).toBeTypeOf('object')
    }
    for (const [path, item] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      for (const [method, op] of Object.entries(item)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path')
        expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(inPath)
        expect(declared.every((p) => p.required)).toBe(true)
        for (const sec of op.security ?? []) for (const name of Object.keys(sec)) expect(doc.components.securitySchemes[name], name).toBeDefined()
        expect(Object.keys(op.responses).length).toBeGreaterThan(0)
      }
    }
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId))
    expect(new Set(ids).size).toBe(ids.length)
  })

  it("takes each system's request schema from predictSchema: strict, with its fields' ranges and choices", () => {
    const one = (doc.components.schemas.TitanicPredictRequest as { anyOf: Record<string, any>[] }).anyOf[0]
    expect(one.additionalProperties).toBe(false)
    expect(one.required).toEqual(titanic.fields.map((f) => f.name))
    expect(one.properties.sibsp.type).toBe('integer')
    expect(one.properties.embarked.anyOf.map((c: { const: string }) => c.const)).toEqual(['C', 'Q', 'S'])
    expect((doc.components.schemas.IrisPredictRequest as { anyOf: Record<string, any>[] }).anyOf[1]).toMatchObject({ type: 'array', minItems: 1, maxItems: 10000 })
    // Every field is described, choices with their values; a snake_case system name gives a PascalCase schema name.
    expect(one.properties.embarked.description).toBe('Port of embarkation: one of "C", "Q", "S"')
    const aq = openApiDocument([airQualitySystem()]).components.schemas.AirQualityPredictRequest as { anyOf: Record<string, any>[] }
    for (const [name, p] of Object.entries(aq.anyOf[0].properties as Record<string, { description?: string }>)) expect(p.description, name).toBeTruthy()
    expect(aq.anyOf[0].properties.day_of_week.description).toMatch(/^Day of week: one of "Monday", "Tuesday", /)
  })

  it('builds examples from a schema: first constant, middle of a range, required properties only', () => {
    expect(exampleOf({ type: 'object', properties: { a: { type: 'integer', minimum: 1, maximum: 4 }, b: { anyOf: [{ const: 'x' }, { const: 'y' }] }, c: { type: 'string' } }, required: ['a', 'b'] })).toEqual({ a: 3, b: 'x' })
  })
})

const ADMIN_TOKEN = 'openapi-test-token'

describe.each(testDialectNames())('the OpenAPI document of the app on %s', (dialect) => {
  let services: WebServices
  let doc: OpenApiDocument
  let app: ReturnType<typeof createApp>
  useTestDatabase(dialect, async (_tdb, db: SqlDialect) => {
    await runDemo(db, [iris, titanic], { days: 2, until: new Date('2026-05-03T12:00:00Z'), settings: data })
    services = createServices(db, { systems: [iris, titanic], launchRun: async () => ({ pid: 1 }), access: { adminTokenSha256: sha256Hex(ADMIN_TOKEN), loopback: true } })
    app = createApp(services)
    doc = (await (await app.request('/openapi.json')).json()) as OpenApiDocument
  })
  afterAll(async () => {
    await services?.requestLog.close()
  })

  it('lists every JSON route the app registers, and nothing it does not', () => {
    const routes = new Set(app.routes.filter((r) => r.method !== 'ALL' && /^\/(api\/|health$|openapi\.json$)/.test(r.path)).map((r) => `${r.method.toLowerCase()} ${r.path}`))
    expect(routes.size).toBeGreaterThanOrEqual(12)
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => m in item).map((m) => ({ method: m, path })))
    for (const route of routes) {
      const [method, path] = route.split(' ')
      expect(
        documented.some((d) => d.method === method && matches(path, d.path)),
        `${route} is not in the OpenAPI document`,
      ).toBe(true)
    }
    for (const d of documented) expect([...routes].some((r) => r.startsWith(`${d.method} `) && matches(r.split(' ')[1], d.path)), `${d.method} ${d.path} is not a route`).toBe(true)
    for (const s of services.systems) expect(doc.paths[`/api/${s.name}/predict`]?.post).toBeDefined()
  })

  it("each predict example, built from the system's schema, is answered 200 by the handler", async () => {
    for (const s of services.systems) {
      const media = doc.paths[`/api/${s.name}/predict`]!.post!.requestBody!.content['application/json']
      const res = await app.request(`/api/${s.name}/predict`, { method: 'POST', body: JSON.stringify(media.example), headers: { 'content-type': 'application/json' } })
      expect(res.status, s.name).toBe(200)
      // The answer has the documented shape.
      expect(predictionSchema.safeParse(await res.json()).success, s.name).toBe(true)
    }
  })

  it("each action's example body is done by its handler (with the admin token as a bearer token)", async () => {
    // Path parameters of a real pipeline and model; sign-in is left out: its example is a placeholder token.
    const concrete: Record<string, string> = { '/api/models/{name}/promote': '/api/models/iris_model/promote', '/api/pipelines/{name}/runs': '/api/pipelines/iris-daily/runs' }
    const withBodies = Object.entries(doc.paths).filter(([path, item]) => item.post?.requestBody && !path.endsWith('/predict') && path !== '/api/admin/session')
    expect(withBodies.map(([path]) => path).sort()).toEqual(Object.keys(concrete).sort())
    for (const [path, item] of withBodies) {
      const media = item.post!.requestBody!.content['application/json']
      const res = await app.request(concrete[path], { method: 'POST', body: JSON.stringify(media.example), headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` } })
      expect(Object.keys(item.post!.responses), path).toContain(String(res.status))
      expect(res.status, path).toBeLessThan(300)
    }
  })

  it('the runs query is validated by the schema the document shows: defaults, ranges and choices', async () => {
    const params = doc.paths['/api/runs']!.get!.parameters!
    expect(params.find((p) => p.name === 'limit')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 50 })
    const runs = await app.request('/api/runs?limit=1000&page=1&status=&trigger=')
    expect(runs.status).toBe(200)
    const list = (await runs.json()) as unknown[]
    expect(list.length).toBeGreaterThan(0)
    for (const run of list) expect(runSchema.safeParse(run).success).toBe(true)
    expect(await (await app.request('/api/runs?limit=1001')).json()).toEqual({ error: 'limit must be a whole number from 1 to 1000, got 1001', issues: [{ field: 'limit', reason: 'must be a whole number from 1 to 1000, got 1001' }] })
    expect(await (await app.request('/api/runs?status=done')).json()).toMatchObject({ issues: [{ field: 'status', reason: expect.stringMatching(/must be one of running, succeeded/) }] })
  })

  it('/docs shows every operation with a link to /openapi.json, in the site layout', async () => {
    const res = await app.request('/docs')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('href="/openapi.json"')
    expect(html).toContain('<nav class="main"')
    for (const [path, item] of Object.entries(doc.paths)) for (const op of Object.values(item)) expect(html, path).toContain(`id="${op.operationId}"`)
    expect(html).toContain('id="schema-IrisPredictRequest"')
    expect(await (await app.request('/')).text()).toContain('href="/docs"')
  })
})
