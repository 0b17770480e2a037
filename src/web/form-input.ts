import type { FieldDescription, SystemDescription } from '../systems/index.js'

/** What a person entered, as text per field (for re-filling the form). */
export type FormValues = Readonly<Record<string, string>>

/** Plain decimal notation, with "." or a lone "," as the decimal separator; an optional exponent. */
const DECIMAL = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$/

/**
 * A number typed by a person: "2.5" and "2,5" are both 2.5. Refused (with the reason) rather than guessed:
 * thousands separators ("1,234.5", "1.234,5"), several separators ("1,2,3"), "1,234" (thousands or decimals?),
 * hexadecimal and other notations `Number()` would read ("0x10", "Infinity").
 */
export function parseDecimalText(text: string): { ok: true; value: number } | { ok: false; reason: string } {
  const t = text.trim()
  if (!DECIMAL.test(t)) {
    const seps = t.match(/[.,]/g)?.length ?? 0
    if (seps > 1 && /^[+-]?[\d.,]+$/.test(t)) return { ok: false, reason: `must be a number with one decimal separator and no thousands separators (like 2.5 or 2,5), got ${JSON.stringify(t)}` }
    return { ok: false, reason: `must be a number, got ${JSON.stringify(t.length > 40 ? t.slice(0, 40) + '…' : t)}` }
  }
  // "1,234" reads as 1234 in English and 1.234 in German: ask rather than pick one.
  if (/^[+-]?[1-9]\d{0,2},\d{3}$/.test(t)) return { ok: false, reason: `is ambiguous: ${JSON.stringify(t)} could be a thousands separator or a decimal comma; write ${t.replace(',', '.')} or ${t.replace(',', '')}` }
  const value = Number(t.replace(',', '.'))
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: `must be a finite number, got ${JSON.stringify(t)}` }
}

function fromText(f: FieldDescription, text: string | undefined): { value: unknown } | { reason: string } | undefined {
  if (text === undefined) return undefined
  const t = text.trim()
  if (t === '') return undefined // "is required"
  if (f.kind === 'number') {
    const n = parseDecimalText(t)
    return n.ok ? { value: n.value } : { reason: n.reason }
  }
  const choice = f.choices.find((c) => String(c.value) === t)
  // An unknown choice stays text, so validation says "must be one of …, got "x"".
  return { value: choice ? choice.value : t }
}

/**
 * Form fields arrive as strings: turns them into the JSON API's body (numbers as numbers, choices as their
 * `value`) so `parsePredictInput` validates a form exactly as it validates JSON. Other form keys are ignored.
 * Text that is not a number where one is needed is left out of `body` and reported in `issues` (field → reason).
 */
export function formToBody(system: SystemDescription, form: FormValues): { body: Record<string, unknown>; issues: Record<string, string> } {
  const body: Record<string, unknown> = {}
  const issues: Record<string, string> = {}
  for (const f of system.fields) {
    const v = fromText(f, form[f.name])
    if (v === undefined) continue
    if ('reason' in v) issues[f.name] = v.reason
    else body[f.name] = v.value
  }
  return { body, issues }
}

/** The form's starting values: each field's default, as text. */
export function defaultFormValues(system: SystemDescription): Record<string, string> {
  return Object.fromEntries(system.fields.map((f) => [f.name, String(f.default)]))
}

/** Whether a query string / form holds any of the system's fields (a submitted form rather than a first visit). */
export function hasFieldValues(system: SystemDescription, form: FormValues): boolean {
  return system.fields.some((f) => form[f.name] !== undefined)
}
