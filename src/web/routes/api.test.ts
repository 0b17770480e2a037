import { afterAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { iris, predictionsFeatureGroup, runDemo, SERVING_ALIAS, titanic } from '../../systems/index.js'
import { createApp } from '../app.js'
import { requestsFeatureGroup } from '../request-log.js'
import { createServices, type WebServices } from '../services.js'
import { maxBodyBytes } from '../predict-input.js'

const data = { source: { dataDir: DATA_DIR } }
/** Response bodies as `any`: the fields checked are asserted below. */
const jsonOf = (res: Response): Promise<any> => res.json()
const flower = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }
const passenger = { pclass: 1, sex: 'female', age: 30, sibsp: 0, parch: 0, embarked: 'C' }

describe.each(testDialectNames())('JSON API on %s', (dialect) => {
  let db: SqlDialect
  let services: WebServices
  let app: ReturnType<typeof createApp>
  const post = (path: string, body: unknown) =>
    app.request(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } })

  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    await runDemo(db, [iris, titanic], { days: 3, until: new Date('2026-05-03T12:00:00Z'), settings: data })
    services = createServices(db, { systems: [iris, titanic] })
    app = createApp(services)
  })
  afterAll(() => services.requestLog.close())

  it('predicts one row with the class name, probabilities and model version', async () => {
    const res = await post('/api/iris/predict', flower)
    expect(res.status).toBe(200)
    expect(await jsonOf(res)).toEqual({ prediction: 'Setosa', probabilities: { Setosa: 1, Versicolor: 0, Virginica: 0 }, modelVersion: 1 })
    const t = await jsonOf(await post('/api/titanic/predict', passenger))
    expect(t.prediction).toBe('Survived')
    expect(t.probabilities.Died + t.probabilities.Survived).toBeCloseTo(1, 12)
  })

  it('answers predictions with the same security headers as every other answer, and JSON', async () => {
    const security = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => k !== 'content-type' && k !== 'content-length'))
    const answer = await post('/api/iris/predict', flower)
    const page = await app.request('/')
    const refused = await post('/api/iris/predict', { ...flower, sepal_length: 'x' })
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
    expect(security(answer)).toMatchObject({ 'x-content-type-options': 'nosniff', 'strict-transport-security': expect.any(String) })
    expect(security(answer)['content-security-policy']).toMatch(/default-src 'self'/)
    expect(security(answer)).toEqual(security(page))
    expect(refused.status).toBe(400)
    expect(security(refused)).toEqual(security(page))
  })

  it('refuses a compressed body with 415 saying so (not "not valid JSON" over its bytes)', async () => {
    const { gzipSync } = await import('node:zlib')
    const res = await app.request('/api/iris/predict', { method: 'POST', body: gzipSync(JSON.stringify(flower)), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })
    expect(res.status).toBe(415)
    expect(await jsonOf(res)).toEqual({ error: 'content-encoding gzip is not supported: send the JSON uncompressed', issues: [{ field: '(body)', reason: 'unsupported content-encoding' }] })
    expect((await app.request('/api/iris/predict', { method: 'POST', body: JSON.stringify(flower), headers: { 'content-type': 'application/json', 'content-encoding': 'identity' } })).status).toBe(200)
  })

  it('takes only application/json (any case, with parameters): 415 saying so for any other or no content type, nothing logged', async () => {
    await services.requestLog.flush()
    const group = await requestsFeatureGroup(services.featureStore, iris)
    const before = await group.count()
    // A page on another site can send these without a CORS preflight ("simple" requests), so they must not predict.
    for (const [type, shown] of [
      ['text/plain', '"text/plain"'],
      ['text/plain;charset=UTF-8', '"text/plain;charset=UTF-8"'],
      ['application/x-www-form-urlencoded', '"application/x-www-form-urlencoded"'], // what curl -d sends
      ['multipart/form-data; boundary=x', '"multipart/form-data; boundary=x"'],
      ['application/jsonp', '"application/jsonp"'],
      [undefined, 'none'],
    ] as const) {
      // Bytes, so that no content type is implied when none is sent.
      const res = await app.request('/api/iris/predict', { method: 'POST', body: new TextEncoder().encode(JSON.stringify(flower)), headers: type ? { 'content-type': type } : {} })
      expect(res.status, String(type)).toBe(415)
      expect(await jsonOf(res)).toEqual({
        error: `content-type must be application/json, got ${shown}: send the JSON body with the header content-type: application/json`,
        issues: [{ field: '(body)', reason: 'unsupported content-type' }],
      })
    }
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/json ;charset=UTF-8'])
      expect((await app.request('/api/iris/predict', { method: 'POST', body: JSON.stringify(flower), headers: { 'content-type': type } })).status, type).toBe(200)
    await services.requestLog.flush()
    expect(await group.count()).toBe(before + 3)
  })

  it('predicts a batch in order', async () => {
    const res = await post('/api/iris/predict', [flower, { sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 }])
    expect((await jsonOf(res)).map((p: { prediction: string }) => p.prediction)).toEqual(['Setosa', 'Virginica'])
  })

  const bad: [string, string, unknown, number, RegExp][] = [
    ['a wrong type', 'iris', { ...flower, sepal_length: 'long' }, 400, /sepal_length must be a number, got "long"/],
    ['a missing field', 'iris', { sepal_length: 5 }, 400, /sepal_width is required/],
    ['an unknown field', 'iris', { ...flower, colour: 'blue' }, 400, /^invalid iris input: colour is not a field of iris \(fields: sepal_length, sepal_width, petal_length, petal_width\)$/],
    ['an out-of-range value', 'iris', { ...flower, petal_width: 99 }, 400, /petal_width must be at most 2.5 cm/],
    ['a negative age', 'titanic', { ...passenger, age: -1 }, 400, /age must be at least 0 years/],
    ['a code instead of a name', 'titanic', { ...passenger, sex: 1 }, 400, /sex must be one of "male", "female", got 1/],
    ['an unknown port', 'titanic', { ...passenger, embarked: 'X' }, 400, /embarked must be one of "C", "Q", "S", got "X"/],
    ['a fractional sibling count', 'titanic', { ...passenger, sibsp: 1.5 }, 400, /sibsp must be a whole number/],
    ['null', 'iris', null, 400, /must be an object/],
    ['a number', 'iris', 42, 400, /must be an object/],
    ['an empty array', 'iris', [], 400, /at least one row/],
    ['a bad row in a batch', 'iris', [flower, { ...flower, petal_length: null }], 400, /\[1\]\.petal_length must be a number, got null/],
    ['malformed JSON', 'iris', '{"sepal_length": ', 400, /not valid JSON/],
    ['a number too large to represent', 'iris', '{"sepal_length": 1e400, "sepal_width": 3, "petal_length": 1, "petal_width": 0.2}', 400, /sepal_length must be a number, got Infinity \(a number too large to represent\)/],
    ['an unknown system', 'roses', flower, 404, /no system "roses" \(known: iris, titanic\)/],
  ]
  it.each(bad)('answers %s with the field and reason, never 500', async (_name, system, body, status, message) => {
    const res = await post(`/api/${system}/predict`, body)
    expect(res.status).toBe(status)
    expect((await jsonOf(res)).error).toMatch(message)
  })

  it('states every issue as { field, reason }: the route throws, the app answers', async () => {
    expect(await jsonOf(await post('/api/iris/predict', [flower, { ...flower, petal_length: null, colour: 'blue' }]))).toEqual({
      error: 'invalid iris input: [1].petal_length must be a number, got null',
      issues: [
        { field: '[1].petal_length', reason: 'must be a number, got null' },
        { field: '[1].colour', reason: 'is not a field of iris (fields: sepal_length, sepal_width, petal_length, petal_width)' },
      ],
    })
    expect(await jsonOf(await post('/api/iris/predict', '{'))).toMatchObject({ issues: [{ field: '(body)', reason: 'not valid JSON' }] })
    expect(await jsonOf(await app.request('/api/runs?limit=abc'))).toEqual({ error: 'limit must be a whole number from 1 to 1000, got "abc"', issues: [{ field: 'limit', reason: 'must be a whole number from 1 to 1000, got "abc"' }] })
  })

  it('refuses a body larger than a full batch of the system\'s rows can be with 413, and more than 10,000 rows with 400', async () => {
    // iris: 10,000 rows of four numbers of up to 24 characters, at least 1 MiB
    expect(maxBodyBytes(iris)).toBe(10_000 * (4 + 4 * 4 + '"sepal_length""sepal_width""petal_length""petal_width"'.length + 4 * 24))
    const huge = JSON.stringify(Array.from({ length: 30_000 }, () => flower))
    expect(huge.length).toBeGreaterThan(maxBodyBytes(iris))
    const refused = await post('/api/iris/predict', huge)
    expect([refused.status, (await jsonOf(refused)).error]).toEqual([413, `request body is larger than ${maxBodyBytes(iris)} bytes (a full batch of 10000 rows)`])
    // a full batch of a system's rows fits though over 1 MiB: 10,000 passengers, each age written with 40 more digits
    const wide = JSON.stringify(Array.from({ length: 10_000 }, () => passenger)).replaceAll('"age":30', `"age":30.${'0'.repeat(40)}`)
    expect(wide.length).toBeGreaterThan(1024 * 1024)
    expect(wide.length).toBeLessThan(maxBodyBytes(titanic))
    const full = await post('/api/titanic/predict', wide)
    expect([full.status, ((await jsonOf(full)) as unknown[]).length]).toEqual([200, 10_000])
    const many = Array.from({ length: 10_001 }, () => [1, 1, 1, 1]).map(([a, b, c, d]) => ({ sepal_length: 4 + a, sepal_width: 2 + b, petal_length: c, petal_width: d / 10 }))
    const res = await post('/api/iris/predict', JSON.stringify(many).replace(/\s/g, ''))
    expect(res.status).toBe(400)
    expect((await jsonOf(res)).error).toMatch(/at most 10000 rows/)
  })

  it('logs predictions to <system>_requests once flushed', async () => {
    await post('/api/titanic/predict', [passenger, { ...passenger, sex: 'male', pclass: 3 }])
    await services.requestLog.flush()
    const rows = await (await requestsFeatureGroup(services.featureStore, titanic)).read()
    expect(rows.length).toBeGreaterThanOrEqual(2)
    expect(rows.find((r) => r.sex === 0 && r.pclass === 3)).toMatchObject({ embarked: 0, age: 30, model_version: 1 })
  })

  it('serves monitor data, models, runs and health', async () => {
    const m = await jsonOf(await app.request('/api/iris/monitor'))
    expect(m.totals.predictions).toBe(3)
    expect(m.confusion.labels).toEqual(['Setosa', 'Versicolor', 'Virginica'])
    const models = await jsonOf(await app.request('/api/models'))
    expect(models.map((x: { name: string }) => x.name).sort()).toEqual(['iris_model', 'titanic_model'])
    const one = await jsonOf(await app.request('/api/models/iris_model'))
    expect(one.name).toBe('iris_model')
    expect(one.versions[0]).toMatchObject({ name: 'iris_model', version: 1 })
    const missing = await app.request('/api/models/nosuch')
    expect(missing.status).toBe(404)
    expect((await jsonOf(missing)).error).toBe('no model "nosuch" (known: iris_model, titanic_model)')
    const runs = await jsonOf(await app.request('/api/runs?limit=5'))
    expect(runs).toHaveLength(5)
    expect((await app.request('/api/runs?limit=abc')).status).toBe(400)
    // a filter on a served pipeline with no runs is an empty list; a name never served nor run is a 404, as in the CLI
    expect(await jsonOf(await app.request('/api/runs?pipeline=iris-batch-inference&status=timed-out'))).toEqual([])
    const nosuch = await app.request('/api/runs?pipeline=nosuch')
    expect(nosuch.status).toBe(404)
    expect((await jsonOf(nosuch)).error).toMatch(/^no pipeline "nosuch" \(known: iris-feature, .*\)$/)
    expect(await jsonOf(await app.request('/health'))).toMatchObject({ ok: true, systems: ['iris', 'titanic'] })
    expect((await app.request('/api/iris/monitorx')).status).toBe(404)
  })

  it('answers the monitor from its cache until the predictions or the production version change', async () => {
    const first = await jsonOf(await app.request('/api/iris/monitor'))
    // Unchanged store: the same computed answer, not a new one.
    expect(await services.monitors.get(iris)).toBe(await services.monitors.get(iris))
    const preds = await predictionsFeatureGroup(services.featureStore, iris)
    const [row] = await preds.read()
    await preds.insert([{ ...row, id: 10_001, ts: new Date('2026-05-03T13:00:00Z'), actual: null }])
    const afterInsert = await jsonOf(await app.request('/api/iris/monitor'))
    expect(afterInsert.totals.predictions).toBe(first.totals.predictions + 1)
    expect(afterInsert.latest.key).toEqual({ id: 10_001 })
    const v1 = await services.registry.getByAlias('iris_model', SERVING_ALIAS)
    const v2 = await services.registry.create({ name: 'iris_model', metrics: { accuracy: 0.5 }, description: 'second', featureView: v1.lineage.featureView ?? undefined })
    expect((await jsonOf(await app.request('/api/iris/monitor'))).servingModel.version).toBe(v1.version)
    await services.registry.promote('iris_model', v2.version)
    expect((await jsonOf(await app.request('/api/iris/monitor'))).servingModel).toMatchObject({ version: v2.version, metrics: { accuracy: 0.5 } })
  })
})
