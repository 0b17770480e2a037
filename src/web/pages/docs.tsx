import type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiResponse } from '../openapi.js'
import { Badge, Card, Table } from './components.js'

/** A schema in a few words: `integer 1–1000`, `"a" | "b"`, a link to a named component. */
export function schemaSummary(s: JsonSchema): string {
  const x = s as { $ref?: string; type?: string; enum?: unknown[]; const?: unknown; anyOf?: JsonSchema[]; minimum?: number; maximum?: number; items?: JsonSchema; default?: unknown; pattern?: string; maxLength?: number }
  let text: string
  if (x.$ref) text = x.$ref.split('/').at(-1)!
  else if (x.const !== undefined) text = JSON.stringify(x.const)
  else if (x.enum) text = x.enum.map((v) => JSON.stringify(v)).join(' | ')
  else if (x.anyOf) text = x.anyOf.map(schemaSummary).join(' | ')
  else if (x.type === 'array') text = `array of ${schemaSummary(x.items ?? {})}`
  else if (x.minimum !== undefined && (x.maximum === undefined || x.maximum >= Number.MAX_SAFE_INTEGER)) text = `${x.type} ≥ ${x.minimum}`
  else if (x.minimum !== undefined || x.maximum !== undefined) text = `${x.type} ${x.minimum ?? '…'}–${x.maximum ?? '…'}`
  else text = x.type ?? 'any'
  if (x.pattern) text += ` matching ${x.pattern}`
  if (x.maxLength !== undefined) text += ` (≤ ${x.maxLength} characters)`
  if (x.default !== undefined) text += `, default ${JSON.stringify(x.default)}`
  return text
}

function resolve(doc: OpenApiDocument, r: OpenApiResponse | { $ref: string }): OpenApiResponse {
  return '$ref' in r ? doc.components.responses[r.$ref.split('/').at(-1)!] : r
}

/** Text with `code` spans, as the document's descriptions write them (CommonMark's inline code only). */
function Text(props: { text: string }) {
  return <>{props.text.split('`').map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}</>
}

const METHOD_KIND = { get: 'ok', post: 'warn', delete: 'bad' } as const

function Operation(props: { doc: OpenApiDocument; path: string; method: 'get' | 'post' | 'delete'; op: OpenApiOperation }) {
  const { doc, path, method, op } = props
  const body = op.requestBody && Object.entries(op.requestBody.content)
  return (
    <Card
      id={op.operationId}
      title={
        <span>
          <Badge kind={METHOD_KIND[method]}>{method.toUpperCase()}</Badge> <code class="wrap">{path}</code>
        </span>
      }
    >
      <p>
        {op.summary}
        {op.security && (
          <>
            {' '}
            <Badge kind="warn">admin</Badge>
          </>
        )}
      </p>
      {op.description && (
        <p class="muted small">
          <Text text={op.description} />
        </p>
      )}
      {op.parameters && op.parameters.length > 0 && (
        <>
          <h3>Parameters</h3>
          <Table head={['Name', 'In', 'Schema', 'Description']} rows={op.parameters.map((p) => [<code>{p.name + (p.required ? '' : '?')}</code>, p.in, <span class="wrap">{schemaSummary(p.schema)}</span>, <span class="wrap"><Text text={p.description ?? ''} /></span>])} />
        </>
      )}
      {body && (
        <>
          <h3>Request body{op.requestBody!.required ? '' : ' (optional)'}</h3>
          <ul class="small">
            {body.map(([type, media]) => (
              <li>
                <code>{type}</code>: <SchemaLink schema={media.schema} />
              </li>
            ))}
          </ul>
          {body[0][1].example !== undefined && (
            <>
              <p class="muted small">Example</p>
              <pre>{JSON.stringify(body[0][1].example, null, 2)}</pre>
            </>
          )}
        </>
      )}
      <h3>Responses</h3>
      <Table
        head={['Status', 'Meaning', 'Body']}
        rows={Object.entries(op.responses).map(([status, r]) => {
          const res = resolve(doc, r)
          const media = res.content && Object.entries(res.content)[0]
          return [
            <Badge kind={status.startsWith('2') ? 'ok' : 'bad'}>{status}</Badge>,
            <span class="wrap">
              <Text text={res.description + (res.headers ? ` (headers: ${Object.keys(res.headers).join(', ')})` : '')} />
            </span>,
            media ? <SchemaLink schema={media[1].schema} /> : '–',
          ]
        })}
      />
    </Card>
  )
}

function SchemaLink(props: { schema: JsonSchema }) {
  const r = (props.schema as { $ref?: string }).$ref
  if (r) {
    const name = r.split('/').at(-1)!
    return <a href={`#schema-${name}`}>{name}</a>
  }
  return <span class="wrap">{schemaSummary(props.schema)}</span>
}

/** `/docs`: every operation of the OpenAPI document with its parameters, body and responses, then the schemas. */
export function DocsPage(props: { doc: OpenApiDocument }) {
  const { doc } = props
  const ops = Object.entries(doc.paths).flatMap(([path, item]) => (['get', 'post', 'delete'] as const).filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m]! })))
  return (
    <>
      <h1>JSON API</h1>
      <p class="lead">
        {doc.info.title} {doc.info.version}: {ops.length} operations. The machine-readable OpenAPI {doc.openapi} document is at <a href="/openapi.json">/openapi.json</a>. Reading is
        public; actions marked <Badge kind="warn">admin</Badge> need the admin token as <code>Authorization: Bearer &lt;token&gt;</code>. Every refusal is JSON{' '}
        <code class="wrap">{'{ error, issues: [{ field, reason }] }'}</code>.
      </p>
      <Card title="Operations">
        <ul class="small">
          {ops.map(({ path, method, op }) => (
            <li>
              <a href={`#${op.operationId}`}>
                <code class="wrap">
                  {method.toUpperCase()} {path}
                </code>
              </a>{' '}
              <span class="muted">{op.summary}</span>
            </li>
          ))}
        </ul>
      </Card>
      {ops.map(({ path, method, op }) => (
        <Operation doc={doc} path={path} method={method} op={op} />
      ))}
      <Card title="Schemas">
        {Object.entries(doc.components.schemas).map(([name, schema]) => (
          <>
            <h3 id={`schema-${name}`}>{name}</h3>
            <pre>{JSON.stringify(schema, null, 2)}</pre>
          </>
        ))}
      </Card>
    </>
  )
}
