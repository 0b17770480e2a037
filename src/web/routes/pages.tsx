import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { predictedProbability, predictExamples, predictRows, type SystemDescription } from '../../systems/index.js'
import { bodyLimit } from '../body-limit.js'
import { defaultFormValues, formToBody, hasFieldValues, type FormValues } from '../form-input.js'
import { layout } from '../layout.js'
import { dashboardSystems, modelPageData, monitorPageProps, orNull } from '../page-data.js'
import { DashboardPage } from '../pages/dashboard.js'
import { FeatureGroupPage } from '../pages/feature-group.js'
import { ModelPage } from '../pages/model.js'
import { MonitorPage } from '../pages/monitor.js'
import { PredictPage, type PredictPageProps } from '../pages/predict.js'
import { parsePredictInput } from '../predict-input.js'
import type { WebServices } from '../services.js'
import { actionContext } from './ops-pages.js'

const NAME = /^[a-z_][a-z0-9_]{0,62}$/
const FORM_LIMIT = 64 * 1024
const PREVIEW_ROWS = 20
const COMMITS_PER_PAGE = 50

/** A `?page=` style number: a whole number ≥ 1 (1 when absent), else a 400 page naming it. */
function pageNumber(v: string | undefined): number {
  if (v === undefined || v === '') return 1
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new HTTPException(400, { message: `The page number must be a whole number from 1, not “${v}”.` })
  return Number(v)
}

/** A page past the last one is 404 naming the last, rather than an empty table that looks like lost rows. */
function lastPageCheck(param: string, page: number, items: number, perPage: number, what: string): void {
  const last = Math.max(1, Math.ceil(items / perPage))
  if (page > last) notFound(`There is no ${param} ${page} of the ${items} ${what}: the last is ${last}.`)
}

function notFound(message: string): never {
  throw new HTTPException(404, { message })
}

/** Server-rendered pages: dashboard, predict and monitor per system, model registry, feature groups. */
export function pageRoutes(services: WebServices): Hono {
  const pages = new Hono()
  const render = layout(services.systems)
  const systemOr404 = (name: string): SystemDescription =>
    services.systems.find((s) => s.name === name) ?? notFound(`There is no system or page called “${name}”. Known systems: ${services.systems.map((s) => s.name).join(', ')}.`)

  pages.get('/', render, async (c) => {
    const now = Date.now()
    const systems = await dashboardSystems(services, services.systems, now)
    return c.render(<DashboardPage systems={systems} now={now} />, { title: 'Dashboard', active: '/' })
  })

  pages.get('/models/:name', render, async (c) => {
    const name = c.req.param('name')
    const { versions, serving } = NAME.test(name) ? await modelPageData(services, name) : { versions: [], serving: null }
    if (versions.length === 0) notFound(`There is no model called “${name}” in the registry.`)
    return c.render(<ModelPage name={name} versions={versions} serving={serving} ctx={actionContext(c, services)} />, { title: `Model ${name}` })
  })

  pages.get('/feature-groups/:name', render, async (c) => {
    const name = c.req.param('name')
    const v = c.req.query('version')
    const version = v === undefined || v === '' ? undefined : Number(v)
    if (version !== undefined && !(Number.isInteger(version) && version > 0)) notFound(`“${v}” is not a feature group version.`)
    const fg = NAME.test(name) ? await orNull(services.featureStore.getFeatureGroup(name, version)) : null
    if (!fg) notFound(`There is no feature group called “${name}”${version === undefined ? '' : ` with version ${version}`}.`)
    const page = pageNumber(c.req.query('page'))
    const commitPage = pageNumber(c.req.query('commits'))
    const [rows, statistics, commits, all, preview] = await Promise.all([
      fg.count(),
      services.statistics.get(`${fg.name} v${fg.version}`, () => services.featureStore.contentVersion([fg.name]), () => fg.statistics()),
      fg.commits(),
      services.featureStore.listFeatureGroups(),
      fg.read({ limit: PREVIEW_ROWS, offset: (page - 1) * PREVIEW_ROWS }),
    ])
    lastPageCheck('page', page, rows, PREVIEW_ROWS, `rows of feature group “${name}”`)
    lastPageCheck('commits', commitPage, commits.length, COMMITS_PER_PAGE, `commits of feature group “${name}”`)
    const versions = all.filter((g) => g.name === name).map((g) => g.version)
    return c.render(
      <FeatureGroupPage
        meta={fg.metadata}
        rows={rows}
        statistics={statistics}
        commits={commits}
        versions={versions}
        preview={{ rows: preview, paging: { page, perPage: PREVIEW_ROWS } }}
        commitPaging={{ page: commitPage, perPage: COMMITS_PER_PAGE }}
      />,
      { title: `Feature group ${name}` },
    )
  })

  async function predictPage(system: SystemDescription, form: FormValues | null, origin: string): Promise<{ status: 200 | 400; props: PredictPageProps }> {
    const submitted = form !== null
    const values = form ?? defaultFormValues(system)
    const examples = await predictExamples(services.featureStore, system)
    const { body, issues } = formToBody(system, values)
    const base = { system, values, submitted, examples, api: { url: `${origin}/api/${system.name}/predict`, body } }
    const input = parsePredictInput(system, body)
    if (!input.ok || Object.keys(issues).length > 0) {
      // The form's own reading of the text (e.g. an ambiguous "1,234") comes first: it says what was typed.
      const errors: Record<string, string> = { ...issues }
      for (const i of input.ok ? [] : input.issues) {
        const key = system.fields.some((f) => f.name === i.field) ? i.field : '(form)'
        errors[key] ??= i.reason
      }
      return { status: 400, props: { ...base, errors, result: null } }
    }
    const serving = await orNull(services.models.get(system))
    if (!serving) return { status: 200, props: { ...base, errors: {}, result: null } }
    const [prediction] = predictRows(serving, input.rows)
    // A first visit shows the defaults' answer; only what a person submits is a logged request.
    if (submitted) services.requestLog.add(system, input.rows, [{ prediction: prediction.prediction, probability: predictedProbability(prediction), modelVersion: prediction.modelVersion }])
    return { status: 200, props: { ...base, errors: {}, result: { prediction, features: input.rows[0] } } }
  }

  // "/iris/" and "/iris/monitor/" are the same pages: one address each, so links and logs agree. Only a plain
  // name is echoed into the Location header (never "//host" or a scheme).
  const withoutSlash = (c: Context, to: (name: string) => string) => {
    const name = c.req.param('system') ?? ''
    if (!/^[A-Za-z0-9_-]+$/.test(name)) notFound(`There is no page at ${c.req.path}.`)
    return c.redirect(`${to(name)}${new URL(c.req.url).search}`, 301)
  }
  pages.get('/:system/', (c) => withoutSlash(c, (name) => `/${name}`))
  pages.get('/:system/monitor/', (c) => withoutSlash(c, (name) => `/${name}/monitor`))

  pages.get('/:system', render, async (c) => {
    const system = systemOr404(c.req.param('system'))
    const query = c.req.query()
    const { status, props } = await predictPage(system, hasFieldValues(system, query) ? query : null, new URL(c.req.url).origin)
    c.status(status)
    return c.render(<PredictPage {...props} />, { title: `${system.title}: predict`, active: `/${system.name}` })
  })

  pages.post(
    '/:system',
    bodyLimit({ maxSize: FORM_LIMIT, onError: () => { throw new HTTPException(413, { message: `The form is larger than ${FORM_LIMIT} bytes.` }) } }),
    render,
    async (c) => {
      const system = systemOr404(c.req.param('system'))
      const body = await c.req.parseBody()
      const form: Record<string, string> = {}
      for (const [k, v] of Object.entries(body)) if (typeof v === 'string') form[k] = v
      const { status, props } = await predictPage(system, form, new URL(c.req.url).origin)
      c.status(status)
      return c.render(<PredictPage {...props} />, { title: `${system.title}: predict`, active: `/${system.name}` })
    },
  )

  pages.get('/:system/monitor', render, async (c) => {
    const system = systemOr404(c.req.param('system'))
    const props = await monitorPageProps(services, system, Date.now())
    return c.render(<MonitorPage {...props} />, { title: `${system.title}: monitor`, active: `/${system.name}/monitor` })
  })

  return pages
}
