import type { ColumnStatistics, CommitInfo, FeatureGroupMetadata, FeatureValue, Row } from '../../featurestore/index.js'
import { describeExpectation } from '../../featurestore/index.js'
import { Badge, Card, Table, fmtTime } from './components.js'
import { plural } from '../../support/plural.js'

const show = (v: ColumnStatistics['min']) => (v === null ? '–' : v instanceof Date ? fmtTime(v) : typeof v === 'number' ? String(Number(v.toFixed(4))) : v)

const cell = (v: FeatureValue | undefined) => (v === null || v === undefined ? '–' : v instanceof Date ? fmtTime(v) : typeof v === 'number' ? String(Number(v.toFixed(4))) : String(v))

/** Pages of a list: which page, how many per page. */
export interface Paging {
  readonly page: number
  readonly perPage: number
}

function Pager(props: { base: string; param: string; page: number; pages: number; anchor: string }) {
  if (props.pages <= 1) return null
  const href = (n: number) => `${props.base}${props.base.includes('?') ? '&' : '?'}${props.param}=${n}#${props.anchor}`
  return (
    <p class="row">
      {props.page > 1 && <a href={href(props.page - 1)}>← previous</a>}
      <span class="muted small">
        page {props.page} of {props.pages}
      </span>
      {props.page < props.pages && <a href={href(props.page + 1)}>next →</a>}
    </p>
  )
}

/** A feature group: schema with expectations, column statistics, a page of its rows, its commits a page at a time. */
export function FeatureGroupPage(props: {
  meta: FeatureGroupMetadata
  rows: number
  statistics: readonly ColumnStatistics[]
  commits: readonly CommitInfo[]
  versions: readonly number[]
  preview?: { readonly rows: readonly Row[]; readonly paging: Paging }
  commitPaging?: Paging
}) {
  const m = props.meta
  const base = `/feature-groups/${m.name}?version=${m.version}`
  const cp = props.commitPaging ?? { page: 1, perPage: 100 }
  const commitPages = Math.max(1, Math.ceil(props.commits.length / cp.perPage))
  const newest = [...props.commits].reverse().slice((cp.page - 1) * cp.perPage, cp.page * cp.perPage)
  return (
    <>
      <h1>
        Feature group {m.name} <span class="muted">v{m.version}</span>
      </h1>
      <p class="lead">
        {m.description || 'No description'} · {plural(props.rows, 'row', undefined, props.rows.toLocaleString('en'))} · {plural(props.commits.length, 'commit')}
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
      {props.preview && (
        <Card title={`Data (${plural(props.rows, 'row', undefined, props.rows.toLocaleString('en'))}, in key order)`} id="preview">
          <Table
            head={m.schema.map((f) => f.name)}
            empty="No rows."
            rows={props.preview.rows.map((r) => m.schema.map((f) => cell(r[f.name])))}
          />
          <Pager base={base} param="page" page={props.preview.paging.page} pages={Math.max(1, Math.ceil(props.rows / props.preview.paging.perPage))} anchor="preview" />
        </Card>
      )}
      <Card title={`Commits (${props.commits.length})`} id="commits">
        <Table
          head={['Commit', 'Time', 'Added', 'Updated', 'Source', 'Warnings']}
          numeric={[2, 3]}
          empty="No commits yet."
          rows={newest.map((c) => [`#${c.id}`, fmtTime(c.committedAt), c.rowsAdded, c.rowsUpdated, c.source ?? '–', c.warnings.length ? <span class="small wrap">{c.warnings.join('; ')}</span> : '–'])}
        />
        <Pager base={base} param="commits" page={cp.page} pages={commitPages} anchor="commits" />
      </Card>
    </>
  )
}
