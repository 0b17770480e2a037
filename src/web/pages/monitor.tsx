import type { Row } from '../../featurestore/index.js'
import { keyOf, keyText, type DriftReport, type MonitorData, type PredictionRecord, type SystemDescription } from '../../systems/index.js'
import { Link, usePageMode } from '../links.js'
import type { PipelineStatus } from '../pipeline-status.js'
import { Badge, Card, ClassName, ClassPicture, InlineSvg, Kpi, Table, classByName, fieldText, fmtTime, pct } from './components.js'
import { ForecastSections } from './forecast.js'
import { PipelineTable } from './pipelines.js'
import { plural } from '../../support/plural.js'

export interface MonitorPageProps {
  readonly system: SystemDescription
  readonly monitor: MonitorData
  /** Feature rows of the predicted keys (latest and recent), by `keyOf`. */
  readonly features: ReadonlyMap<string, Row>
  readonly charts: MonitorCharts
  readonly drift: DriftReport | null
  readonly pipelines: readonly PipelineStatus[]
  readonly now: number
}

/** Rendered SVG charts: classification's confusion matrix and accuracy, or regression's error, values over time and scatter. */
export interface MonitorCharts {
  readonly confusion?: string
  readonly accuracy?: string | null
  readonly error?: string
  readonly predictedOverTime?: string
  readonly scatter?: string
  /** A time series' newest forecast, coloured by band, and its hindcast. */
  readonly forecast?: string
  readonly hindcast?: string
}

const f3 = (x: number | null) => (x === null ? '–' : x.toFixed(3))

/** A regression value as people read it: up to 2 decimals, with the label's unit. */
export function valueText(system: SystemDescription, v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '–'
  if (typeof v !== 'number') return v
  return `${Number(v.toFixed(2))}${system.label.unit ? ` ${system.label.unit}` : ''}`
}

function LatestValue(props: MonitorPageProps & { p: PredictionRecord }) {
  const { system, p } = props
  const error = p.actual === null ? null : (p.predicted as number) - (p.actual as number)
  return (
    <Card
      title={
        <>
          <span>Latest prediction</span>
          {p.actual === null ? <Badge kind="idle">outcome unknown</Badge> : <Badge>error {valueText(system, Number(error!.toFixed(2)))}</Badge>}
        </>
      }
      id="latest"
    >
      <div class="kpis">
        <Kpi value={<span id="latest-predicted">{valueText(system, p.predicted)}</span>} label={`predicted ${system.label.column}`} />
        <Kpi value={<span id="latest-actual">{p.actual === null ? 'unknown' : valueText(system, p.actual)}</span>} label={`actual ${system.label.column}`} />
      </div>
      <p class="small muted" style="margin:.6rem 0 0">
        {keyText(system, p.key)} · {fmtTime(p.time)} · model v{p.modelVersion}
      </p>
    </Card>
  )
}

function Latest(props: MonitorPageProps) {
  const { system, monitor } = props
  const p = monitor.latest
  if (!p) return <Card title="Latest prediction"><p class="muted">No batch predictions yet: the batch inference pipeline has not run.</p></Card>
  if (monitor.task === 'regression') return <LatestValue {...props} p={p} />
  const features = props.features.get(keyOf(system, p.key)) ?? null
  const ok = p.actual !== null && p.actual === p.predicted
  return (
    <Card
      title={
        <>
          <span>Latest prediction</span>
          {p.actual === null ? <Badge kind="idle">outcome unknown</Badge> : ok ? <Badge kind="ok">correct</Badge> : <Badge kind="bad">wrong</Badge>}
        </>
      }
      id="latest"
    >
      <div class="pair">
        <figure id="latest-predicted">
          <ClassPicture system={system} cls={classByName(system, String(p.predicted))} features={features} />
          <figcaption>Predicted: {p.predicted}</figcaption>
        </figure>
        <figure id="latest-actual">
          <ClassPicture system={system} cls={classByName(system, p.actual === null ? null : String(p.actual))} features={features} />
          <figcaption>Actual: {p.actual ?? 'unknown'}</figcaption>
        </figure>
      </div>
      <p class="small muted" style="margin:.6rem 0 0">
        {keyText(system, p.key)} · {fmtTime(p.time)} · probability {pct(p.probability, 1)} · model v{p.modelVersion}
      </p>
    </Card>
  )
}

function Drift(props: { system: SystemDescription; drift: DriftReport | null }) {
  const d = props.drift
  if (!d) return <p class="muted">No model yet, so nothing to compare against.</p>
  const drifted = d.features.filter((f) => f.status === 'drift')
  return (
    <>
      <p class="small muted">
        Reference: the {d.referenceRows} training rows of {d.model.name} v{d.model.version} (training dataset {d.trainingDatasetVersion}, commit {d.trainingCommit ?? '–'}). Current:{' '}
        {plural(d.currentRows.features, 'row')} added since, and {plural(d.currentRows.requests, 'online request')} since {fmtTime(d.windowStart)}. PSI over 10 reference-quantile bins; drift when
        PSI &gt; {d.psiThreshold}.
      </p>
      {!d.enough ? (
        <p class="notice" id="drift-notice">
          Not enough recent data: {plural(d.currentRows.features + d.currentRows.requests, 'current row')}, at least {d.minRows} are needed to judge drift. The figures below are shown for
          information only.
        </p>
      ) : drifted.length ? (
        <p class="notice err" id="drift-notice">
          Drift in {drifted.map((f) => f.label).join(', ')}.
        </p>
      ) : (
        <p class="notice" style="border-color:var(--ok);background:#f0fdf4" id="drift-notice">
          No feature has drifted.
        </p>
      )}
      <Table
        id="drift"
        head={['Feature', 'PSI', 'KS', 'KS p-value', 'Reference rows', 'Current rows', 'Status']}
        numeric={[1, 2, 3, 4, 5]}
        rows={d.features.map((f) => [
          f.label,
          f3(f.psi),
          f3(f.ks),
          f.ksPValue === null ? '–' : f.ksPValue < 0.001 ? '< 0.001' : f.ksPValue.toFixed(3),
          f.referenceRows,
          f.currentRows,
          f.status === 'drift' ? <Badge kind="bad">drift</Badge> : f.status === 'stable' ? <Badge kind="ok">stable</Badge> : <Badge kind="idle">not enough data</Badge>,
        ])}
      />
    </>
  )
}

/** Classification: test accuracy and accuracy over history; regression: test RMSE and MAE/RMSE over history. */
function Kpis(props: MonitorPageProps) {
  const { system, monitor } = props
  const serving = monitor.servingModel
  const t = monitor.totals
  return (
    <div class="kpis" style="margin-bottom:1rem">
      <Kpi value={serving ? <Link href={`/models/${serving.name}`} id="serving-model">{`${serving.name} v${serving.version}`}</Link> : '–'} label="serving model" />
      {monitor.task === 'classification' ? (
        <>
          <Kpi value={pct(serving?.metrics.accuracy, 1)} label="test accuracy at training" />
          <Kpi value={String(t.predictions)} label="batch predictions" />
          <Kpi value={pct(t.accuracy, 1)} label={`accuracy over ${plural(t.withActual, 'known outcome')}`} />
        </>
      ) : (
        <>
          <Kpi value={serving?.metrics.rmse === undefined ? '–' : valueText(system, serving.metrics.rmse)} label="test RMSE at training" />
          {monitor.forecast ? (
            // A time series' totals are over one-day-ahead values only (forecast day 1 and hindcasts): say so, and point to the other horizons.
            <>
              <Kpi value={String(t.predictions)} label="one-day-ahead values (forecast day 1 and hindcasts)" />
              <Kpi
                value={<span id="mae">{valueText(system, t.mae)}</span>}
                label={`one-day-ahead MAE over ${plural(t.withActual, 'measured day')} (RMSE ${valueText(system, t.rmse)}); further days ahead: error by horizon, below`}
              />
            </>
          ) : (
            <>
              <Kpi value={String(t.predictions)} label="batch predictions" />
              <Kpi value={<span id="mae">{valueText(system, t.mae)}</span>} label={`MAE over ${plural(t.withActual, 'known outcome')} (RMSE ${valueText(system, t.rmse)})`} />
            </>
          )}
        </>
      )}
    </div>
  )
}

function ClassificationHistory(props: MonitorPageProps) {
  const { system, monitor } = props
  return (
    <>
      <div class="grid two">
        <Latest {...props} />
        <Card title="Confusion matrix over history" id="confusion">
          <InlineSvg svg={props.charts.confusion ?? ''} label="Confusion matrix: rows actual, columns predicted" />
        </Card>
      </div>
      <Card title="Accuracy over time" id="accuracy">
        {props.charts.accuracy ? <InlineSvg class="chart wide" svg={props.charts.accuracy} label="Accuracy per day" /> : <p class="muted">No predictions with a known outcome yet.</p>}
      </Card>
      <Card title={`Recent predictions (${monitor.recent.length})`}>
        <Table
          id="history"
          stack
          empty="No predictions yet."
          head={['Time', 'Predicted', 'Actual', 'Correct', 'Probability', 'Model', system.featureGroup.primaryKey.join(', '), 'Features']}
          numeric={[4, 6]}
          rows={monitor.recent.map((p) => {
            const predicted = String(p.predicted)
            const actual = p.actual === null ? null : String(p.actual)
            return [
              fmtTime(p.time),
              <ClassName cls={classByName(system, predicted) ?? undefined} name={predicted} />,
              actual === null ? '–' : <ClassName cls={classByName(system, actual) ?? undefined} name={actual} />,
              actual === null ? '' : actual === predicted ? <Badge kind="ok">✓</Badge> : <Badge kind="bad">✗</Badge>,
              pct(p.probability, 1),
              `v${p.modelVersion}`,
              keyCell(system, p),
              <FeatureCells system={system} row={props.features.get(keyOf(system, p.key))} />,
            ]
          })}
        />
      </Card>
    </>
  )
}

function RegressionHistory(props: MonitorPageProps) {
  const { system, monitor } = props
  const none = <p class="muted">No predictions with a known outcome yet.</p>
  return (
    <>
      <div class="grid two">
        <Latest {...props} />
        <Card title="Predicted vs actual" id="scatter">
          {props.charts.scatter ? <InlineSvg svg={props.charts.scatter} label="Predicted against actual values; the dashed line is a perfect prediction" /> : none}
        </Card>
      </div>
      <Card title="Error over time" id="error">
        {props.charts.error ? <InlineSvg class="chart wide" svg={props.charts.error} label="Mean absolute error per day and cumulative" /> : none}
      </Card>
      <Card title="Predicted and actual over time" id="predicted-over-time">
        {props.charts.predictedOverTime ? <InlineSvg class="chart wide" svg={props.charts.predictedOverTime} label="Daily mean of predicted and actual values" /> : none}
      </Card>
      <Card title={`Recent predictions (${monitor.recent.length})`}>
        <Table
          id="history"
          stack
          empty="No predictions yet."
          head={['Time', 'Predicted', 'Actual', 'Error', 'Model', system.featureGroup.primaryKey.join(', '), 'Features']}
          numeric={[1, 2, 3]}
          rows={monitor.recent.map((p) => [
            fmtTime(p.time),
            valueText(system, p.predicted),
            valueText(system, p.actual),
            p.actual === null ? '–' : valueText(system, Number(((p.predicted as number) - (p.actual as number)).toFixed(2))),
            `v${p.modelVersion}`,
            keyCell(system, p),
            <FeatureCells system={system} row={props.features.get(keyOf(system, p.key))} />,
          ])}
        />
      </Card>
    </>
  )
}

/**
 * The row's features folded into one wrapping cell ("Sepal length 5.1 · …"), so the outcome columns come first
 * and the table fits a laptop window whatever the number of fields.
 */
function FeatureCells(props: { system: SystemDescription; row: Row | undefined }) {
  return (
    <span class="features">
      {props.system.fields.map((f, i) => (
        <span class="feature">
          {i > 0 ? ' · ' : ''}
          <span class="muted">{f.label}</span> {fieldText(f, props.row?.[f.name])}
        </span>
      ))}
    </span>
  )
}

/** The key's values, comma-separated for a composite key. */
function keyCell(system: SystemDescription, p: PredictionRecord): string {
  return system.featureGroup.primaryKey.map((k) => (p.key[k] instanceof Date ? fmtTime(p.key[k] as Date) : String(p.key[k]))).join(', ')
}

/** The monitor of any system: latest answer, history (confusion and accuracy, or error over time), drift, pipelines. */
export function MonitorPage(props: MonitorPageProps) {
  const { system, monitor } = props
  // A static export has no predict page; the system's address there is its dashboard.
  const mode = usePageMode()
  return (
    <>
      <h1>{system.title}: monitor</h1>
      <p class="lead">
        {monitor.forecast
          ? `Daily forecasts of ${system.label.column} ${system.timeSeries?.horizon ?? ''} days ahead, and the one-day-ahead ones against what was measured. `
          : `Daily batch predictions of new ${system.featureGroup.name} rows against their actual outcome. `}
        <Link href={`/${system.name}`}>{mode.static ? `${system.title} →` : 'Predict →'}</Link>
      </p>
      <Kpis {...props} />
      {monitor.forecast ? <ForecastSections {...props} /> : null}
      {monitor.task === 'classification' ? <ClassificationHistory {...props} /> : <RegressionHistory {...props} />}
      <Card title="Feature drift" id="drift-card">
        <Drift system={system} drift={props.drift} />
      </Card>
      <Card title="Pipelines and freshness" id="pipelines-card">
        <PipelineTable pipelines={props.pipelines} now={props.now} />
      </Card>
    </>
  )
}
