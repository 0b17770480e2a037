import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import type { FeatureValue, Row } from '../../featurestore/index.js'
import type { RunStatus } from '../../runtime/index.js'
import { labelClasses, type ClassDescription, type FieldDescription, type SystemDescription } from '../../systems/index.js'
import { usePageMode } from '../links.js'

export function Card(props: { title?: Child; id?: string; class?: string; children?: Child }) {
  return (
    <section class={`card${props.class ? ` ${props.class}` : ''}`} id={props.id}>
      {props.title !== undefined && <h2>{props.title}</h2>}
      {props.children}
    </section>
  )
}

/**
 * A server-rendered SVG placed inline (our own chart output, never user content); in a static export that also
 * saved it as files, links to them follow it.
 */
export function InlineSvg(props: { svg: string; class?: string; label?: string }) {
  const files = usePageMode().chartFiles(props.svg)
  return (
    <div class={props.class ?? 'chart'} role={props.label ? 'figure' : undefined} aria-label={props.label}>
      {raw(props.svg)}
      {files !== null && (
        <span class="small chart-files">
          <a class="svg" href={files.svg} download="">
            SVG
          </a>{' '}
          ·{' '}
          <a class="png" href={files.png} download="">
            PNG
          </a>
        </span>
      )}
    </div>
  )
}

/**
 * A table; `stack` lays each row out as a block of "label value" lines on a phone (≤ 600 px), for tables
 * whose columns do not fit side by side there (the cells carry their column's name in data-label).
 */
export function Table(props: { head: Child[]; numeric?: number[]; rows: Child[][]; id?: string; empty?: string; stack?: boolean }) {
  const num = new Set(props.numeric ?? [])
  if (props.rows.length === 0 && props.empty) return <p class="muted">{props.empty}</p>
  const label = (i: number) => (props.stack && typeof props.head[i] === 'string' ? (props.head[i] as string) : undefined)
  return (
    <div class="table-wrap">
      <table id={props.id} class={props.stack ? 'stack' : undefined}>
        <thead>
          <tr>
            {props.head.map((h, i) => (
              <th class={num.has(i) ? 'num' : undefined}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              {r.map((cell, i) => (
                <td class={num.has(i) ? 'num' : undefined} data-label={label(i)}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function Kpi(props: { value: Child; label: string }) {
  return (
    <div class="kpi">
      <b>{props.value}</b>
      <span>{props.label}</span>
    </div>
  )
}

export function Badge(props: { kind?: 'ok' | 'bad' | 'warn' | 'idle'; children?: Child }) {
  return <span class={`badge${props.kind ? ` ${props.kind}` : ''}`}>{props.children}</span>
}

export function RunBadge(props: { status: RunStatus | null }) {
  if (props.status === null) return <Badge kind="idle">never run</Badge>
  const kind = props.status === 'succeeded' ? 'ok' : props.status === 'running' ? 'warn' : 'bad'
  return <Badge kind={kind}>{props.status}</Badge>
}

export function ClassName(props: { cls: ClassDescription | undefined; name: string }) {
  return (
    <span>
      <span class="dot" style={`background:${props.cls?.color ?? '#9ca3af'}`} />
      {props.name}
    </span>
  )
}

export function ProbabilityBars(props: { system: SystemDescription; probabilities: Readonly<Record<string, number>> }) {
  return (
    <div class="bars" aria-label="Class probabilities">
      {labelClasses(props.system).map((c) => {
        const p = props.probabilities[c.name] ?? 0
        return (
          <div class="bar" data-class={c.name}>
            <span>{c.name}</span>
            <span class="track">
              <span class="fill" style={`display:block;width:${(p * 100).toFixed(1)}%;background:${c.color}`} />
            </span>
            <span class="num">{pct(p, 1)}</span>
          </div>
        )
      })}
    </div>
  )
}

/** A picture of a class from the system description, or a coloured tile when it has none. */
export function ClassPicture(props: { system: SystemDescription; cls: ClassDescription | null; features: Readonly<Row> | null }) {
  const svg = props.system.picture
    ? props.system.picture(props.cls, props.features)
    : `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" role="img" aria-label="${props.cls?.name ?? ''}"><rect width="200" height="200" rx="16" fill="${props.cls?.color ?? '#9ca3af'}"/></svg>`
  return <div class="pic">{raw(svg)}</div>
}

export const pct = (p: number | null | undefined, digits = 0) => (p === null || p === undefined ? '–' : `${(p * 100).toFixed(digits)}%`)

/** `2026-03-01 06:15Z`: an instant in UTC to the minute, with its zone, whatever the server's zone. */
export function fmtTime(d: Date | null | undefined): string {
  if (!d) return '–'
  return `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`
}

/** "3 min ago", "in 5 h", "2 d ago". */
export function relative(d: Date | null | undefined, now = Date.now()): string {
  if (!d) return '–'
  const s = Math.round((d.getTime() - now) / 1000)
  const a = Math.abs(s)
  if (a < 5) return 'just now'
  const v = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86_400 * 2 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86_400)} d`
  return s < 0 ? `${v} ago` : `in ${v}`
}

/** A stored feature value as a person reads it: a choice's label, a number with its unit. */
export function fieldText(f: FieldDescription, v: FeatureValue | undefined): string {
  if (v === null || v === undefined) return '–'
  if (f.kind === 'choice') return f.choices.find((c) => c.code === v)?.label ?? String(v)
  return `${typeof v === 'number' ? Number(v.toFixed(2)) : String(v)}${f.unit ? ` ${f.unit}` : ''}`
}

export function classByName(system: SystemDescription, name: string | null | undefined): ClassDescription | null {
  return labelClasses(system).find((c) => c.name === name) ?? null
}
