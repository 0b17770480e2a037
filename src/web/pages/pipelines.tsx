import { Link } from '../links.js'
import type { PipelineStatus } from '../pipeline-status.js'
import { Badge, RunBadge, Table, fmtTime, relative } from './components.js'

/** Pipelines of a system: last run, last success with its age (freshness), schedule and next tick. */
export function PipelineTable(props: { pipelines: readonly PipelineStatus[]; now: number }) {
  return (
    <Table
      id="pipelines"
      head={['Pipeline', 'Last run', 'Last success', 'Age', 'Schedule', 'Next run']}
      rows={props.pipelines.map((p) => [
        <Link href={`/runs?pipeline=${encodeURIComponent(p.name)}`} title={p.description}>
          {p.name}
        </Link>,
        <span>
          {p.last ? (
            <Link href={`/runs/${p.last.id}`}>
              <RunBadge status={p.last.status} /> <span class="muted small">{fmtTime(p.last.startedAt)}</span>
            </Link>
          ) : (
            <RunBadge status={null} />
          )}
        </span>,
        fmtTime(p.lastSuccess?.endedAt ?? p.lastSuccess?.startedAt),
        p.lastSuccess ? (
          p.stale ? (
            <Badge kind="warn">{relative(p.lastSuccess.endedAt ?? p.lastSuccess.startedAt, props.now)}</Badge>
          ) : (
            relative(p.lastSuccess.endedAt ?? p.lastSuccess.startedAt, props.now)
          )
        ) : p.schedule ? (
          <Badge kind="warn">never</Badge>
        ) : (
          '–'
        ),
        p.schedule ? (
          <span>
            <code>{p.schedule.cron}</code> <span class="muted small">{p.schedule.timezone}</span>
          </span>
        ) : (
          <span class="muted">on demand</span>
        ),
        p.next ? `${fmtTime(p.next)} (${relative(p.next, props.now)})` : <span class="muted">{p.schedule ? 'no further tick' : 'on demand'}</span>,
      ])}
    />
  )
}
