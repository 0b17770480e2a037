import { afterAll, describe, expect, it, vi } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { FeatureGroup } from '../../featurestore/index.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { airQualitySystem, iris, predictExamples, runDemo, systemFeatureGroup, titanic } from '../../systems/index.js'
import { createApp } from '../app.js'
import { menuLabels } from '../layout.js'
import { parsePredictInput } from '../predict-input.js'
import { requestsFeatureGroup } from '../request-log.js'
import { createServices, type WebServices } from '../services.js'

const form = (values: Record<string, string | number>) => ({
  method: 'POST',
  body: new URLSearchParams(Object.entries(values).map(([k, v]): [string, string] => [k, String(v)])).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
})
/** The text of the element with this id (tags stripped). */
const byId = (html: string, id: string) => {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html)
  return m ? m[1].replace(/<[^>]+>/g, '').trim() : null
}

/** The raw inner HTML of the element with this id. */
const byIdRaw = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html)?.[1] ?? null
const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
/** The JSON body of the page's curl snippet (its last single-quoted word). */
const curlBody = (html: string) => /-d '(.*)'$/.exec(decode(byIdRaw(html, 'snippet-curl')!))![1].replaceAll(`'\\''`, "'")

describe.each(testDialectNames())('pages on %s', (dialect) => {
  let db: SqlDialect
  let services: WebServices
  let app: ReturnType<typeof createApp>
  const get = async (path: string) => {
    const res = await app.request(path)
    return { status: res.status, type: res.headers.get('content-type'), html: await res.text() }
  }

  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    await runDemo(db, [iris, titanic], { days: 3, until: new Date('2026-05-03T12:00:00Z'), settings: { source: { dataDir: DATA_DIR } } })
    services = createServices(db, { nextRun: (p) => (p.endsWith('-daily') ? new Date(Date.now() + 3_600_000) : null) })
    app = createApp(services)
  })
  afterAll(() => services.requestLog.close())

  it('dashboard: both systems with feature groups, model versions, pipelines and links', async () => {
    const { status, type, html } = await get('/')
    expect(status).toBe(200)
    expect(type).toMatch(/text\/html/)
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true)
    for (const s of ['Iris flowers', 'Titanic survival', 'href="/feature-groups/iris?version=1"', 'href="/feature-groups/titanic_predictions?version=1"', 'href="/models/iris_model#v1"', 'iris-batch-inference', 'titanic-daily', 'href="/iris/monitor"', 'succeeded', 'in 1 h'])
      expect(html).toContain(s)
    expect(html).toMatch(/<nav class="main"[\s\S]*Titanic monitor/)
  })

  it('menu: a system\'s shortTitle, else its title\'s first word; systems that would share one show their titles', () => {
    const sys = (name: string, title: string, shortTitle?: string) => ({ ...iris, name, title, shortTitle })
    expect([...menuLabels([iris, titanic, airQualitySystem()]).values()]).toEqual(['Iris', 'Titanic', 'Air quality'])
    expect([...menuLabels([sys('t2_wine', 'T2 wine'), sys('t2_diab', 'T2 diab'), sys('m', 'Meter', 'Power')]).values()]).toEqual(['T2 wine', 'T2 diab', 'Power'])
  })

  it('predict page: controls built from the fields, defaults answered with picture and probabilities', async () => {
    const { status, html } = await get('/iris')
    expect(status).toBe(200)
    expect(html).toMatch(/<input type="range"[^>]*data-for="f-sepal_length"[^>]*min="4"[^>]*max="8"[^>]*step="0.1"/)
    // Text with a decimal keyboard: a browser's number input would read "2,5" as 25.
    expect(html).toMatch(/<input type="text" class="num" id="f-petal_width" name="petal_width" value="0.2" inputmode="decimal"/)
    expect(byId(html, 'prediction')).toBe('Setosa')
    expect(html).toContain('class="picture picture-iris"')
    expect(html).toMatch(/data-class="Virginica"/)
    const t = await get('/titanic')
    expect(t.html).toMatch(/<input type="radio" name="sex" value="female" checked=""/)
    expect(t.html).toMatch(/<select id="f-pclass" name="pclass"[^>]*><option value="1">1st class<\/option>/)
    expect(t.html).toMatch(/<option value="S" selected="">Southampton<\/option>/)
    expect(t.html).toContain('picture-titanic')
  })

  it('predict by form POST and by GET query: the same answer as the JSON API, logged as a request', async () => {
    const flower = { sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 }
    const res = await app.request('/iris', form(flower))
    expect(res.status).toBe(200)
    const html = await res.text()
    const api = (await (await app.request('/api/iris/predict', { method: 'POST', body: JSON.stringify(flower), headers: { 'content-type': 'application/json' } })).json()) as { prediction: string }
    expect(byId(html, 'prediction')).toBe(api.prediction)
    expect(html).toMatch(/id="model-version" data-version="1"/)
    expect(html).toContain('value="6.9"')
    const passenger = { pclass: '1', sex: 'female', age: '30', sibsp: '0', parch: '0', embarked: 'C' }
    const q = await get(`/titanic?${new URLSearchParams(passenger)}`)
    expect(q.status).toBe(200)
    expect(byId(q.html, 'prediction')).toBe('Survived')
    await services.requestLog.flush()
    const logged = await (await requestsFeatureGroup(services.featureStore, titanic)).read()
    expect(logged.some((r) => r.pclass === 1 && r.sex === 1 && r.embarked === 0 && r.age === 30)).toBe(true)
  })

  const bad: [string, string, Record<string, string>, string, RegExp][] = [
    ['an unparsable number', 'iris', { sepal_length: 'abc', sepal_width: '3', petal_length: '1', petal_width: '0.2' }, 'sepal_length', /must be a number, got &quot;abc&quot;|must be a number, got "abc"/],
    ['several separators', 'iris', { sepal_length: '1,2,3', sepal_width: '3', petal_length: '1', petal_width: '0.2' }, 'sepal_length', /one decimal separator/],
    ['a thousands separator', 'iris', { sepal_length: '5', sepal_width: '1,234.5', petal_length: '1', petal_width: '0.2' }, 'sepal_width', /no thousands separators/],
    ['an ambiguous comma', 'titanic', { pclass: '1', sex: 'male', age: '1,234', sibsp: '0', parch: '0', embarked: 'S' }, 'age', /is ambiguous/],
    ['a hexadecimal number', 'iris', { sepal_length: '0x5', sepal_width: '3', petal_length: '1', petal_width: '0.2' }, 'sepal_length', /must be a number/],
    ['an empty number', 'iris', { sepal_length: '', sepal_width: '3', petal_length: '1', petal_width: '0.2' }, 'sepal_length', /is required/],
    ['an out-of-range number', 'iris', { sepal_length: '5', sepal_width: '3', petal_length: '1', petal_width: '9' }, 'petal_width', /must be at most 2.5 cm/],
    ['a fractional count', 'titanic', { pclass: '1', sex: 'male', age: '30', sibsp: '1.5', parch: '0', embarked: 'S' }, 'sibsp', /must be a whole number/],
    ['an unknown choice', 'titanic', { pclass: '1', sex: 'male', age: '30', sibsp: '0', parch: '0', embarked: 'X' }, 'embarked', /must be one of/],
    ['a missing choice', 'titanic', { pclass: '1', age: '30', sibsp: '0', parch: '0', embarked: 'S' }, 'sex', /is required/],
  ]
  it.each(bad)('shows %s next to its field with status 400', async (_name, system, values, field, reason) => {
    const res = await app.request(`/${system}`, form(values))
    expect(res.status).toBe(400)
    const html = await res.text()
    const error = byId(html, `f-${field}-error`)
    expect(error).not.toBeNull()
    expect(error).toMatch(reason)
    expect(html).toMatch(new RegExp(`class="field invalid" data-field="${field}"`))
    expect(html).not.toContain('id="prediction"')
    // What was typed stays in the form.
    if (values[field]) expect(html).toContain(`value="${values[field]}"`)
  })

  it('a decimal comma is a decimal separator: "2,5" answers as "2.5", never as 25', async () => {
    const dot = { sepal_length: '6.3', sepal_width: '2.5', petal_length: '4.9', petal_width: '1.5' }
    const comma = { sepal_length: '6,3', sepal_width: '2,5', petal_length: '4,9', petal_width: '1,5' }
    const [a, b] = await Promise.all([app.request('/iris', form(dot)), app.request('/iris', form(comma))])
    expect([a.status, b.status]).toEqual([200, 200])
    const [ha, hb] = [await a.text(), await b.text()]
    expect(byId(hb, 'prediction')).toBe(byId(ha, 'prediction'))
    expect(hb).toContain('value="2,5"') // what was typed stays
    expect(JSON.parse(curlBody(hb))).toEqual({ sepal_length: 6.3, sepal_width: 2.5, petal_length: 4.9, petal_width: 1.5 })
    // A regression value too, by GET: "30,5" years is 30.5.
    const q = await get(`/titanic?${new URLSearchParams({ pclass: '3', sex: 'male', age: '30,5', sibsp: '0', parch: '0', embarked: 'S' })}`)
    expect(q.status).toBe(200)
    expect(JSON.parse(curlBody(q.html)).age).toBe(30.5)
  })

  it('examples are rows the form accepts: none beyond a field range narrower than the data', async () => {
    // iris with petal length capped at 5 cm: the first Virginica rows (6.0 cm) are no example
    const capped = { ...iris, fields: iris.fields.map((f) => (f.name === 'petal_length' && f.kind === 'number' ? { ...f, max: 5, default: 4 } : f)) }
    const examples = await predictExamples(services.featureStore, capped)
    expect(examples.map((e) => e.title)).toEqual(['Setosa', 'Versicolor', 'Virginica'])
    for (const e of examples) expect(e.input.petal_length as number).toBeLessThanOrEqual(5)
    expect((await predictExamples(services.featureStore, iris)).find((e) => e.title === 'Virginica')!.input.petal_length).toBeGreaterThan(5)
  })

  it('examples: real rows of the feature group, one per class, each a link that fills the form', async () => {
    for (const system of [iris, titanic]) {
      const { html } = await get(`/${system.name}`)
      const links = [...html.matchAll(/<a class="example" href="([^"]+)" data-example="([^"]+)">([^<]+)<\/a>/g)]
      expect(links.map((l) => l[3])).toEqual(system.label.classes!.map((c) => c.name))
      const rows = await (await systemFeatureGroup(services.featureStore, system)).read()
      for (const [, href, data, title] of links) {
        const input = JSON.parse(data.replaceAll('&quot;', '"')) as Record<string, string | number>
        const body = await (await app.request(`/api/${system.name}/predict`, { method: 'POST', body: JSON.stringify(input), headers: { 'content-type': 'application/json' } })).json()
        expect(body).toHaveProperty('prediction') // a valid request as it stands
        const parsed = parsePredictInput(system, input)
        expect(parsed.ok).toBe(true)
        const row = (parsed as { rows: Record<string, unknown>[] }).rows[0]
        const cls = system.label.classes!.find((c) => c.name === title)!
        expect(rows.some((r) => r[system.label.column] === cls.value && system.fields.every((f) => r[f.name] === row[f.name]))).toBe(true)
        // Without JavaScript the link is a GET of the page with those values.
        const page = await get(href.replaceAll('&amp;', '&'))
        expect(page.status).toBe(200)
        expect(JSON.parse(curlBody(page.html))).toEqual(input)
      }
    }
  })

  it('use via API: curl, fetch and Python snippets of the current inputs at this host', async () => {
    const passenger = { pclass: '2', sex: 'female', age: '41', sibsp: '1', parch: '0', embarked: 'Q' }
    const res = await app.request(`http://ml.example.org:8080/titanic?${new URLSearchParams(passenger)}`)
    const html = await res.text()
    const curl = decode(byIdRaw(html, 'snippet-curl')!)
    expect(curl).toMatch(/^curl -X POST 'http:\/\/ml\.example\.org:8080\/api\/titanic\/predict' \\\n  -H 'content-type: application\/json' \\\n  -d '/)
    const body = JSON.parse(curlBody(html))
    expect(body).toEqual({ pclass: 2, sex: 'female', age: 41, sibsp: 1, parch: 0, embarked: 'Q' })
    const fetchText = decode(byIdRaw(html, 'snippet-fetch')!)
    expect(fetchText).toContain('fetch("http://ml.example.org:8080/api/titanic/predict"')
    expect(JSON.parse(/JSON\.stringify\(([\s\S]*?)\),\n\}\)/.exec(fetchText)![1])).toEqual(body)
    const python = decode(byIdRaw(html, 'snippet-python')!)
    expect(python).toContain('requests.post(\n    "http://ml.example.org:8080/api/titanic/predict",')
    expect(JSON.parse(/json=([\s\S]*?),\n\)/.exec(python)![1])).toEqual(body)
    // The snippet's request answers what the page answers.
    const api = (await (await app.request('/api/titanic/predict', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })).json()) as { prediction: string }
    expect(byId(html, 'prediction')).toBe(api.prediction)
  })

  it('a trailing slash redirects to the one address of the page', async () => {
    for (const [from, to] of [['/iris/', '/iris'], ['/titanic/monitor/', '/titanic/monitor'], ['/iris/?sepal_length=5', '/iris?sepal_length=5']]) {
      const res = await app.request(from)
      expect(res.status).toBe(301)
      expect(res.headers.get('location')).toBe(to)
    }
    // Only a plain name goes back into a Location header.
    expect((await app.request('/evil.org%2Fx/')).status).toBe(404)
  })

  it('monitor pages: latest pictures, history table, confusion matrix and accuracy SVGs, drift, pipelines', async () => {
    for (const system of [iris, titanic]) {
      const { status, html } = await get(`/${system.name}/monitor`)
      expect(status).toBe(200)
      expect(html).toMatch(/id="latest-predicted"[\s\S]*?<svg/)
      expect(html).toMatch(/id="latest-actual"[\s\S]*?<svg/)
      expect(html).toMatch(/id="confusion"[\s\S]*?<svg[^>]*class="marks"/)
      expect(html).toMatch(/id="accuracy"[\s\S]*?<svg/)
      const history = /<table id="history" class="stack">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]
      expect(history.match(/<tr>/g)).toHaveLength(3)
      expect(html).toMatch(/<table id="drift">/)
      expect(byId(html, 'drift-notice')).toMatch(/Not enough recent data: \d+ current row/)
      for (const f of system.fields) expect(html).toContain(f.label)
      expect(html).toContain(`${system.name}-batch-inference`)
      expect(byId(html, 'serving-model')).toBe(`${system.model.name} v1`)
    }
    expect((await get('/titanic/monitor')).html).toContain('Southampton')
  })

  it('model and feature-group pages: versions, metrics, confusion artifact, lineage; schema, statistics, commits', async () => {
    const m = await get('/models/titanic_model')
    expect(m.status).toBe(200)
    for (const s of ['Version 1', 'accuracy', 'data:image/svg+xml;base64,', 'titanic v1', 'Feature-group commit', 'confusion_matrix.svg', 'serving', 'precision']) expect(m.html).toContain(s)
    // The promotion decision: outcome, this version's score, production's (none yet), rows, reason.
    const promotion = /id="promotion-v1"[\s\S]*?<\/table>/.exec(m.html)?.[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')
    expect(promotion).toMatch(/training \(titanic-training run \d+\) production → v1 accuracy 0\.7865 none 178 no version was in production: the first one takes it/)
    const g = await get('/feature-groups/iris')
    expect(g.status).toBe(200)
    for (const s of ['id="schema"', 'primary key', 'event time', 'sepal_length', 'id="statistics"', 'id="commits"', 'iris-daily', '153 rows']) expect(g.html).toContain(s)
  })

  it("a feature group page computes the group's statistics once per change of its data, not once per view", async () => {
    const fg = await services.featureStore.getOrCreateFeatureGroup({ name: 'stats_cache_probe', primaryKey: ['id'], schema: [{ name: 'id', type: 'int' }, { name: 'x', type: 'float' }] })
    await fg.insert([{ id: 1, x: 2.5 }])
    const spy = vi.spyOn(FeatureGroup.prototype, 'statistics')
    try {
      const maxOfX = (html: string) => /<code>x<\/code><\/td>(?:<td[^>]*>[^<]*<\/td>){4}<td[^>]*>([^<]*)<\/td>/.exec(html)?.[1]
      const first = await get('/feature-groups/stats_cache_probe')
      expect(maxOfX(first.html)).toBe('2.5')
      expect((await get('/feature-groups/stats_cache_probe')).html).toContain('1 row ·')
      expect(spy).toHaveBeenCalledTimes(1)
      await fg.insert([{ id: 2, x: 9 }])
      const after = await get('/feature-groups/stats_cache_probe')
      expect([maxOfX(after.html), spy.mock.calls.length]).toEqual(['9', 2])
    } finally {
      spy.mockRestore()
    }
  })

  it('unknown systems, models, groups and pages are a 404 HTML page, never 500', async () => {
    for (const path of ['/roses', '/roses/monitor', '/models/nope', '/models/Bad-Name!', '/feature-groups/nope', '/feature-groups/iris?version=7', '/feature-groups/iris?version=x', '/iris/monitor/extra', '/favicon.ico']) {
      const r = await get(path)
      expect(r.status, path).toBe(404)
      expect(r.type).toMatch(/text\/html/)
      expect(r.html).toContain('404 · Not found')
      expect(r.html).toContain('<nav class="main"')
    }
    expect((await get('/roses')).html).toContain('Known systems: iris, titanic')
    expect((await app.request('/roses', form({ a: 1 }))).status).toBe(404)
    // The API keeps answering JSON.
    const api = await app.request('/api/nope')
    expect(api.status).toBe(404)
    expect(await api.json()).toMatchObject({ error: expect.stringMatching(/no route/) })
    // A path that exists for other methods: 405 with Allow, on the API and on pages.
    const getPredict = await app.request('/api/iris/predict')
    expect(getPredict.status).toBe(405)
    expect(getPredict.headers.get('allow')).toBe('POST')
    expect(await getPredict.json()).toEqual({ error: 'GET is not allowed on /api/iris/predict; use POST' })
    const deletePage = await app.request('/iris', { method: 'DELETE' })
    expect(deletePage.status).toBe(405)
    expect(deletePage.headers.get('allow')).toBe('GET, POST')
    expect(await deletePage.text()).toContain('405 · Method not allowed')
    // A page that is not a system's, posted to (the predict form's POST /<name> matches any name): 405, not "no system".
    for (const [path, allow] of [
      ['/admin', 'GET'],
      ['/runs', 'GET'],
      ['/docs', 'GET'],
    ]) {
      const r = await app.request(path, form({ a: 1 }))
      expect(r.status, path).toBe(405)
      expect(r.headers.get('allow'), path).toBe(allow)
      const text = await r.text()
      expect(text).toContain(`POST is not allowed on ${path}; use GET`)
      expect(text).not.toContain('no system or page')
    }
    // A name that is nothing at all is no page for any method: 404, not "use GET or POST".
    expect((await app.request('/roses', { method: 'DELETE' })).status).toBe(404)
  })

  it('prints times in UTC with their Z and schedules with their time zone, whatever the server’s zone', async () => {
    // The demo's last day ran iris-batch-inference at 06:15 UTC; its first iris-daily row is 2026-05-01 06:00Z.
    const monitor = (await get('/iris/monitor')).html
    expect(monitor).toContain('2026-05-03 06:15Z')
    expect(monitor).toMatch(/<code>0 6 \* \* \*<\/code> <span class="muted small">UTC<\/span>/)
    expect((await get('/feature-groups/iris_predictions')).html).toMatch(/<td[^>]*>2026-05-01 06:15Z<\/td><td[^>]*>2026-05-03 06:15Z<\/td>/)
  })
})
