import { afterAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { iris, runDemo, titanic } from '../systems/index.js'
import { createApp, fastPaths } from './app.js'
import { requestsFeatureGroup } from './request-log.js'
import { listen } from './server.js'
import { createServices, type WebServices } from './services.js'

const flower = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }
const passenger = { pclass: 1, sex: 'female', age: 30, sibsp: 0, parch: 0, embarked: 'C' }

/** What a client sees of an answer: status, body, and every header but the ones of the connection and the clock. */
async function seen(res: Response) {
  const headers = Object.fromEntries([...res.headers].filter(([k]) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k)))
  return { status: res.status, headers, body: await res.text() }
}

// The fast path (node:http, before the app) must answer exactly as the app does, for every body.
describe.each(testDialectNames())('predict fast path on %s', (dialect) => {
  let db: SqlDialect
  let services: WebServices
  let app: ReturnType<typeof createApp>
  let server: Awaited<ReturnType<typeof listen>>
  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    await runDemo(db, [iris, titanic], { days: 2, until: new Date('2026-05-03T12:00:00Z'), settings: { source: { dataDir: DATA_DIR } } })
    services = createServices(db, { systems: [iris, titanic] })
    app = createApp(services)
    server = await listen(app, { port: 0 })
  })
  afterAll(async () => {
    await server?.close()
    await services?.requestLog.close()
  })

  const bodies: [string, string, string, string][] = [
    ['one row', 'iris', JSON.stringify(flower), 'application/json'],
    ['a batch', 'titanic', JSON.stringify([passenger, { ...passenger, sex: 'male', age: 60 }]), 'application/json; charset=utf-8'],
    ['a field out of range', 'iris', JSON.stringify({ ...flower, sepal_length: 99 }), 'application/json'],
    ['an unknown field', 'iris', JSON.stringify({ ...flower, colour: 'red' }), 'application/json'],
    ['malformed JSON', 'iris', '{"sepal_length": ', 'application/json'],
    ['a byte-order mark', 'iris', `\uFEFF${JSON.stringify(flower)}`, 'application/json'],
    ['an empty batch', 'iris', '[]', 'application/json'],
    ['another content type', 'iris', JSON.stringify(flower), 'text/plain'],
    ['no content type', 'iris', JSON.stringify(flower), ''],
    ['a JSON-like content type', 'iris', JSON.stringify(flower), 'application/json-seq'],
    ['an unknown system', 'wine', JSON.stringify(flower), 'application/json'],
  ]
  // (A compressed body is the app's 415 either way: the fast path leaves any Content-Encoding to it.)
  it.each(bodies)('answers %s as the app does', async (_what, system, body, type) => {
    expect(fastPaths.has(app)).toBe(true)
    // Bytes, so that an empty type sends none (a string body would be sent as text/plain).
    const init = { method: 'POST', body: new TextEncoder().encode(body), headers: type ? { 'content-type': type } : ({} as Record<string, string>) }
    const viaServer = await seen(await fetch(`${server.url}/api/${system}/predict`, init))
    const viaApp = await seen(await app.request(`/api/${system}/predict`, init))
    expect(viaServer).toEqual(viaApp)
    if (!/^application\/json(;|$)/.test(type)) expect(viaServer.status).toBe(415)
  })

  it('logs each answered request once, whichever path answered it', async () => {
    await services.requestLog.flush()
    const group = await requestsFeatureGroup(services.featureStore, iris)
    const before = (await group.read()).length
    const post = (body: unknown) => fetch(`${server.url}/api/iris/predict`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    expect((await post(flower)).status).toBe(200)
    expect((await post([flower, flower, flower])).status).toBe(200)
    expect((await post({ ...flower, sepal_length: -1 })).status).toBe(400)
    await services.requestLog.flush()
    expect((await group.read()).length - before).toBe(4)
  })

  it('is not used when the predict API adds headers of its own (rate limit, CORS)', async () => {
    for (const options of [{ predictRateLimit: { limit: 5, windowMs: 60_000 } }, { corsOrigins: ['https://app.example.org'] }]) {
      const s = createServices(db, { systems: [iris], ...options })
      expect(fastPaths.has(createApp(s))).toBe(false)
      await s.requestLog.close()
    }
  })
})
