import type { ModelVersion, PromotionRecord } from '../../registry/index.js'
import { Link } from '../links.js'
import { Badge, Card, Table, fmtTime } from './components.js'
import { ActionForm, type ActionContext } from './ops.js'
import { plural } from '../../support/plural.js'

export interface ModelPageVersion {
  readonly version: ModelVersion
  /**
   * The test split drawn by training — a classifier's confusion matrix, a regressor's predicted against actual — as an
   * SVG data URL (an <img>, so stored bytes never run as page markup); null when the version stored neither.
   */
  readonly evaluationChart: { readonly title: string; readonly alt: string; readonly dataUrl: string } | null
  readonly report: string | null
}

/**
 * Each promotion decision of a version: this version's score and the then-production version's score on the
 * same rows (a training decision), or who moved the alias by hand, and why.
 */
function Promotions(props: { version: number; promotions: readonly PromotionRecord[] }) {
  const score = (x: number | null) => (x === null ? '–' : x.toFixed(4))
  return (
    <Table
      id={`promotion-v${props.version}`}
      head={['Decided', 'By', 'Outcome', `v${props.version}`, 'Production', 'Rows', 'Why']}
      numeric={[3, 4, 5]}
      empty="No promotion decision recorded."
      rows={props.promotions.map((p) => [
        fmtTime(p.decidedAt),
        p.actor ? `${p.decidedBy} (${p.actor})` : p.decidedBy,
        p.promoted ? <Badge kind="ok">{`${p.alias} → v${props.version}`}</Badge> : <Badge kind="warn">{`${p.alias} stayed on v${p.productionVersion}`}</Badge>,
        p.metric === null ? '–' : `${p.metric} ${score(p.candidateScore)}`,
        p.productionVersion === null ? 'none' : `v${p.productionVersion} ${p.metric === null ? '' : p.productionScore === null ? 'not comparable' : score(p.productionScore)}`.trim(),
        p.evaluationRows === null ? '–' : String(p.evaluationRows),
        <span class="wrap">{p.reason}</span>,
      ])}
    />
  )
}

/** Every version's metrics in one table, newest version first, so versions compare at a glance. */
function MetricsSideBySide(props: { versions: readonly ModelVersion[]; serving: number | null }) {
  const newest = [...props.versions].reverse()
  const names = [...new Set(newest.flatMap((v) => Object.keys(v.metrics)))]
  return (
    <Card title="Versions side by side" id="compare">
      <Table
        head={['Metric', ...newest.map((v) => (v.version === props.serving ? `v${v.version} (serving)` : `v${v.version}`))]}
        numeric={newest.map((_, i) => i + 1)}
        rows={names.map((n) => [n, ...newest.map((v) => (v.metrics[n] === undefined ? '–' : Number.isInteger(v.metrics[n]) ? String(v.metrics[n]) : v.metrics[n].toFixed(4)))])}
      />
    </Card>
  )
}

/** A model's versions: metrics, promotion decisions, lineage, artifacts, confusion matrix. */
export function ModelPage(props: { name: string; versions: readonly ModelPageVersion[]; serving: number | null; ctx?: ActionContext }) {
  const latest = props.versions[props.versions.length - 1]?.version
  return (
    <>
      <h1>Model {props.name}</h1>
      <p class="lead">
        {latest?.description || 'Model registry entry'} · {plural(props.versions.length, 'version')}
        {props.serving !== null && <> · serving v{props.serving}</>}
      </p>
      {props.versions.length > 1 && <MetricsSideBySide versions={props.versions.map((x) => x.version)} serving={props.serving} />}
      {[...props.versions].reverse().map(({ version: v, evaluationChart, report }) => (
        <Card
          id={`v${v.version}`}
          title={
            <>
              <span>Version {v.version}</span>
              <span class="row">
                {v.version === props.serving && <Badge kind="ok">serving</Badge>}
                {v.aliases.map((a) => (
                  <Badge>{a}</Badge>
                ))}
                <span class="muted small">{fmtTime(v.createdAt)}</span>
                {props.ctx && !v.aliases.includes('production') && (
                  <ActionForm action={`/api/models/${v.name}/promote`} label={`Promote v${v.version}`} ctx={props.ctx} fields={{ version: String(v.version) }} next={`/models/${v.name}#v${v.version}`} id={`promote-v${v.version}`} />
                )}
              </span>
            </>
          }
        >
          <div class="grid">
            <div>
              <h3>Metrics</h3>
              <Table head={['Metric', 'Value']} numeric={[1]} empty="No metrics recorded." rows={Object.entries(v.metrics).map(([k, x]) => [k, Number.isInteger(x) ? String(x) : x.toFixed(4)])} />
              <h3>Lineage</h3>
              <Table
                head={['Trained on', '']}
                rows={[
                  [
                    'Feature view',
                    v.lineage.featureView ? (
                      <Link href={`/feature-views/${v.lineage.featureView.name}?version=${v.lineage.featureView.version}`}>{`${v.lineage.featureView.name} v${v.lineage.featureView.version}`}</Link>
                    ) : (
                      '–'
                    ),
                  ],
                  [
                    'Training dataset',
                    v.lineage.trainingDatasetVersion === null ? (
                      '–'
                    ) : v.lineage.featureView ? (
                      <Link href={`/feature-views/${v.lineage.featureView.name}/training-datasets/${v.lineage.trainingDatasetVersion}?version=${v.lineage.featureView.version}`}>{`version ${v.lineage.trainingDatasetVersion}`}</Link>
                    ) : (
                      `version ${v.lineage.trainingDatasetVersion}`
                    ),
                  ],
                  ['Feature-group commit', v.lineage.commitId === null ? '–' : `#${v.lineage.commitId}`],
                ]}
              />
              <h3>Artifacts</h3>
              <Table
                head={['File', 'Size', 'sha256']}
                numeric={[1]}
                rows={v.artifacts.map((a) => [
                  <Link href={`/api/models/${v.name}/versions/${v.version}/artifacts/${encodeURIComponent(a.file)}`} download={a.file}>
                    {a.file}
                  </Link>,
                  `${a.size.toLocaleString('en')} B`, <code class="small">{a.sha256.slice(0, 12)}…</code>])}
              />
            </div>
            <div>
              <h3>{evaluationChart?.title ?? 'Test split'}</h3>
              {evaluationChart ? (
                <img class="chart" src={evaluationChart.dataUrl} alt={evaluationChart.alt} style="max-width:100%;height:auto" />
              ) : (
                <p class="muted">No test-split chart stored (a confusion matrix or predicted-vs-actual artifact).</p>
              )}
              {report && (
                <>
                  <h3>Classification report</h3>
                  <pre>{report}</pre>
                </>
              )}
            </div>
          </div>
          {/* Full width: seven columns do not fit beside the chart. */}
          <h3>Promotion</h3>
          <Promotions version={v.version} promotions={v.promotions} />
        </Card>
      ))}
    </>
  )
}
