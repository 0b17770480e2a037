import type { Child } from 'hono/jsx'
import type { Row } from '../../featurestore/index.js'
import type { ClassPrediction, FieldDescription, Prediction, PredictExample, SystemDescription } from '../../systems/index.js'
import type { FormValues } from '../form-input.js'
import { Card, ClassPicture, ProbabilityBars, classByName, pct } from './components.js'
import { plural } from '../../support/plural.js'

export interface PredictPageProps {
  readonly system: SystemDescription
  readonly values: FormValues
  /** Field name → reason; "(form)" for issues not tied to one field. */
  readonly errors: Readonly<Record<string, string>>
  readonly result: { readonly prediction: Prediction; readonly features: Row } | null
  /** Whether the result answers what the person submitted (not the defaults of a first visit). */
  readonly submitted: boolean
  /** Real rows to try, each filling the form. */
  readonly examples: readonly PredictExample[]
  /** The predict API's absolute URL (from the request's host) and the JSON body of the current inputs. */
  readonly api: { readonly url: string; readonly body: Readonly<Record<string, unknown>> }
}

function NumberField(props: { f: Extract<FieldDescription, { kind: 'number' }>; value: string; error?: string }) {
  const { f } = props
  const id = `f-${f.name}`
  const asNumber = Number(props.value)
  const slider = Number.isFinite(asNumber) && props.value.trim() !== '' ? Math.min(f.max, Math.max(f.min, asNumber)) : f.default
  return (
    <div class={`field${props.error ? ' invalid' : ''}`} data-field={f.name}>
      <label class="name" for={id}>
        {f.label}
      </label>
      <div class="inputs">
        <input type="range" class="js-only" data-for={id} min={f.min} max={f.max} step={f.step} value={String(slider)} aria-label={`${f.label} slider`} tabindex={-1} />
        {/* Text, not type=number: a browser reads "2,5" there as 25 or as nothing; the server parses it (2.5). */}
        <input
          type="text"
          class="num"
          id={id}
          name={f.name}
          value={props.value}
          inputmode="decimal"
          autocomplete="off"
          spellcheck={false}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={props.error ? `${id}-error` : undefined}
        />
        <span class="unit">{f.unit ?? ''}</span>
      </div>
      <p class="help">
        {f.help ? `${f.help} · ` : ''}
        {f.min}–{f.max}
        {f.unit ? ` ${f.unit}` : ''}
        {f.optional ? ' · leave empty if not known (the model takes it as missing)' : ''}
      </p>
      {props.error && (
        <p class="error" id={`${id}-error`} role="alert">
          {f.label}: {props.error}
        </p>
      )}
    </div>
  )
}

function ChoiceField(props: { f: Extract<FieldDescription, { kind: 'choice' }>; value: string; error?: string }) {
  const { f } = props
  const id = `f-${f.name}`
  const error = props.error && (
    <p class="error" id={`${id}-error`} role="alert">
      {f.label}: {props.error}
    </p>
  )
  // Two options read best side by side; more go in a list.
  if (f.choices.length <= 2)
    return (
      <fieldset class={`field${props.error ? ' invalid' : ''}`} data-field={f.name} style="border:0;padding:0;margin:0 0 1rem">
        <legend class="name" style="font-weight:600;margin-bottom:.3rem;padding:0">
          {f.label}
        </legend>
        <div class="choices">
          {f.choices.map((c) => (
            <label>
              <input type="radio" name={f.name} value={String(c.value)} checked={String(c.value) === props.value} /> {c.label}
            </label>
          ))}
        </div>
        {f.help && <p class="help">{f.help}</p>}
        {error}
      </fieldset>
    )
  return (
    <div class={`field${props.error ? ' invalid' : ''}`} data-field={f.name}>
      <label class="name" for={id}>
        {f.label}
      </label>
      <select id={id} name={f.name} aria-invalid={props.error ? 'true' : undefined}>
        {f.choices.map((c) => (
          <option value={String(c.value)} selected={String(c.value) === props.value}>
            {c.label}
          </option>
        ))}
        {!f.choices.some((c) => String(c.value) === props.value) && (
          <option value={props.value} selected>
            {props.value || '(choose)'}
          </option>
        )}
      </select>
      {f.help && <p class="help">{f.help}</p>}
      {error}
    </div>
  )
}

function Result(props: { system: SystemDescription; result: PredictPageProps['result']; submitted: boolean; failed: boolean; errors: PredictPageProps['errors'] }) {
  const { system, result } = props
  if (props.failed)
    return (
      <Card title="Prediction" id="result">
        <p class="notice err">Fix the marked {Object.keys(props.errors).length === 1 ? 'field' : 'fields'} and predict again.</p>
        <ul class="small" id="result-errors">
          {Object.entries(props.errors).map(([name, reason]) => (
            <li>
              {system.fields.find((f) => f.name === name)?.label ?? name}: {reason}
            </li>
          ))}
        </ul>
      </Card>
    )
  if (!result) return <Card title="Prediction" id="result"><p class="muted">No model is serving yet.</p></Card>
  const p = result.prediction
  const footer = (
    <p class="small muted" style="margin:.8rem 0 0">
      Answered by <a href={`/models/${system.model.name}`}>{system.model.name} version {p.modelVersion}</a>; the same prediction as{' '}
      <code>POST /api/{system.name}/predict</code>.
    </p>
  )
  const title = (
    <>
      <span>{props.submitted ? 'Prediction' : 'Prediction for the starting values'}</span>
      <a class="small" href={`/models/${system.model.name}`} id="model-version" data-version={String(p.modelVersion)}>
        {system.model.name} v{p.modelVersion}
      </a>
    </>
  )
  // Regression: the value with its unit, as many decimals as people read (the API gives the full number).
  if (typeof p.prediction === 'number')
    return (
      <Card title={title} id="result">
        <div class="muted small">{system.label.column}</div>
        <div class="answer" id="prediction" data-value={String(p.prediction)}>
          {Number(p.prediction.toFixed(2))}
          {system.label.unit ? <span class="unit"> {system.label.unit}</span> : ''}
        </div>
        {footer}
      </Card>
    )
  return <ClassResult system={system} p={p as ClassPrediction} features={result.features} title={title} footer={footer} />
}

function ClassResult(props: { system: SystemDescription; p: ClassPrediction; features: Row; title: Child; footer: Child }) {
  const { system, p } = props
  const cls = classByName(system, p.prediction)
  return (
    <Card title={props.title} id="result">
      <div class="result">
        <ClassPicture system={system} cls={cls} features={props.features} />
        <div style="flex:1;min-width:12rem">
          <div class="muted small">{system.label.column}</div>
          <div class="answer" id="prediction" style={`color:${cls?.color ?? 'inherit'}`}>
            {p.prediction}
          </div>
          <div class="muted">probability {pct(p.probabilities[p.prediction], 1)}</div>
          <ProbabilityBars system={system} probabilities={p.probabilities} />
        </div>
      </div>
      {props.footer}
    </Card>
  )
}

/** The predict page of any system: one control per field, the answer with its picture and probabilities. */
export function PredictPage(props: PredictPageProps) {
  const { system } = props
  const failed = Object.keys(props.errors).length > 0
  return (
    <>
      <h1>{system.title}</h1>
      <p class="lead">
        {system.description} <a href={`/${system.name}/monitor`}>Monitor →</a>
      </p>
      <Examples system={system} examples={props.examples} />
      <div class="grid two" id="predict">
        <Card title="Inputs">
          <form class="predict" method="post" action={`/${system.name}`} data-enhance="predict" data-live="result use-api" novalidate>
            {props.errors['(form)'] && <p class="notice err">{props.errors['(form)']}</p>}
            {system.fields.map((f) =>
              f.kind === 'number' ? (
                <NumberField f={f} value={props.values[f.name] ?? ''} error={props.errors[f.name]} />
              ) : (
                <ChoiceField f={f} value={props.values[f.name] ?? ''} error={props.errors[f.name]} />
              ),
            )}
            <div class="row">
              <button type="submit">Predict</button>
              <a href={`/${system.name}`} class="small">
                Reset
              </a>
            </div>
          </form>
        </Card>
        <div class="stack">
          <Result system={system} result={props.result} submitted={props.submitted} failed={failed} errors={props.errors} />
          <UseViaApi url={props.api.url} body={props.api.body} />
        </div>
      </div>
    </>
  )
}

/** Real rows to try: links that fill the form (a GET of the page without JavaScript, in place with it). */
function Examples(props: { system: SystemDescription; examples: readonly PredictExample[] }) {
  if (props.examples.length === 0) return <></>
  return (
    <div class="examples row" id="examples">
      <span class="muted small">Examples from the data:</span>
      {props.examples.map((e) => {
        const query = new URLSearchParams(Object.entries(e.input).map(([k, v]): [string, string] => [k, String(v)]))
        return (
          <a class="example" href={`/${props.system.name}?${query.toString()}`} data-example={JSON.stringify(e.input)}>
            {e.title}
          </a>
        )
      })}
    </div>
  )
}

/** A string as one shell word (single quotes; a quote inside closes, escapes and reopens). */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/** Ready-to-run requests for the current inputs: the same prediction from a terminal, a browser or Python. */
export function apiSnippets(url: string, body: Readonly<Record<string, unknown>>): { curl: string; fetch: string; python: string } {
  const json = JSON.stringify(body)
  // Bodies hold numbers and strings only, so the JSON text is also a Python dict literal.
  const pretty = JSON.stringify(body, null, 2)
  return {
    curl: `curl -X POST ${shellQuote(url)} \\\n  -H 'content-type: application/json' \\\n  -d ${shellQuote(json)}`,
    fetch: `const res = await fetch(${JSON.stringify(url)}, {\n  method: 'POST',\n  headers: { 'content-type': 'application/json' },\n  body: JSON.stringify(${pretty.replaceAll('\n', '\n  ')}),\n})\nconsole.log(await res.json())`,
    python: `import requests\n\nres = requests.post(\n    ${JSON.stringify(url)},\n    json=${pretty.replaceAll('\n', '\n    ')},\n)\nprint(res.json())`,
  }
}

function UseViaApi(props: { url: string; body: Readonly<Record<string, unknown>> }) {
  const s = apiSnippets(props.url, props.body)
  return (
    <Card title="Use via API" id="use-api">
      <p class="small muted" style="margin-top:0">
        The same prediction for these inputs, as JSON over HTTP:
      </p>
      <details open>
        <summary>curl</summary>
        <pre id="snippet-curl">{s.curl}</pre>
      </details>
      <details>
        <summary>JavaScript fetch</summary>
        <pre id="snippet-fetch">{s.fetch}</pre>
      </details>
      <details>
        <summary>Python requests</summary>
        <pre id="snippet-python">{s.python}</pre>
      </details>
    </Card>
  )
}
