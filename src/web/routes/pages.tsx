import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { confusionMatrixChart, forecastChart, hindcastChart, lineOverTimeChart, predictedVsActualChart, renderSvg } from '../../charts/index.js'
import { NotFoundError, ValidationError } from '../../db/index.js'
import type { Row } from '../../featurestore/index.js'
import { ARTIFACT_FILES } from '../../registry/index.js'
import { featureDrift, keyOf, monitorData, predictedProbability, predictExamples, predictRows, servingVersion, systemFeatureGroup, windowsFeatureGroup, type MonitorData, type SystemDescription } from '../../systems/index.js'
import { bodyLimit } from '../body-limit.js'
import { defaultFormValues, formToBody, hasFieldValues, type FormValues } from '../form-input.js'
import { layout } from '../layout.js'
import { DashboardPage, type DashboardSystem } from '../pages/dashboard.js'
import { FeatureGroupPage } from '../pages/feature-group.js'
import { ModelPage, type ModelPageVersion } from '../pages/model.js'
import { MonitorPage, type MonitorCharts } from '../pages/monitor.js'
import { PredictPage, type PredictPageProps } from '../pages/predict.js'
import { pipelineStatus } from '../pipeline-status.js'
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

function notFound(message: string): never {
  throw new HTTPException(404, { message })
}

/** Resolves to null instead of throwing when the thing is not there (or the name is not a valid identifier). */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof ValidationError) return null
    throw e
  }
}

/** Server-rendered pages: dashboard, predict and monitor per system, model registry, feature groups. */
export function pageRoutes(services: WebServices): Hono {
  const pages = new Hono()
  const render = layout(services.systems)
  const systemOr404 = (name: string): SystemDescription =>
    services.systems.find((s) => s.name === name) ?? notFound(`There is no system or page called “${name}”. Known systems: ${services.systems.map((s) => s.name).join(', ')}.`)

  pages.get('/', render, async (c) => {
    const now = Date.now()
    const groups = await services.featureStore.listFeatureGroups()
    const systems: DashboardSystem[] = await Promise.all(
      services.systems.map(async (system) => {
        const mine = groups.filter((g) => g.name === system.featureGroup.name || g.name.startsWith(`${system.name}_`))
        const [summaries, versions, serving, pipelines] = await Promise.all([
          Promise.all(mine.map(async (g) => ({ name: g.name, version: g.version, description: g.metadata.description, rows: await g.count(), lastCommit: await g.latestCommit() }))),
          services.registry.listVersions(system.model.name),
          orNull(servingVersion(services.registry, system)),
          pipelineStatus(services, system, now),
        ])
        return { system, groups: summaries, versions, servingVersion: serving?.version ?? null, pipelines }
      }),
    )
    return c.render(<DashboardPage systems={systems} now={now} />, { title: 'Dashboard', active: '/' })
  })

  pages.get('/models/:name', render, async (c) => {
    const name = c.req.param('name')
    const versions = NAME.test(name) ? await services.registry.listVersions(name) : []
    if (versions.length === 0) notFound(`There is no model called “${name}” in the registry.`)
    const system = services.systems.find((s) => s.model.name === name)
    const serving = system ? ((await orNull(servingVersion(services.registry, system)))?.version ?? null) : null
    const withArtifacts: ModelPageVersion[] = await Promise.all(
      versions.map(async (v) => {
        const has = (f: string) => v.artifacts.some((a) => a.file === f)
        const svg = has(ARTIFACT_FILES.confusionMatrixSvg) ? await services.registry.readArtifact(name, v.version, ARTIFACT_FILES.confusionMatrixSvg) : null
        const report = has(ARTIFACT_FILES.classificationReportText) ? await services.registry.readArtifactText(name, v.version, ARTIFACT_FILES.classificationReportText) : null
        return { version: v, confusionDataUrl: svg ? `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` : null, report }
      }),
    )
    return c.render(<ModelPage name={name} versions={withArtifacts} serving={serving} ctx={actionContext(c, services)} />, { title: `Model ${name}` })
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
      fg.statistics(),
      fg.commits(),
      services.featureStore.listFeatureGroups(),
      fg.read({ limit: PREVIEW_ROWS, offset: (page - 1) * PREVIEW_ROWS }),
    ])
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
    const now = Date.now()
    const [monitor, drift, pipelines, fg] = await Promise.all([
      monitorData(services.featureStore, services.registry, system),
      featureDrift(services.featureStore, services.registry, system),
      pipelineStatus(services, system, now),
      // A time series' model inputs are its window rows, keyed like its readings.
      system.timeSeries ? windowsFeatureGroup(services.featureStore, system) : systemFeatureGroup(services.featureStore, system),
    ])
    const records = [monitor.latest, ...monitor.recent].filter((p) => p !== null)
    const keys = [...new Map(records.map((p) => [keyOf(system, p.key), p.key])).values()]
    const found = keys.length ? await fg.lookup(keys) : []
    const features = new Map<string, Row>()
    found.forEach((row, i) => row && features.set(keyOf(system, keys[i]), row))
    const charts = monitor.task === 'classification' ? await classificationCharts(monitor) : { ...(await regressionCharts(monitor)), ...(await forecastCharts(monitor)) }
    return c.render(
      <MonitorPage system={system} monitor={monitor} features={features} charts={charts} drift={drift} pipelines={pipelines} now={now} />,
      { title: `${system.title}: monitor`, active: `/${system.name}/monitor` },
    )
  })

  return pages
}

const dayStart = (day: string) => new Date(`${day}T00:00:00Z`) // the UTC day's start

/** Classification monitor: confusion matrix over history and accuracy per day (that day's and cumulative). */
async function classificationCharts(monitor: MonitorData): Promise<MonitorCharts> {
  const [confusion, accuracy] = await Promise.all([
    renderSvg(confusionMatrixChart({ matrix: monitor.confusion.matrix, labels: monitor.confusion.labels, title: `${monitor.totals.withActual} predictions with a known outcome` })),
    monitor.accuracyOverTime.length
      ? renderSvg(
          lineOverTimeChart({
            title: 'Accuracy of batch predictions',
            yTitle: 'accuracy',
            yDomain: [0, 1],
            percent: true,
            width: 640,
            points: monitor.accuracyOverTime.flatMap((p) => [
              { time: dayStart(p.day), value: p.accuracy, series: 'that day' },
              { time: dayStart(p.day), value: p.cumulativeAccuracy, series: 'cumulative' },
            ]),
          }),
        )
      : Promise.resolve(null),
  ])
  return { confusion, accuracy }
}

/** A time series' forecast (a bar a day in its band's colour) and hindcast (one-day-ahead values against measurements). */
async function forecastCharts(monitor: MonitorData): Promise<MonitorCharts> {
  const f = monitor.forecast
  if (!f) return {}
  const unit = monitor.unit ? ` (${monitor.unit})` : ''
  const latest = f.latest[0]
  const [forecast, hindcast] = await Promise.all([
    latest
      ? renderSvg(
          forecastChart({
            title: `Forecast issued after ${latest.issued.toISOString().slice(0, 10)}`,
            yTitle: `forecast${unit}`,
            width: 640,
            bands: f.bands,
            points: latest.days.map((d) => ({ time: d.date, value: d.predicted, band: d.band?.name ?? '' })),
          }),
        )
      : Promise.resolve(undefined),
    f.hindcast.length
      ? renderSvg(hindcastChart({ title: `One-day-ahead forecasts against measurements, last ${f.hindcast.length} days`, yTitle: `value${unit}`, width: 640, points: f.hindcast.map((h) => ({ time: h.date, predicted: h.predicted, actual: h.actual })) }))
      : Promise.resolve(undefined),
  ])
  return { forecast, hindcast }
}

/** Regression monitor: MAE per day and cumulative, predicted vs actual per day, and their scatter over history. */
async function regressionCharts(monitor: MonitorData): Promise<MonitorCharts> {
  const points = monitor.errorOverTime
  if (points.length === 0) return {}
  const unit = monitor.unit ? ` (${monitor.unit})` : ''
  const known = [...monitor.recent].filter((p) => p.actual !== null)
  const [error, predictedOverTime, scatter] = await Promise.all([
    renderSvg(
      lineOverTimeChart({
        title: 'Mean absolute error of batch predictions',
        yTitle: `MAE${unit}`,
        width: 640,
        points: points.flatMap((p) => [
          { time: dayStart(p.day), value: p.mae, series: 'that day' },
          { time: dayStart(p.day), value: p.cumulativeMae, series: 'cumulative' },
        ]),
      }),
    ),
    renderSvg(
      lineOverTimeChart({
        title: 'Predicted and actual (daily mean)',
        yTitle: `value${unit}`,
        width: 640,
        points: points.flatMap((p) => [
          { time: dayStart(p.day), value: p.meanPredicted, series: 'predicted' },
          { time: dayStart(p.day), value: p.meanActual, series: 'actual' },
        ]),
      }),
    ),
    renderSvg(
      predictedVsActualChart({
        actual: known.map((p) => p.actual as number),
        predicted: known.map((p) => p.predicted as number),
        unit: monitor.unit ?? undefined,
        title: `${known.length} recent predictions with a known outcome`,
      }),
    ),
  ])
  return { error, predictedOverTime, scatter }
}
