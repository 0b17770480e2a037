import type { CommitInfo } from '../../featurestore/index.js'
import type { ModelVersion } from '../../registry/index.js'
import { systemTask, type SystemDescription, type SystemTask } from '../../systems/index.js'
import { Link, usePageMode } from '../links.js'
import type { PipelineStatus } from '../pipeline-status.js'
import { Badge, Card, Table, fmtTime, pct, relative } from './components.js'
import { PipelineTable } from './pipelines.js'
import { plural } from '../../support/plural.js'

export interface GroupSummary {
  readonly name: string
  readonly version: number
  readonly description: string
  readonly rows: number
  readonly lastCommit: CommitInfo | undefined
}

export interface DashboardSystem {
  readonly system: SystemDescription
  readonly groups: readonly GroupSummary[]
  readonly versions: readonly ModelVersion[]
  readonly servingVersion: number | null
  readonly pipelines: readonly PipelineStatus[]
}

export function GroupTable(props: { groups: readonly GroupSummary[]; now: number }) {
  return (
    <Table
      head={['Feature group', 'Rows', 'Last commit']}
      numeric={[1]}
      empty="No feature groups yet."
      rows={props.groups.map((g) => [
        <Link href={`/feature-groups/${g.name}?version=${g.version}`} title={g.description}>
          {g.name} v{g.version}
        </Link>,
        g.rows.toLocaleString('en'),
        g.lastCommit ? (
          <span title={fmtTime(g.lastCommit.committedAt)}>
            #{g.lastCommit.id} · {relative(g.lastCommit.committedAt, props.now)}
          </span>
        ) : (
          '–'
        ),
      ])}
    />
  )
}


/** A test-split metric to three decimals, or – when the version did not record it. */
const metric = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3))

/** The headline test metrics of a version: accuracy and macro F1 (classification), RMSE and MAE (regression). */
function headline(task: SystemTask): { head: [string, string]; cells: (v: ModelVersion) => [string, string] } {
  return task === 'regression'
    ? { head: ['RMSE', 'MAE'], cells: (v) => [metric(v.metrics.rmse), metric(v.metrics.mae)] }
    : { head: ['Accuracy', 'F1 (macro)'], cells: (v) => [pct(v.metrics.accuracy, 1), metric(v.metrics.f1_macro)] }
}

export function VersionTable(props: { name: string; versions: readonly ModelVersion[]; serving: number | null; task: SystemTask }) {
  const { head, cells } = headline(props.task)
  return (
    <Table
      head={['Version', ...head, 'Created', '']}
      numeric={[1, 2]}
      empty="No model trained yet."
      rows={[...props.versions].reverse().map((v) => [
        <Link href={`/models/${props.name}#v${v.version}`}>v{v.version}</Link>,
        ...cells(v),
        fmtTime(v.createdAt).slice(0, 10),
        <span>
          {v.version === props.serving && <Badge kind="ok">serving</Badge>} {v.aliases.map((a) => <Badge>{a}</Badge>)}
        </span>,
      ])}
    />
  )
}

/**
 * Every system at a glance: data, models, pipelines, links. `heading` titles a page of one system (a static
 * export writes one per system beside the whole dashboard).
 */
export function DashboardPage(props: { systems: readonly DashboardSystem[]; now: number; heading?: string }) {
  const mode = usePageMode()
  return (
    <>
      <h1>{props.heading ?? 'Dashboard'}</h1>
      <p class="lead">Feature groups, model versions and pipeline runs of {props.heading ? 'this system' : 'every system on this store'}.</p>
      {mode.static && (
        <p class="notice" id="static-note">
          A static copy made at {fmtTime(new Date(props.now))}; ages are as of then. Predictions, Run now and promotions need the live app (<code>sml serve</code>).
        </p>
      )}
      {props.systems.map(({ system, groups, versions, servingVersion, pipelines }) => {
        const serving = versions.find((v) => v.version === servingVersion)
        const failing = pipelines.filter((p) => p.last && p.last.status !== 'succeeded' && p.last.status !== 'running')
        return (
          <Card
            id={`system-${system.name}`}
            title={
              <>
                <span>{system.title}</span>
                <span class="row small">
                  {!mode.static && <Link href={`/${system.name}`}>Predict</Link>}
                  <Link href={`/${system.name}/monitor`}>Monitor</Link>
                  <Link href={`/models/${system.model.name}`}>Model</Link>
                </span>
              </>
            }
          >
            <p class="muted" style="margin-top:0">
              {system.description}{' '}
              {serving ? (
                <>
                  Serving <Link href={`/models/${system.model.name}`}>{system.model.name} v{serving.version}</Link> ({systemTask(system) === 'regression' ? `test RMSE ${metric(serving.metrics.rmse)}, MAE ${metric(serving.metrics.mae)}` : `test accuracy ${pct(serving.metrics.accuracy, 1)}`}).
                </>
              ) : (
                'No model serving yet.'
              )}{' '}
              {failing.length > 0 && (
                <Link href={failing.length === 1 ? `/runs/${failing[0].last!.id}` : `/runs?status=failed`} title={failing.map((p) => p.name).join(', ')}>
                  <Badge kind="bad">{plural(failing.length, 'pipeline')} failing</Badge>
                </Link>
              )}
            </p>
            <div class="grid">
              <div>
                <h3>Feature groups</h3>
                <GroupTable groups={groups} now={props.now} />
              </div>
              <div>
                <h3>Model versions</h3>
                <VersionTable name={system.model.name} versions={versions} serving={servingVersion} task={systemTask(system)} />
              </div>
            </div>
            <h3>Pipelines</h3>
            <PipelineTable pipelines={pipelines} now={props.now} />
          </Card>
        )
      })}
    </>
  )
}
