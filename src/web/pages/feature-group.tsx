import type { ColumnStatistics, CommitInfo, FeatureGroupMetadata } from '../../featurestore/index.js'
import { describeExpectation } from '../../featurestore/index.js'
import { Badge, Card, Table, fmtTime } from './components.js'

const show = (v: ColumnStatistics['min']) => (v === null ? '–' : v instanceof Date ? fmtTime(v) : typeof v === 'number' ? String(Number(v.toFixed(4))) : v)

/** A feature group: schema with expectations, column statistics, commit history. */
export function FeatureGroupPage(props: { meta: FeatureGroupMetadata; rows: number; statistics: readonly ColumnStatistics[]; commits: readonly CommitInfo[]; versions: readonly number[] }) {
  const m = props.meta
  const newest = [...props.commits].reverse().slice(0, 100)
  return (
    <>
      <h1>
        Feature group {m.name} <span class="muted">v{m.version}</span>
      </h1>
      <p class="lead">
        {m.description || 'No description'} · {props.rows.toLocaleString('en')} rows · {props.commits.length} commit(s)
        {props.versions.length > 1 && (
          <>
            {' '}· versions:{' '}
            {props.versions.map((v) => (
              <>
                <a href={`/feature-groups/${m.name}?version=${v}`}>v{v}</a>{' '}
              </>
            ))}
          </>
        )}
      </p>
      <div>
        <Card title="Schema" id="schema">
          <Table
            head={['Column', 'Type', 'Role', 'Expectations']}
            rows={m.schema.map((f) => [
              <code>{f.name}</code>,
              f.type,
              <span>
                {m.primaryKey.includes(f.name) && <Badge>primary key</Badge>} {m.eventTime === f.name && <Badge>event time</Badge>}{' '}
                {f.nullable === false && !m.primaryKey.includes(f.name) && m.eventTime !== f.name && <span class="muted small">not null</span>}
              </span>,
              m.expectations
                .filter((e) => e.column === f.name)
                .map((e) => describeExpectation(e))
                .join('; ') || '–',
            ])}
          />
        </Card>
        <Card title="Statistics" id="statistics">
          <Table
            head={['Column', 'Count', 'Missing', 'Distinct', 'Min', 'Max', 'Mean']}
            numeric={[1, 2, 3, 4, 5, 6]}
            rows={props.statistics.map((s) => [<code>{s.column}</code>, s.count, s.missing, s.distinct, show(s.min), show(s.max), s.mean === null ? '–' : String(Number(s.mean.toFixed(4)))])}
          />
        </Card>
      </div>
      <Card title={`Commits (${props.commits.length}${props.commits.length > 100 ? ', newest 100' : ''})`} id="commits">
        <Table
          head={['Commit', 'Time', 'Added', 'Updated', 'Source', 'Warnings']}
          numeric={[2, 3]}
          empty="No commits yet."
          rows={newest.map((c) => [`#${c.id}`, fmtTime(c.committedAt), c.rowsAdded, c.rowsUpdated, c.source ?? '–', c.warnings.length ? <span class="small">{c.warnings.join('; ')}</span> : '–'])}
        />
      </Card>
    </>
  )
}
