import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { ConflictError, NotFoundError, validationError } from '../errors/index.js'
import { KNeighborsClassifier } from '../ml/index.js'
import { ChecksumError } from '../registry/index.js'
import { createApp } from './app.js'
import { createServices, type WebServices } from './services.js'

/** Response bodies as `any`: the fields checked are asserted below. */
const jsonOf = (res: Response): Promise<any> => res.json()

// The app's one error handler, driven by handlers that throw what each layer throws.
describe.each(testDialectNames())('error responses on %s', (dialect) => {
  let services: WebServices
  let app: ReturnType<typeof createApp>
  useTestDatabase(dialect, (_tdb, db: SqlDialect) => {
    services = createServices(db, { systems: [] })
    app = createApp(services)
    const fitted = new KNeighborsClassifier({ nNeighbors: 1 }).fit([[0, 0], [1, 1]], ['a', 'b'])
    for (const prefix of ['/api/_test', '/_test']) {
      // The ML layer refuses an input a handler passed on: a row of 3 features for a model fitted on 2.
      app.post(`${prefix}/ml-refuses`, async (c) => c.json(fitted.predict(await c.req.json())))
      app.get(`${prefix}/not-fitted`, () => new KNeighborsClassifier().predict([[0, 0]]) as never)
      app.get(`${prefix}/table`, () => {
        throw validationError([{ row: 2, column: 'age', reason: '"old" is not a valid float' }], 'passengers.csv')
      })
      app.get(`${prefix}/missing`, () => {
        throw new NotFoundError('no model iris_model')
      })
      app.get(`${prefix}/conflict`, () => {
        throw new ConflictError('model m v2 is aliased as production: move or remove the alias first')
      })
      app.get(`${prefix}/corrupt`, () => {
        throw new ChecksumError('artifact model.json of m v1 does not match its sha256', 'aa', 'bb')
      })
      app.get(`${prefix}/bug`, () => {
        throw new TypeError("Cannot read properties of undefined (reading 'rows')")
      })
    }
  })
  afterAll(() => services.requestLog.close())
  afterEach(() => vi.restoreAllMocks())

  const logged = () => {
    const lines: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true))
    return lines
  }

  it('answers an ML validation error inside a request with 400 and its reason, not 500', async () => {
    const res = await app.request('/api/_test/ml-refuses', { method: 'POST', body: JSON.stringify([[0, 0, 0]]) })
    expect(res.status).toBe(400)
    expect(await jsonOf(res)).toEqual({ error: 'x has 3 features, but the model was fitted with 2', issues: [{ field: 'x', reason: 'x has 3 features, but the model was fitted with 2' }] })
    const nan = await app.request('/api/_test/ml-refuses', { method: 'POST', body: JSON.stringify([[0, 'NaN']]) })
    expect(nan.status).toBe(400)
    expect((await jsonOf(nan)).error).toMatch(/^x\[0\]\[1\] is not a number \("NaN"\)/)
    const page = await app.request('/_test/ml-refuses', { method: 'POST', body: JSON.stringify([[0, 0, 0]]) })
    expect(page.status).toBe(400)
    expect(await page.text()).toMatch(/x has 3 features, but the model was fitted with 2/)
  })

  it('answers predict-before-fit (NotFittedError, a usage mistake) with 400', async () => {
    const res = await app.request('/api/_test/not-fitted')
    expect(res.status).toBe(400)
    expect((await jsonOf(res)).error).toMatch(/this KNeighborsClassifier is not fitted yet/)
  })

  it('states the issues of every layer in the predict API shape, { field, reason }', async () => {
    const res = await app.request('/api/_test/table')
    expect(res.status).toBe(400)
    expect(await jsonOf(res)).toEqual({
      error: 'invalid passengers.csv: row 2, column "age": "old" is not a valid float',
      issues: [{ field: 'row 2.age', reason: '"old" is not a valid float' }],
    })
  })

  it('answers not found 404 and conflict 409, JSON for the API and a page for a browser', async () => {
    const lines = logged()
    expect((await app.request('/api/_test/missing')).status).toBe(404)
    const conflict = await app.request('/api/_test/conflict')
    expect(conflict.status).toBe(409)
    expect(await jsonOf(conflict)).toEqual({ error: 'model m v2 is aliased as production: move or remove the alias first', issues: [] })
    const page = await app.request('/_test/conflict')
    expect(page.status).toBe(409)
    expect(await page.text()).toMatch(/aliased as production/)
    expect(lines).toEqual([])
  })

  it('answers corrupt stored data 500 with its reason, logged in one line without a stack', async () => {
    const lines = logged()
    const res = await app.request('/api/_test/corrupt')
    expect(res.status).toBe(500)
    expect((await jsonOf(res)).error).toMatch(/does not match its sha256/)
    expect(lines).toEqual(['GET /api/_test/corrupt: artifact model.json of m v1 does not match its sha256\n'])
  })

  it('answers a bug 500 without its details, keeping the stack in the server log', async () => {
    const lines = logged()
    const res = await app.request('/api/_test/bug')
    expect(res.status).toBe(500)
    expect(await jsonOf(res)).toEqual({ error: 'internal error' })
    const page = await app.request('/_test/bug')
    expect(page.status).toBe(500)
    expect(await page.text()).not.toMatch(/reading 'rows'/)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^GET \/api\/_test\/bug: TypeError: Cannot read properties of undefined \(reading 'rows'\)\n\s+at /)
  })
})
