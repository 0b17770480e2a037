import type { Child } from 'hono/jsx'
import type { Row } from '../../featurestore/index.js'
import type { ClassPrediction, FieldDescription, Prediction, SystemDescription } from '../../systems/index.js'
import type { FormValues } from '../form-input.js'
import { Card, ClassPicture, ProbabilityBars, classByName, pct } from './components.js'

export interface PredictPageProps {
  readonly system: SystemDescription
  readonly values: FormValues
  /** Field name → reason; "(form)" for issues not tied to one field. */
  readonly errors: Readonly<Record<string, string>>
  readonly result: { readonly prediction: Prediction; readonly features: Row } | null
  /** Whether the result answers what the person submitted (not the defaults of a first visit). */
  readonly submitted: boolean
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
        <input
          type="number"
          id={id}
          name={f.name}
          min={f.min}
          max={f.max}
          step={f.step}
          value={props.value}
          inputmode="decimal"
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={props.error ? `${id}-error` : undefined}
        />
        <span class="unit">{f.unit ?? ''}</span>
      </div>
      <p class="help">
        {f.help ? `${f.help} · ` : ''}
        {f.min}–{f.max}
        {f.unit ? ` ${f.unit}` : ''}
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

function Result(props: { system: SystemDescription; result: PredictPageProps['result']; submitted: boolean; failed: boolean }) {
  const { system, result } = props
  if (props.failed)
    return (
      <Card title="Prediction" id="result">
        <p class="notice err">Fix the marked field{'(s)'} and predict again.</p>
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
      <div class="grid two" id="predict">
        <Card title="Inputs">
          <form class="predict" method="post" action={`/${system.name}`} data-enhance="predict" novalidate>
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
        <Result system={system} result={props.result} submitted={props.submitted} failed={failed} />
      </div>
    </>
  )
}
