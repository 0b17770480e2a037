import { nextTick } from '../pipeline-status.js'
import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { NotFoundError, ValidationError } from '../../db/index.js'
import type { FeatureView } from '../../featurestore/index.js'
import { RUN_STATUSES, RUN_TRIGGERS } from '../../runtime/index.js'
import { accessState, csrfToken } from '../admin-access.js'
import { parseOr400, runIdSchema } from '../api-schemas.js'
import { layout } from '../layout.js'
import { AdminPage, FeatureGroupsPage, FeatureViewPage, FeatureViewsPage, ModelsPage, PipelinesPage, RunPage, RunsPage, TrainingDatasetPage, type ActionContext, type FeatureViewSummary } from '../pages/ops.js'
import type { WebServices } from '../services.js'
import { runsQuery } from './ops-api.js'

const RECENT = 8
const NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** What a page needs to draw action forms: this visitor's CSRF token and access state. */
export function actionContext(c: Context, services: WebServices): ActionContext {
  return { csrf: csrfToken(c), state: accessState(c, services.access) }
}

/** A run counts as Run now's when it started at most this long before the press was answered (clocks of one machine; the child records its start after it is spawned). */
const LAUNCH_CLOCK_SLACK_MS = 1_000

/** Operating pages: runs with logs, pipelines with Run now, the model list, admin sign-in. */
export function opsPageRoutes(services: WebServices): Hono {
  const pages = new Hono()
  const render = layout(services.systems)

  pages.get('/runs', render, async (c) => {
    const q = runsQuery(c)
    const found = await services.runs.list({ pipeline: q.pipeline, status: q.status, trigger: q.trigger, limit: q.perPage + 1, offset: (q.page - 1) * q.perPage })
    const names = [...new Set([...services.pipelines.map((p) => p.name), ...(q.pipeline ? [q.pipeline] : [])])]
    // After Run now (its redirect carries when and which process): is its run recorded yet?
    const at = Number(c.req.query('launched'))
    const pid = Number(c.req.query('pid'))
    // Only for a pipeline of this server, pressed at most a few seconds "from now" (a URL could say anything).
    const launched =
      q.pipeline && services.pipelines.some((p) => p.name === q.pipeline) && Number.isSafeInteger(at) && at > 0 && at <= Date.now() + LAUNCH_CLOCK_SLACK_MS && Number.isSafeInteger(pid) && pid > 0
        ? { pipeline: q.pipeline, at, pid, run: (await services.runs.list({ pipeline: q.pipeline, trigger: 'manual', limit: 5 })).find((r) => r.startedAt.getTime() >= at - LAUNCH_CLOCK_SLACK_MS) ?? null }
        : undefined
    return c.render(
      <RunsPage runs={found.slice(0, q.perPage)} hasNext={found.length > q.perPage} filter={q} pipelines={names} statuses={RUN_STATUSES} triggers={RUN_TRIGGERS} now={Date.now()} launched={launched} />,
      { title: 'Runs', active: '/runs' },
    )
  })

  pages.get('/runs/:id', render, async (c) => {
    // The API's parsing: a bad id is a 400 page saying why, in the API's words; an unknown one a 404 page (RunStore.get).
    const id = parseOr400(runIdSchema, c.req.param('id'), 'id')
    const run = await services.runs.get(id)
    const [attempts, logs] = await Promise.all([services.runs.attempts(id), services.runs.logs(id)])
    return c.render(<RunPage run={run} attempts={attempts} logs={logs} />, { title: `Run #${id}`, active: '/runs' })
  })

  pages.get('/pipelines', render, async (c) => {
    const rows = await Promise.all(
      services.pipelines.map(async (p) => ({ pipeline: p, next: await nextTick(services, p), recent: await services.runs.list({ pipeline: p.name, limit: RECENT }) })),
    )
    return c.render(<PipelinesPage rows={rows} ctx={actionContext(c, services)} canLaunch={services.launchRun !== undefined} now={Date.now()} />, { title: 'Pipelines', active: '/pipelines' })
  })

  pages.get('/models', render, async (c) => {
    const models = await services.registry.list()
    const withVersions = await Promise.all(models.map(async (m) => ({ name: m.name, list: await services.registry.listVersions(m.name) })))
    return c.render(<ModelsPage models={withVersions} />, { title: 'Models', active: '/models' })
  })

  pages.get('/feature-groups', render, async (c) => {
    const groups = await services.featureStore.listFeatureGroups()
    const rows = await Promise.all(groups.map(async (g) => ({ meta: g.metadata, rows: await g.count(), lastCommit: (await g.latestCommit()) ?? null })))
    return c.render(<FeatureGroupsPage groups={rows} />, { title: 'Feature groups', active: '/feature-groups' })
  })

  const viewSummary = (fv: FeatureView): FeatureViewSummary => ({
    ...fv.metadata,
    group: { name: fv.featureGroup.name, version: fv.featureGroup.version },
    joined: fv.metadata.joins.map((j, k) => ({ name: fv.joinedGroups[k].name, version: fv.joinedGroups[k].version, on: j.on, prefix: j.prefix })),
  })

  pages.get('/feature-views', render, async (c) => {
    const views = await services.featureStore.listFeatureViews()
    return c.render(<FeatureViewsPage views={views.map(viewSummary)} />, { title: 'Feature views', active: '/feature-views' })
  })

  pages.get('/feature-views/:name', render, async (c) => {
    const name = c.req.param('name')
    const v = c.req.query('version')
    const version = v === undefined || v === '' ? undefined : /^\d{1,9}$/.test(v) ? Number(v) : 0
    const fv = NAME.test(name) && version !== 0 ? await services.featureStore.getFeatureView(name, version).catch((e) => (e instanceof NotFoundError || e instanceof ValidationError ? null : Promise.reject(e))) : null
    if (!fv) throw new HTTPException(404, { message: `There is no feature view called “${name}”${version === undefined ? '' : ` with version ${v}`}.` })
    return c.render(<FeatureViewPage view={viewSummary(fv)} trainingDatasets={await fv.trainingDatasets()} />, { title: `Feature view ${name}`, active: '/feature-views' })
  })

  pages.get('/feature-views/:name/training-datasets/:td', render, async (c) => {
    const name = c.req.param('name')
    const v = c.req.query('version')
    const version = v === undefined || v === '' ? undefined : /^\d{1,9}$/.test(v) ? Number(v) : 0
    const td = /^\d{1,9}$/.test(c.req.param('td')) ? Number(c.req.param('td')) : 0
    const fv = NAME.test(name) && version !== 0 ? await services.featureStore.getFeatureView(name, version).catch((e) => (e instanceof NotFoundError || e instanceof ValidationError ? null : Promise.reject(e))) : null
    const dataset = fv && td > 0 ? (await fv.trainingDatasets()).find((t) => t.version === td) : undefined
    if (!fv || !dataset) throw new HTTPException(404, { message: `There is no training dataset ${c.req.param('td')} of feature view “${name}”${version === undefined ? '' : ` v${v}`}.` })
    // Lineage read backwards: the model versions whose lineage names this view version and dataset.
    const models: { name: string; version: number; metrics: Readonly<Record<string, number>> }[] = []
    for (const m of await services.registry.list()) {
      for (const mv of await services.registry.listVersions(m.name)) {
        const l = mv.lineage
        if (l.featureView?.name === fv.name && l.featureView.version === fv.version && l.trainingDatasetVersion === td) models.push({ name: mv.name, version: mv.version, metrics: mv.metrics })
      }
    }
    return c.render(<TrainingDatasetPage view={viewSummary(fv)} dataset={dataset} models={models} />, { title: `Training dataset ${td} of ${name}`, active: '/feature-views' })
  })

  pages.get('/admin', render, async (c) => {
    const next = c.req.query('next')
    return c.render(<AdminPage ctx={actionContext(c, services)} next={next && /^\/(?![/\\])/.test(next) ? next : '/admin'} />, { title: 'Admin', active: '/admin' })
  })

  return pages
}
