// Property-based fuzz of POST /api/:system/predict, in-process with app.request(): whatever the body, content
// type or system, the answer is 400/404/413/415 with a JSON `error` (or 200 for JSON input that matches the schema),
// never a 500; and a good request still gets its prediction afterwards.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../src/db/index.js'
import { createTestDatabase, type TestDatabase } from '../../src/db/test-support/dialects.js'
import { DATA_DIR } from '../../src/featurestore/test-support/data.js'
import { iris, runDemo, titanic } from '../../src/systems/index.js'
import { createApp, createServices, type WebServices } from '../../src/web/index.js'
import { sha256Hex } from '../../src/web/admin-access.js'
import { openApiDocument } from '../../src/web/openapi.js'

const flower = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }
const passenger = { pclass: 1, sex: 'female', age: 30, sibsp: 0, parch: 0, embarked: 'C' }
const RUNS = Number(process.env.SML_FUZZ_RUNS ?? 300)
const TOKEN = 'fuzz-admin-token'

const junkValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.constantFrom(Number.MAX_VALUE, -0, 1e308, 'NaN', 'Infinity', '', '5.1', [], {}),
  fc.array(fc.double(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
)

/** Objects with the system's keys, some values right and some of the wrong type, sometimes extra or missing keys. */
const nearMiss = (good: Record<string, unknown>) =>
  fc
    .record(Object.fromEntries(Object.entries(good).map(([k, v]) => [k, fc.oneof({ weight: 2, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: junkValue })])), {
      requiredKeys: [],
    })
    .chain((o) => fc.oneof(fc.constant(o as Record<string, unknown>), fc.dictionary(fc.string({ maxLength: 8 }), junkValue, { maxKeys: 2 }).map((extra) => ({ ...o, ...extra }))))

/** Junk nested `depth` levels deep. */
const deep = fc.integer({ min: 1, max: 5000 }).map((depth) => {
  let s = '0'
  for (let i = 0; i < depth; i++) s = i % 2 ? `{"a":${s}}` : `[${s}]`
  return s
})

const bodies = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 4, arbitrary: nearMiss(flower).map((o) => JSON.stringify(o)) },
  { weight: 4, arbitrary: nearMiss(passenger).map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.array(fc.oneof(nearMiss(flower), nearMiss(passenger)), { maxLength: 5 }).map((a) => JSON.stringify(a)) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 30_000 }).map((n) => JSON.stringify(Array.from({ length: n }, () => flower))) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 200_000 }).map((n) => JSON.stringify(new Array(n).fill(0))) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')) },
)

// JSON half the time: only a JSON body is read (any other type is a 415), and the bodies should reach the parser.
const contentTypes = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/json;charset=UTF-8',
  'application/jsonp',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  undefined,
)

const systems = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('iris', 'titanic') }, { weight: 1, arbitrary: fc.stringMatching(/^[a-z_%.-]{1,12}$/) })

describe('predict API fuzz (SQLite, prepared once with runDemo)', () => {
  let tdb: TestDatabase
  let db: SqlDialect
  let services: WebServices
  let app: ReturnType<typeof createApp>
  beforeAll(async () => {
    tdb = createTestDatabase('sqlite')
    db = await tdb.open()
    await runDemo(db, [iris, titanic], { days: 2, until: new Date('2026-05-02T12:00:00Z'), settings: { source: { dataDir: DATA_DIR } } })
    services = createServices(db, { access: { adminTokenSha256: sha256Hex(TOKEN), loopback: false }, launchRun: async () => ({ pid: 1 }), predictRateLimit: null })
    app = createApp(services)
  })
  afterAll(async () => {
    await services.requestLog.close()
    await db.close()
    await tdb.drop()
  })

  it(`answers ${RUNS} random requests with 200/400/404/413/415 and a JSON error, never 500`, async () => {
    const seen = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(systems, bodies, contentTypes, fc.constantFrom('POST', 'PUT'), async (system, body, type, method) => {
        const headers: Record<string, string> = {}
        if (type) headers['content-type'] = type
        const res = await app.request(`/api/${encodeURIComponent(system)}/predict`, { method, body, headers })
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1)
        const text = await res.text()
        expect([200, 400, 404, 405, 413, 415]).toContain(res.status)
        if (res.status === 200) {
          expect(type).toMatch(/^application\/json/) // never a prediction for a body another site could send without a preflight
          const json = JSON.parse(text)
          for (const p of Array.isArray(json) ? json : [json]) expect(typeof p.prediction).toBe('string')
        } else if (res.status !== 404 || system === 'iris' || system === 'titanic' || method === 'POST') {
          const json = JSON.parse(text) as { error?: unknown }
          expect(typeof json.error).toBe('string')
          expect((json.error as string).length).toBeGreaterThan(0)
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.SML_FUZZ_SEED ?? 20260502) },
    )
    // The generators reach every outcome, not only the 400s.
    expect(seen.get(200)).toBeGreaterThan(0)
    expect(seen.get(400)).toBeGreaterThan(0)
    expect(seen.get(413)).toBeGreaterThan(0)
    expect(seen.get(415)).toBeGreaterThan(0)
    expect(seen.get(500)).toBeUndefined()

    for (const [system, good, answer] of [
      ['iris', flower, 'Setosa'],
      ['titanic', passenger, 'Survived'],
    ] as const) {
      const res = await app.request(`/api/${system}/predict`, { method: 'POST', body: JSON.stringify(good), headers: { 'content-type': 'application/json' } })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { prediction: string }).prediction).toBe(answer)
    }
  })

  // The operating routes: actions (with no, a wrong or the right token, a cookie, a CSRF header), reads of runs
  // and artifacts, sign-in; random path segments, bodies and headers. Never a 500, always a JSON error.
  const segment = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('iris-daily', 'iris_model', 'titanic_model', '1', '2', '0', '-1', '99999999999999999999', 'model.json', 'confusion_matrix.svg') },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map((x) => encodeURIComponent(x)) },
  )
  const route = fc.oneof(
    segment.map((n) => ['POST', `/api/pipelines/${n}/runs`] as const),
    segment.map((n) => ['POST', `/api/models/${n}/promote`] as const),
    fc.tuple(segment, segment, segment).map(([n, v, f]) => ['GET', `/api/models/${n}/versions/${v}/artifacts/${f}`] as const),
    segment.map((id) => ['GET', `/api/runs/${id}`] as const),
    fc.constant(['POST', '/api/admin/session'] as const),
    fc.constant(['DELETE', '/api/admin/session'] as const),
    fc.constant(['GET', '/api/pipelines'] as const),
    // The runs list's query: each parameter right, wrong, empty, repeated or unknown.
    fc
      .array(fc.tuple(fc.constantFrom('pipeline', 'status', 'trigger', 'page', 'limit', 'x'), fc.oneof(segment, fc.constantFrom('failed', 'manual', '1000', '1001', '1e3', ' 5', '', '%'))), { maxLength: 6 })
      .map((q) => ['GET', `/api/runs?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`] as const),
    // Every operation of the OpenAPI document, its path parameters filled at random: a new route is fuzzed too.
    fc
      .constantFrom(...Object.entries(openApiDocument([iris, titanic]).paths).flatMap(([path, item]) => Object.keys(item).map((m) => [m.toUpperCase(), path] as const)))
      .chain(([method, path]) => fc.array(segment, { minLength: 3, maxLength: 3 }).map((v) => [method, path.replace(/\{\w+\}/g, () => v.pop()!)] as const)),
  )
  const auth = fc.constantFrom<Record<string, string>>(
    {},
    { authorization: `Bearer ${TOKEN}` },
    { authorization: 'Bearer wrong' },
    { authorization: 'Basic x' },
    { authorization: '' },
    { cookie: 'sml_admin=x; sml_csrf=yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy', 'x-csrf-token': 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy' },
  )
  const actionBodies = fc.oneof(
    bodies,
    fc.record({ version: junkValue, token: fc.oneof(junkValue, fc.constant(TOKEN)) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    fc.record({ version: fc.string(), _csrf: fc.string(), next: fc.string(), token: fc.string() }, { requiredKeys: [] }).map((o) => new URLSearchParams(o).toString()),
  )

  it(`answers ${RUNS} random requests to the operating routes with a JSON answer, never 500`, async () => {
    const seen = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(route, actionBodies, contentTypes, auth, async ([method, path], body, type, headers) => {
        const h: Record<string, string> = { ...headers }
        if (type) h['content-type'] = type
        const res = await app.request(path, { method, body: method === 'GET' ? undefined : body, headers: h })
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1)
        expect([200, 202, 303, 400, 401, 403, 404, 413, 429, ...(path.endsWith('/predict') ? [415] : [])]).toContain(res.status)
        if (res.status >= 400) expect(typeof ((await res.json()) as { error?: unknown }).error).toBe('string')
      }),
      { numRuns: RUNS, seed: Number(process.env.SML_FUZZ_SEED ?? 20260502) },
    )
    expect(seen.get(401)).toBeGreaterThan(0)
    expect(seen.get(400)).toBeGreaterThan(0)
    expect(seen.get(404)).toBeGreaterThan(0)
    expect(seen.get(500)).toBeUndefined()
  })
})
