import type { Row } from '../../featurestore/index.js'
import type { DriftReport, MonitorData, SystemDescription } from '../../systems/index.js'
import type { PipelineStatus } from '../pipeline-status.js'
import { Badge, Card, ClassName, ClassPicture, InlineSvg, Kpi, Table, classByName, fieldText, fmtTime, pct } from './components.js'
import { PipelineTable } from './pipelines.js'

export interface MonitorPageProps {
  readonly system: SystemDescription
  readonly monitor: MonitorData
  /** Feature rows of the predicted keys (latest and recent), by key. */
  readonly features: ReadonlyMap<string, Row>
  readonly confusionSvg: string
  readonly accuracySvg: string | null
  readonly drift: DriftReport | null
  readonly pipelines: readonly PipelineStatus[]
  readonly now: number
}

const f3 = (x: number | null) => (x === null ? '–' : x.toFixed(3))

function Latest(props: MonitorPageProps) {
  const { system, monitor } = props
  const p = monitor.latest
  if (!p) return <Card title="Latest prediction"><p class="muted">No batch predictions yet: the batch inference pipeline has not run.</p></Card>
  const features = props.features.get(String(p.key)) ?? null
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
          <ClassPicture system={system} cls={classByName(system, p.predicted)} features={features} />
          <figcaption>Predicted: {p.predicted}</figcaption>
        </figure>
        <figure id="latest-actual">
          <ClassPicture system={system} cls={classByName(system, p.actual)} features={features} />
          <figcaption>Actual: {p.actual ?? 'unknown'}</figcaption>
        </figure>
      </div>
      <p class="small muted" style="margin:.6rem 0 0">
        {system.featureGroup.primaryKey} {String(p.key)} · {fmtTime(p.time)} · probability {pct(p.probability, 1)} · model v{p.modelVersion}
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
        {d.currentRows.features} row(s) added since, and {d.currentRows.requests} online request(s) since {fmtTime(d.windowStart)}. PSI over 10 reference-quantile bins; drift when
        PSI &gt; {d.psiThreshold}.
      </p>
      {!d.enough ? (
        <p class="notice" id="drift-notice">
          Not enough recent data: {d.currentRows.features + d.currentRows.requests} current row(s), at least {d.minRows} are needed to judge drift. The figures below are shown for
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

/** The monitor of any system: latest answer, history, confusion, accuracy, drift, pipelines. */
export function MonitorPage(props: MonitorPageProps) {
  const { system, monitor } = props
  const serving = monitor.servingModel
  return (
    <>
      <h1>{system.title}: monitor</h1>
      <p class="lead">
        Daily batch predictions of new {system.featureGroup.name} rows against their actual outcome. <a href={`/${system.name}`}>Predict →</a>
      </p>
      <div class="kpis" style="margin-bottom:1rem">
        <Kpi
          value={serving ? <a href={`/models/${serving.name}`} id="serving-model">{`${serving.name} v${serving.version}`}</a> : '–'}
          label="serving model"
        />
        <Kpi value={pct(serving?.metrics.accuracy, 1)} label="test accuracy at training" />
        <Kpi value={String(monitor.totals.predictions)} label="batch predictions" />
        <Kpi value={pct(monitor.totals.accuracy, 1)} label={`accuracy over ${monitor.totals.withActual} known outcomes`} />
      </div>
      <div class="grid two">
        <Latest {...props} />
        <Card title="Confusion matrix over history" id="confusion">
          <InlineSvg svg={props.confusionSvg} label="Confusion matrix: rows actual, columns predicted" />
        </Card>
      </div>
      <Card title="Accuracy over time" id="accuracy">
        {props.accuracySvg ? <InlineSvg svg={props.accuracySvg} label="Accuracy per day" /> : <p class="muted">No predictions with a known outcome yet.</p>}
      </Card>
      <Card title={`Recent predictions (${monitor.recent.length})`}>
        <Table
          id="history"
          empty="No predictions yet."
          head={['Time', system.featureGroup.primaryKey, ...system.fields.map((f) => f.label), 'Predicted', 'Actual', '', 'Probability', 'Model']}
          numeric={[1, system.fields.length + 5]}
          rows={monitor.recent.map((p) => {
            const row = props.features.get(String(p.key))
            return [
              fmtTime(p.time),
              String(p.key),
              ...system.fields.map((f) => fieldText(f, row?.[f.name])),
              <ClassName cls={classByName(system, p.predicted) ?? undefined} name={p.predicted} />,
              p.actual === null ? '–' : <ClassName cls={classByName(system, p.actual) ?? undefined} name={p.actual} />,
              p.actual === null ? '' : p.actual === p.predicted ? <Badge kind="ok">✓</Badge> : <Badge kind="bad">✗</Badge>,
              pct(p.probability, 1),
              `v${p.modelVersion}`,
            ]
          })}
        />
      </Card>
      <Card title="Feature drift" id="drift-card">
        <Drift system={system} drift={props.drift} />
      </Card>
      <Card title="Pipelines and freshness" id="pipelines-card">
        <PipelineTable pipelines={props.pipelines} now={props.now} />
      </Card>
    </>
  )
}
