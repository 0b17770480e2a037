import { afterAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { iris, runDemo, titanic } from '../../systems/index.js'
import { sha256Hex } from '../admin-access.js'
import { createApp } from '../app.js'
import { createServices, type WebServices } from '../services.js'

const TOKEN = 'page-token'

describe.each(testDialectNames())('operating pages on %s', (dialect) => {
  let db: SqlDialect
  const made: WebServices[] = []
  let failedId = 0
  const build = (adminTokenSha256: string | null, loopback: boolean, launch = true) => {
    const s = createServices(db, { access: { adminTokenSha256, loopback }, launchRun: launch ? async () => ({ pid: 1 }) : undefined })
    made.push(s)
    return createApp(s)
  }
  const get = async (app: ReturnType<typeof createApp>, path: string, headers: Record<string, string> = {}) => {
    const res = await app.request(path, { headers })
    return { status: res.status, html: await res.text(), res }
  }

  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    await runDemo(db, [iris, titanic], { days: 2, until: new Date('2026-05-03T12:00:00Z'), settings: { source: { dataDir: DATA_DIR } } })
    const s = createServices(db)
    made.push(s)
    const run = await s.runs.start({ pipeline: 'iris-daily', trigger: 'schedule', attempt: 1, scheduledFor: new Date('2026-05-04T06:00:00Z') })
    await s.runs.appendLog(run.id, { at: new Date('2026-05-04T06:00:01Z'), level: 'error', message: 'fetch <failed> & gave up' })
    failedId = (await s.runs.finish(run.id, { status: 'failed', error: `source unreachable: ${'x'.repeat(300)}` })).id
  })
  afterAll(async () => {
    for (const s of made) await s.requestLog.close()
  })

  it('/runs: every run newest first, filtered, paged; bad filters are 400 pages', async () => {
    const app = build(null, true)
    const all = await get(app, '/runs')
    expect(all.status).toBe(200)
    expect(all.html).toContain(`href="/runs/${failedId}"`)
    expect(all.html.indexOf(`#${failedId}`)).toBeLessThan(all.html.indexOf(`#${failedId - 1}<`))
    const failed = await get(app, '/runs?status=failed')
    expect(failed.html.match(/href="\/runs\/\d+"/g)).toEqual([`href="/runs/${failedId}"`])
    const manual = await get(app, '/runs?trigger=catch-up')
    expect(manual.html).toContain('No runs match.')
    const paged = await get(app, '/runs?limit=2&page=2')
    expect(paged.html.match(/href="\/runs\/\d+"/g)).toHaveLength(2)
    expect(paged.html).toContain('← newer')
    expect(paged.html).toContain('older →')
    for (const bad of ['/runs?status=done', '/runs?page=0', '/runs?trigger=x', '/runs?limit=5000']) expect((await get(app, bad)).status, bad).toBe(400)
  })

  it('/runs after Run now: says the run is starting and reloads until it is recorded, then links it; after a minute, that none was', async () => {
    const app = build(null, true)
    const pressed = Date.now()
    const starting = await get(app, `/runs?pipeline=iris-training&launched=${pressed}&pid=77`)
    expect(starting.html).toContain('Starting iris-training (process 77)… This page reloads every 2 s until its run is recorded.')
    expect(starting.html).toContain('<meta http-equiv="refresh" content="2"/>')
    const s = createServices(db)
    made.push(s)
    const run = await s.runs.start({ pipeline: 'iris-training', trigger: 'manual', attempt: 1 })
    const started = await get(app, `/runs?pipeline=iris-training&launched=${pressed}&pid=77`)
    expect(started.html).toContain(`Run now started <a href="/runs/${run.id}">run #${run.id}</a> of iris-training (running).`)
    expect(started.html).not.toContain('http-equiv="refresh"')
    await s.runs.finish(run.id, { status: 'succeeded' })
    const lost = await get(app, `/runs?pipeline=titanic-training&launched=${pressed - 120_000}&pid=78`)
    expect(lost.html).toMatch(/No run of titanic-training was recorded in the 60 s after Run now at .* \(process 78\)/)
    expect(lost.html).not.toContain('http-equiv="refresh"')
    // Without a pipeline of this server, with values that are not numbers, or pressed in the future, there is no notice (and no error).
    for (const path of ['/runs?launched=1&pid=2', '/runs?pipeline=iris-training&launched=x&pid=2', `/runs?pipeline=nope&launched=${pressed}&pid=2`, '/runs?pipeline=iris-training&launched=99999999999999&pid=2']) expect((await get(app, path)).html).not.toContain('launch-notice')
  })

  it('the dashboard\'s failing badge and the monitor\'s freshness rows link to the failing run', async () => {
    const app = build(null, true)
    expect((await get(app, '/')).html).toMatch(new RegExp(`<a href="/runs/${failedId}"[^>]*><span class="badge bad">1 pipeline failing`))
    expect((await get(app, '/iris/monitor')).html).toMatch(new RegExp(`<a href="/runs/${failedId}"><span class="badge bad">failed`))
  })

  it('/runs/:id: status, attempt, trigger, tick, rows, error and the escaped log', async () => {
    const app = build(null, true)
    const { status, html } = await get(app, `/runs/${failedId}`)
    expect(status).toBe(200)
    for (const s of ['failed', 'schedule', '2026-05-04 06:00Z', 'source unreachable', 'fetch &lt;failed&gt; &amp; gave up', 'class="notice err wrap"']) expect(html).toContain(s)
    expect(html).not.toContain('data-run=') // not running: no live tail
    expect((await get(app, '/runs/999999')).status).toBe(404)
    // A malformed id is the client's mistake, said in the JSON API's words; not "no run 0".
    for (const [id, got] of [
      ['abc', '"abc"'],
      ['1.5', '"1.5"'],
      ['99999999999999999999', '100000000000000000000'],
      ['0', '0'],
    ]) {
      const page = await get(app, `/runs/${id}`)
      const api = await app.request(`/api/runs/${id}`)
      expect(page.status, id).toBe(400)
      expect(api.status, id).toBe(400)
      const error = ((await api.json()) as { error: string }).error
      expect(error).toBe(`id must be a whole number from 1 to 9007199254740991, got ${got}`)
      expect(page.html).toContain(error.replaceAll('"', '&quot;'))
      expect(page.html).not.toContain('no run 0')
    }
  })

  it('/pipelines: schedule with time zone, last run, recent outcomes and Run now with a CSRF field', async () => {
    const app = build(sha256Hex(TOKEN), false)
    const { html, res } = await get(app, '/pipelines')
    expect(html).toMatch(/<code>[^<]+<\/code> <span class="muted small">UTC<\/span>/)
    expect(html).toContain('action="/api/pipelines/iris-daily/runs"')
    expect(html).toMatch(/name="_csrf" value="[A-Za-z0-9_-]{32}"/)
    expect(html).toContain('href="/admin"') // locked: a link to enter the token
    const csrf = res.headers.getSetCookie().find((c) => c.startsWith('sml_csrf='))!
    expect(csrf).toMatch(/HttpOnly/)
    expect(csrf).toMatch(/SameSite=Strict/)
    expect((await get(build(null, false), '/pipelines')).html).toContain('actions disabled')
    expect((await get(build(null, true, false), '/pipelines')).html).toContain('Run now unavailable')
  })

  it('/models and a model page: production alias, Promote for the others, artifact downloads', async () => {
    const app = build(null, true)
    const list = await get(app, '/models')
    expect(list.html).toContain('href="/models/iris_model"')
    expect(list.html).toContain('href="/models/titanic_model"')
    const page = await get(app, '/models/iris_model')
    expect(page.html).toContain('href="/api/models/iris_model/versions/1/artifacts/model.json"')
    expect(page.html).not.toContain('Promote v1') // v1 already holds production
  })

  it('/feature-groups: every group with rows and last commit; a group pages its data and its commits', async () => {
    const app = build(null, true)
    const list = await get(app, '/feature-groups')
    for (const g of ['iris', 'titanic', 'iris_predictions', 'titanic_predictions']) expect(list.html).toContain(`href="/feature-groups/${g}?version=1"`)
    const irisRows = await (await made[0].featureStore.getFeatureGroup('iris', 1)).count()
    expect(list.html).toContain(`<td class="num">${irisRows}</td>`)
    const pages = Math.ceil(irisRows / 20)
    const first = await get(app, '/feature-groups/iris')
    const ids = (html: string) => [...html.matchAll(/<section class="card" id="preview">[\s\S]*?<\/section>/g)][0][0].match(/<tr><td>(\d+)<\/td>/g)
    expect(ids(first.html)).toHaveLength(20)
    expect(first.html).toContain(`page 1 of ${pages}`)
    const third = await get(app, '/feature-groups/iris?version=1&page=3')
    expect(ids(third.html)![0]).not.toBe(ids(first.html)![0])
    expect(third.html).toContain(`page 3 of ${pages}`)
    expect((await get(app, '/feature-groups/iris?page=0')).status).toBe(400)
    expect((await get(app, '/feature-groups/iris?commits=x')).status).toBe(400)
    expect((await get(app, `/feature-groups/iris?page=${pages}`)).status).toBe(200)
    const past = await get(app, `/feature-groups/iris?page=${pages + 1}`)
    expect(past.status).toBe(404)
    expect(past.html).toContain(`There is no page ${pages + 1} of the ${irisRows} rows of feature group “iris”: the last is ${pages}.`)
    expect((await get(app, '/feature-groups/iris?commits=99')).status).toBe(404)
  })

  it('lineage as links: model version → training dataset → feature view → feature group at its commit', async () => {
    const app = build(null, true)
    const model = await get(app, '/models/iris_model')
    const v1 = await made[0].registry.get('iris_model', 1)
    const fv = v1.lineage.featureView!
    const tdPath = `/feature-views/${fv.name}/training-datasets/${v1.lineage.trainingDatasetVersion}?version=${fv.version}`
    expect(model.html).toContain(`href="${tdPath}"`)
    // the training dataset's own page: its split, what was fitted, and the model versions trained on it
    const td = await get(app, tdPath)
    expect(td.status).toBe(200)
    expect(td.html).toContain(`Training dataset ${v1.lineage.trainingDatasetVersion}`)
    expect(td.html).toContain(`as of commit #${v1.lineage.commitId}`)
    expect(td.html).toContain('href="/models/iris_model#v1"')
    for (const bad of [`/feature-views/${fv.name}/training-datasets/99?version=${fv.version}`, `/feature-views/${fv.name}/training-datasets/x`, '/feature-views/nope/training-datasets/1'])
      expect((await get(app, bad)).status, bad).toBe(404)
    const list = await get(app, '/feature-views')
    expect(list.html).toContain(`href="/feature-views/${fv.name}?version=${fv.version}"`)
    const view = await get(app, `/feature-views/${fv.name}?version=${fv.version}`)
    expect(view.status).toBe(200)
    expect(view.html).toContain(`id="td-${v1.lineage.trainingDatasetVersion}" href="${tdPath.replace(/&/g, '&amp;')}"`)
    expect(view.html).toContain(`at commit #${v1.lineage.commitId}`)
    expect(view.html).toMatch(/href="\/feature-groups\/iris\?version=1"/)
    for (const bad of ['/feature-views/nope', `/feature-views/${fv.name}?version=99`, `/feature-views/${fv.name}?version=x`, '/feature-views/Bad-Name']) expect((await get(app, bad)).status, bad).toBe(404)
  })

  it('a feature view page names the groups it joins as of each row', async () => {
    const app = build(null, true)
    const fs = made[0].featureStore
    const spec = (extra: string) => ({ primaryKey: ['station', 'day'], eventTime: 'day', schema: [{ name: 'station', type: 'string' as const }, { name: 'day', type: 'timestamp' as const }, { name: extra, type: 'float' as const }] })
    const left = await fs.getOrCreateFeatureGroup({ name: 'page_left', ...spec('y') })
    const right = await fs.getOrCreateFeatureGroup({ name: 'page_right', ...spec('x') })
    await fs.getOrCreateFeatureView({ name: 'page_joined', query: left.select(['y']).join(right.select(['x']), { on: ['station'], prefix: 'r_' }), labels: ['y'] })
    const page = await get(app, '/feature-views/page_joined')
    expect(page.status).toBe(200)
    expect(page.html).toContain('joins <a href="/feature-groups/page_right?version=1">page_right v1</a>')
    expect(page.html).toContain('<code>r_x</code>')
  })

  it('a model page with several versions compares their metrics side by side', async () => {
    const s = made[0]
    const v1 = await s.registry.get('titanic_model', 1)
    await s.registry.create({ name: 'titanic_model', metrics: { accuracy: 0.5 }, description: 'second', featureView: v1.lineage.featureView ?? undefined })
    const { html } = await get(build(null, true), '/models/titanic_model')
    expect(html).toContain('id="compare"')
    expect(html).toMatch(/<th class="num">v2<\/th><th class="num">v1 \(serving\)<\/th>/)
    expect(html).toContain('Promote v2')
  })

  it('/admin: the sign-in form when locked, signed in with the cookie, and the open/disabled states', async () => {
    const app = build(sha256Hex(TOKEN), false)
    const locked = await get(app, '/admin')
    expect(locked.html).toContain('id="sign-in"')
    const signIn = await app.request('/api/admin/session', { method: 'POST', body: JSON.stringify({ token: TOKEN }), headers: { 'content-type': 'application/json' } })
    const cookie = signIn.headers.getSetCookie()[0].split(';')[0]
    expect((await get(app, '/admin', { cookie })).html).toContain('signed in')
    expect((await get(build(null, true), '/admin')).html).toContain('actions are open to this machine')
    expect((await get(build(null, false), '/admin')).html).toContain('actions are disabled')
  })
})
