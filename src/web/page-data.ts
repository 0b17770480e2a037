import { confusionMatrixChart, forecastChart, hindcastChart, lineOverTimeChart, predictedVsActualChart, renderSvg } from '../charts/index.js'
import { NotFoundError, ValidationError } from '../db/index.js'
import type { Row } from '../featurestore/index.js'
import { ARTIFACT_FILES } from '../registry/index.js'
import { featureDrift, keyOf, servingVersion, systemFeatureGroup, windowsFeatureGroup, type MonitorData, type SystemDescription } from '../systems/index.js'
import type { DashboardSystem } from './pages/dashboard.js'
import type { ModelPageVersion } from './pages/model.js'
import type { MonitorCharts, MonitorPageProps } from './pages/monitor.js'
import { pipelineStatus } from './pipeline-status.js'
import type { WebServices } from './services.js'
import { plural } from '../support/plural.js'

// What the dashboard, monitor and model pages show, read from the store once here: the live routes and the
// static export (`sml site`) render the same props with the same components.

/** Resolves to null instead of throwing when the thing is not there (or the name is not a valid identifier). */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof ValidationError) return null
    throw e
  }
}

/** Each system's feature groups, model versions, serving version and pipelines, for the dashboard. */
export async function dashboardSystems(services: WebServices, systems: readonly SystemDescription[], now: number): Promise<DashboardSystem[]> {
  const groups = await services.featureStore.listFeatureGroups()
  return Promise.all(
    systems.map(async (system) => {
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
}

/** A model's versions with their test-split chart artifact (as a data URL) and report, and the serving version. */
export async function modelPageData(services: WebServices, name: string): Promise<{ versions: ModelPageVersion[]; serving: number | null }> {
  const versions = await services.registry.listVersions(name)
  const system = services.systems.find((s) => s.model.name === name)
  const serving = system ? ((await orNull(servingVersion(services.registry, system)))?.version ?? null) : null
  const withArtifacts: ModelPageVersion[] = await Promise.all(
    versions.map(async (v) => {
      const has = (f: string) => v.artifacts.some((a) => a.file === f)
      // A classifier's test split is drawn as its confusion matrix, a regressor's as predicted against actual.
      const chart = has(ARTIFACT_FILES.confusionMatrixSvg)
        ? { file: ARTIFACT_FILES.confusionMatrixSvg, title: 'Confusion matrix (test split)', alt: 'Confusion matrix' }
        : has(ARTIFACT_FILES.predictedVsActualSvg)
          ? { file: ARTIFACT_FILES.predictedVsActualSvg, title: 'Predicted vs actual (test split)', alt: 'Predicted against actual values' }
          : null
      const svg = chart ? await services.registry.readArtifact(name, v.version, chart.file) : null
      const report = has(ARTIFACT_FILES.classificationReportText) ? await services.registry.readArtifactText(name, v.version, ARTIFACT_FILES.classificationReportText) : null
      const evaluationChart = chart && svg ? { title: chart.title, alt: `${chart.alt} of ${name} v${v.version}`, dataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` } : null
      return { version: v, evaluationChart, report }
    }),
  )
  return { versions: withArtifacts, serving }
}

/** Everything the monitor page of a system draws: history, charts, drift, pipelines, features of the predicted keys. */
export async function monitorPageProps(services: WebServices, system: SystemDescription, now: number): Promise<MonitorPageProps> {
  const [monitor, drift, pipelines, fg] = await Promise.all([
    services.monitors.get(system),
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
  return { system, monitor, features, charts, drift, pipelines, now }
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
      ? renderSvg(hindcastChart({ title: `One-day-ahead forecasts against measurements, last ${plural(f.hindcast.length, 'day')}`, yTitle: `value${unit}`, width: 640, points: f.hindcast.map((h) => ({ time: h.date, predicted: h.predicted, actual: h.actual })) }))
      : Promise.resolve(undefined),
  ])
  return { ...(forecast ? { forecast } : {}), ...(hindcast ? { hindcast } : {}) }
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
        // A time series' history is of its one-day-ahead values only (see timeSeriesMonitor): the title says so.
        title: monitor.forecast ? 'Mean absolute error of one-day-ahead forecasts and hindcasts' : 'Mean absolute error of batch predictions',
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
