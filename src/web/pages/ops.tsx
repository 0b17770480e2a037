import type { Child } from 'hono/jsx'
import { CSRF_FIELD } from '../admin-access.js'
import type { CommitInfo, FeatureGroupMetadata } from '../../featurestore/index.js'
import type { ModelVersion } from '../../registry/index.js'
import type { Pipeline, RunLogLine, RunRecord } from '../../runtime/index.js'
import { Link } from '../links.js'
import { Badge, Card, RunBadge, Table, fmtTime, relative } from './components.js'

/** What the visitor may do: act (admin or open loopback), enter the token first, or nothing (no token configured). */
export type AccessState = 'admin' | 'open' | 'locked' | 'disabled'

export interface ActionContext {
  readonly csrf: string
  readonly state: AccessState
}

/**
 * A state-changing button as a plain form (works without script); with script it posts by fetch and shows
 * a refusal (401/403/…) inline instead of leaving the page.
 */
export function ActionForm(props: { action: string; label: string; ctx: ActionContext; next?: string; fields?: Record<string, string>; id?: string }) {
  if (props.ctx.state === 'disabled') return <span class="muted small">actions disabled (no admin token configured)</span>
  return (
    <form method="post" action={props.action} data-action="" class="action" id={props.id}>
      <input type="hidden" name={CSRF_FIELD} value={props.ctx.csrf} />
      {props.next && <input type="hidden" name="next" value={props.next} />}
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class="small-button">
        {props.label}
      </button>
      {props.ctx.state === 'locked' && (
        <span class="muted small">
          {' '}
          needs the <a href="/admin">admin token</a>
        </span>
      )}
      <span class="action-msg error" role="status" />
    </form>
  )
}

const duration = (r: RunRecord) => (r.endedAt ? `${((r.endedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)} s` : '–')

export interface RunsFilter {
  readonly pipeline?: string
  readonly status?: string
  readonly trigger?: string
  readonly page: number
}

function query(f: RunsFilter, page: number): string {
  const q = new URLSearchParams()
  if (f.pipeline) q.set('pipeline', f.pipeline)
  if (f.status) q.set('status', f.status)
  if (f.trigger) q.set('trigger', f.trigger)
  if (page > 1) q.set('page', String(page))
  const s = q.toString()
  return s ? `/runs?${s}` : '/runs'
}

/** Every run, newest first, filtered by pipeline, status and trigger, a page at a time. */
/** What Run now started, as the runs page sees it: the run once its process has recorded it, else null. */
export interface LaunchedRun {
  readonly pipeline: string
  /** When Run now was pressed (ms since the epoch, UTC). */
  readonly at: number
  readonly pid: number
  readonly run: RunRecord | null
}

/** How long the runs page keeps reloading for a run Run now started before it says none was recorded. */
export const LAUNCH_WAIT_MS = 60_000

/** The notice above the runs after Run now: started (with its run), starting (the page reloads), or not recorded. */
function LaunchNotice(props: { launched: LaunchedRun; now: number }) {
  const { pipeline, at, pid, run } = props.launched
  if (run)
    return (
      <p class="notice" id="launch-notice" style="border-color:var(--ok);background:#f0fdf4">
        Run now started <a href={`/runs/${run.id}`}>run #{run.id}</a> of {pipeline} ({run.status}).
      </p>
    )
  if (props.now - at < LAUNCH_WAIT_MS)
    return (
      <p class="notice" id="launch-notice" role="status">
        <meta http-equiv="refresh" content="2" />
        Starting {pipeline} (process {pid})… This page reloads every 2 s until its run is recorded.
      </p>
    )
  return (
    <p class="notice err" id="launch-notice">
      No run of {pipeline} was recorded in the {LAUNCH_WAIT_MS / 1000} s after Run now at {fmtTime(new Date(at))} (process {pid}): the server's log
      (its standard error) says why.
    </p>
  )
}

export function RunsPage(props: { runs: readonly RunRecord[]; hasNext: boolean; filter: RunsFilter; pipelines: readonly string[]; statuses: readonly string[]; triggers: readonly string[]; now: number; launched?: LaunchedRun }) {
  const f = props.filter
  const select = (name: string, options: readonly string[], value: string | undefined) => (
    <label>
      {name}{' '}
      <select name={name}>
        <option value="">all</option>
        {options.map((o) => (
          <option value={o} selected={o === value}>
            {o}
          </option>
        ))}
      </select>
    </label>
  )
  return (
    <>
      <h1>Runs</h1>
      <p class="lead">Every pipeline run on this store, newest first. A retry is a further attempt of the same run.</p>
      {props.launched && <LaunchNotice launched={props.launched} now={props.now} />}
      <Card>
        <form method="get" action="/runs" class="row filters">
          {select('pipeline', props.pipelines, f.pipeline)}
          {select('status', props.statuses, f.status)}
          {select('trigger', props.triggers, f.trigger)}
          <button type="submit">Filter</button>
        </form>
      </Card>
      <Card>
        <Table
          id="runs"
          stack
          head={['Run', 'Pipeline', 'Status', 'Attempt', 'Trigger', 'Started', 'Duration', 'Rows', 'Model', 'Error']}
          numeric={[0, 3, 6, 7]}
          empty="No runs match."
          rows={props.runs.map((r) => [
            <a href={`/runs/${r.id}`}>#{r.id}</a>,
            r.pipeline,
            <RunBadge status={r.status} />,
            String(r.attempt),
            r.trigger,
            <span title={relative(r.startedAt, props.now)}>{fmtTime(r.startedAt)}</span>,
            duration(r),
            String(r.rowsWritten),
            r.model ? <a href={`/models/${r.model.name}#v${r.model.version}`}>{`${r.model.name} v${r.model.version}`}</a> : '–',
            <span class="wrap">{r.error?.split('\n')[0] ?? ''}</span>,
          ])}
        />
        <p class="row">
          {f.page > 1 && <a href={query(f, f.page - 1)}>← newer</a>}
          <span class="muted small">page {f.page}</span>
          {props.hasNext && <a href={query(f, f.page + 1)}>older →</a>}
        </p>
      </Card>
    </>
  )
}

/** One run: its record, its attempts, its log (polled while it runs). */
export function RunPage(props: { run: RunRecord; attempts: readonly RunRecord[]; logs: readonly RunLogLine[] }) {
  const r = props.run
  const line = (l: RunLogLine) => `${l.at.toISOString()} ${l.level.padEnd(5)} ${l.message}`
  return (
    <>
      <h1>
        Run #{r.id}: {r.pipeline}
      </h1>
      <Card id="run" title="Run">
        <Table
          head={['', '']}
          rows={[
            ['Status', <span id="run-status"><RunBadge status={r.status} /></span>],
            ['Attempt', `${r.attempt} (of run #${r.firstAttemptId})`],
            ['Trigger', r.trigger],
            ['Scheduled tick', r.scheduledFor ? fmtTime(r.scheduledFor) : '–'],
            ['Started', fmtTime(r.startedAt)],
            ['Ended', fmtTime(r.endedAt)],
            ['Duration', duration(r)],
            ['Rows written', String(r.rowsWritten)],
            ['Model produced', r.model ? <a href={`/models/${r.model.name}#v${r.model.version}`}>{`${r.model.name} v${r.model.version}`}</a> : '–'],
            ['Process', `${r.pid} on ${r.hostname}`],
          ]}
        />
        {r.error && <pre class="notice err wrap" id="run-error">{r.error}</pre>}
        {props.attempts.length > 1 && (
          <p class="row">
            Attempts:{' '}
            {props.attempts.map((a) => (
              <a href={`/runs/${a.id}`}>
                #{a.id} ({a.status})
              </a>
            ))}
          </p>
        )}
      </Card>
      <Card title="Log">
        <pre id="run-log" class="log" data-run={r.status === 'running' ? String(r.id) : undefined}>
          {props.logs.length ? props.logs.map(line).join('\n') : '(no log lines yet)'}
        </pre>
      </Card>
    </>
  )
}

export interface PipelineRow {
  readonly pipeline: Pipeline
  readonly next: Date | null
  readonly recent: readonly RunRecord[]
}

/** Each pipeline: schedule with its time zone, last and next run, recent outcomes, Run now. */
export function PipelinesPage(props: { rows: readonly PipelineRow[]; ctx: ActionContext; canLaunch: boolean; now: number }) {
  return (
    <>
      <h1>Pipelines</h1>
      <p class="lead">
        Run now starts <code>sml run</code> as its own process with trigger “manual”; the run appears under Runs.
      </p>
      <Card>
        <Table
          id="pipelines"
          stack
          head={['Pipeline', 'Schedule', 'Last run', 'Next run', 'Recent', '']}
          rows={props.rows.map(({ pipeline: p, next, recent }) => [
            <span title={p.description}>
              <a href={`/runs?pipeline=${encodeURIComponent(p.name)}`}>{p.name}</a>
            </span>,
            p.schedule ? (
              <span>
                <code>{p.schedule.cron}</code> <span class="muted small">{p.schedule.timezone}</span>
              </span>
            ) : (
              <span class="muted">on demand</span>
            ),
            recent[0] ? (
              <a href={`/runs/${recent[0].id}`}>
                <RunBadge status={recent[0].status} /> <span class="small">{relative(recent[0].startedAt, props.now)}</span>
              </a>
            ) : (
              <RunBadge status={null} />
            ),
            next ? fmtTime(next) : <span class="muted">{p.schedule ? 'no further tick' : 'on demand'}</span>,
            <span class="row">
              {recent.map((r) => (
                <a href={`/runs/${r.id}`} title={`#${r.id} ${r.status} ${fmtTime(r.startedAt)}`}>
                  <Badge kind={r.status === 'succeeded' ? 'ok' : r.status === 'running' ? 'warn' : 'bad'}>{r.status === 'succeeded' ? '✓' : r.status === 'running' ? '…' : '✗'}</Badge>
                </a>
              ))}
            </span>,
            props.canLaunch ? <ActionForm action={`/api/pipelines/${p.name}/runs`} label="Run now" ctx={props.ctx} next={`/runs?pipeline=${encodeURIComponent(p.name)}`} id={`run-${p.name}`} /> : <span class="muted small">Run now unavailable</span>,
          ])}
        />
      </Card>
    </>
  )
}

/** Every model in the registry with its versions and production alias. */
export function ModelsPage(props: { models: readonly { readonly name: string; readonly list: readonly ModelVersion[] }[] }) {
  return (
    <>
      <h1>Models</h1>
      <Card>
        <Table
          id="models"
          head={['Model', 'Versions', 'Production', 'Latest', 'Latest metrics']}
          empty="No models registered yet."
          rows={props.models.map((m) => {
            const latest = m.list[m.list.length - 1]
            const production = m.list.find((v) => v.aliases.includes('production'))
            return [
              <Link href={`/models/${m.name}`}>{m.name}</Link>,
              String(m.list.length),
              production ? <Badge kind="ok">v{production.version}</Badge> : '–',
              latest ? fmtTime(latest.createdAt) : '–',
              <span class="wrap small">{latest ? Object.entries(latest.metrics).slice(0, 4).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(3)}`).join(' · ') : ''}</span>,
            ]
          })}
        />
      </Card>
    </>
  )
}

/** Enter the admin token once; it becomes an HttpOnly session cookie. */
export function AdminPage(props: { ctx: ActionContext; next: string; message?: Child }) {
  const s = props.ctx.state
  return (
    <>
      <h1>Admin</h1>
      <Card>
        {s === 'admin' && (
          <>
            <p id="admin-state">
              <Badge kind="ok">signed in</Badge> Actions (Run now, Promote) are enabled in this browser.
            </p>
            <button type="button" id="sign-out" data-sign-out="">
              Sign out
            </button>
          </>
        )}
        {s === 'open' && <p id="admin-state">No admin token is configured and this server listens on loopback only: actions are open to this machine.</p>}
        {s === 'disabled' && <p id="admin-state">No admin token is configured and this server is reachable from other machines: actions are disabled. Set SML_ADMIN_TOKEN and restart.</p>}
        {s === 'locked' && (
          <form method="post" action="/api/admin/session" data-action="" class="stack" id="sign-in">
            <p id="admin-state">Reading is public; actions need the admin token (printed at first start, or SML_ADMIN_TOKEN).</p>
            <input type="hidden" name="next" value={props.next} />
            <label>
              Admin token <input type="password" name="token" autocomplete="current-password" required />
            </label>
            <button type="submit">Sign in</button>
            <span class="action-msg error" role="status" />
          </form>
        )}
      </Card>
    </>
  )
}

/** Every feature group on the store (whatever its name), with its row count and last commit. */
export function FeatureGroupsPage(props: { groups: readonly { readonly meta: FeatureGroupMetadata; readonly rows: number; readonly lastCommit: CommitInfo | null }[] }) {
  return (
    <>
      <h1>Feature groups</h1>
      <Card>
        <Table
          id="feature-groups"
          head={['Feature group', 'Version', 'Rows', 'Last commit', 'Description']}
          numeric={[1, 2]}
          empty="No feature groups yet."
          rows={props.groups.map((g) => [
            <a href={`/feature-groups/${g.meta.name}?version=${g.meta.version}`}>{g.meta.name}</a>,
            String(g.meta.version),
            g.rows.toLocaleString('en'),
            g.lastCommit ? `#${g.lastCommit.id} ${fmtTime(g.lastCommit.committedAt)}` : '–',
            <span class="wrap small">{g.meta.description}</span>,
          ])}
        />
      </Card>
    </>
  )
}

export interface FeatureViewSummary {
  readonly name: string
  readonly version: number
  readonly description: string
  readonly group: { readonly name: string; readonly version: number }
  /** Groups joined point-in-time correct, in join order. */
  readonly joined?: readonly { readonly name: string; readonly version: number; readonly on: readonly string[]; readonly prefix: string }[]
  readonly features: readonly string[]
  readonly labels: readonly string[]
  readonly transformations: Readonly<Record<string, string>>
  readonly createdAt: Date
}

export interface TrainingDatasetRow {
  readonly version: number
  readonly commitId: number | null
  readonly testSize: number
  readonly seed: number
  readonly stratify: boolean
  readonly trainRows: number
  readonly testRows: number
  readonly createdAt: Date
}

const viewHref = (v: { name: string; version: number }) => `/feature-views/${v.name}?version=${v.version}`

/** Every feature view with the group it reads. */
export function FeatureViewsPage(props: { views: readonly FeatureViewSummary[] }) {
  return (
    <>
      <h1>Feature views</h1>
      <Card>
        <Table
          id="feature-views"
          head={['Feature view', 'Version', 'Feature group', 'Labels', 'Created']}
          numeric={[1]}
          empty="No feature views yet."
          rows={props.views.map((v) => [
            <a href={viewHref(v)}>{v.name}</a>,
            String(v.version),
            <a href={`/feature-groups/${v.group.name}?version=${v.group.version}`}>{`${v.group.name} v${v.group.version}`}</a>,
            v.labels.join(', ') || '–',
            fmtTime(v.createdAt),
          ])}
        />
      </Card>
    </>
  )
}

/** A feature view: its features, labels and transformations, the group it reads, its training datasets (each at a commit). */
export function FeatureViewPage(props: { view: FeatureViewSummary; trainingDatasets: readonly TrainingDatasetRow[] }) {
  const v = props.view
  const group = `/feature-groups/${v.group.name}?version=${v.group.version}`
  return (
    <>
      <h1>
        Feature view {v.name} <span class="muted">v{v.version}</span>
      </h1>
      <p class="lead">
        {v.description || 'No description'} · reads <a href={group}>{`${v.group.name} v${v.group.version}`}</a>
        {(v.joined ?? []).map((j) => (
          <>
            {' '}
            · joins <a href={`/feature-groups/${j.name}?version=${j.version}`}>{`${j.name} v${j.version}`}</a> as of each row's event time on {j.on.join(', ')}
            {j.prefix ? ` (columns prefixed ${j.prefix})` : ''}
          </>
        ))}
      </p>
      <Card title="Features" id="features">
        <Table
          head={['Column', 'Role', 'Transformation']}
          rows={v.features.map((f) => [<code>{f}</code>, v.labels.includes(f) ? <Badge>label</Badge> : 'feature', v.transformations[f] ?? '–'])}
        />
      </Card>
      <Card title={`Training datasets (${props.trainingDatasets.length})`} id="training-datasets">
        <Table
          head={['Version', 'Feature-group commit', 'Test size', 'Seed', 'Stratified', 'Train rows', 'Test rows', 'Created']}
          numeric={[0, 2, 3, 5, 6]}
          empty="No training datasets yet."
          rows={[...props.trainingDatasets].reverse().map((t) => [
            <a id={`td-${t.version}`} href={tdHref(v, t.version)}>{String(t.version)}</a>,
            t.commitId === null ? '–' : <a href={group}>{`${v.group.name} v${v.group.version} at commit #${t.commitId}`}</a>,
            String(t.testSize),
            String(t.seed),
            t.stratify ? 'yes' : 'no',
            String(t.trainRows),
            String(t.testRows),
            fmtTime(t.createdAt),
          ])}
        />
      </Card>
    </>
  )
}

const tdHref = (v: { name: string; version: number }, td: number) => `/feature-views/${v.name}/training-datasets/${td}?version=${v.version}`

/** One recorded training dataset: how it was split, what was fitted on it, and the model versions trained on it. */
export function TrainingDatasetPage(props: {
  view: FeatureViewSummary
  dataset: TrainingDatasetRow & { readonly fitted: Readonly<Record<string, unknown>> }
  models: readonly { readonly name: string; readonly version: number; readonly metrics: Readonly<Record<string, number>> }[]
}) {
  const { view: v, dataset: t } = props
  const group = `/feature-groups/${v.group.name}?version=${v.group.version}`
  return (
    <>
      <h1>
        Training dataset {t.version} <span class="muted">of feature view {v.name} v{v.version}</span>
      </h1>
      <p class="lead">
        Read from <a href={group}>{`${v.group.name} v${v.group.version}`}</a>
        {t.commitId === null ? '' : ` as of commit #${t.commitId}`}; re-reads to the same rows in the same order.
      </p>
      <Card title="Split" id="split">
        <Table
          head={['Test size', 'Seed', 'Stratified', 'Train rows', 'Test rows', 'Created']}
          numeric={[0, 1, 3, 4]}
          rows={[[String(t.testSize), String(t.seed), t.stratify ? 'yes' : 'no', String(t.trainRows), String(t.testRows), fmtTime(t.createdAt)]]}
        />
      </Card>
      <Card title="Fitted transformations" id="fitted">
        <Table
          head={['Column', 'Fitted on the training split']}
          empty="No transformations: the inputs are used as stored."
          rows={Object.entries(t.fitted).map(([column, f]) => [<code>{column}</code>, <code class="wrap">{JSON.stringify(f)}</code>])}
        />
      </Card>
      <Card title={`Model versions trained on it (${props.models.length})`} id="models">
        <Table
          head={['Model', 'Version', 'Metrics']}
          empty="No model version was trained on this dataset."
          rows={props.models.map((m) => [
            <a href={`/models/${m.name}#v${m.version}`}>{m.name}</a>,
            String(m.version),
            // the headline scores only; the model page lists every metric
            Object.entries(m.metrics)
              .filter(([k]) => ['accuracy', 'rmse', 'mae', 'r2'].includes(k))
              .map(([k, x]) => `${k} ${Number.isInteger(x) ? x : x.toFixed(4)}`)
              .join(' · ') || '–',
          ])}
        />
      </Card>
      <p>
        <a href={`/feature-views/${v.name}?version=${v.version}`}>← all training datasets of {v.name} v{v.version}</a>
      </p>
    </>
  )
}

export { tdHref }
