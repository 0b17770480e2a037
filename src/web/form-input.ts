import type { FieldDescription, SystemDescription } from '../systems/index.js'

/** What a person entered, as text per field (for re-filling the form). */
export type FormValues = Readonly<Record<string, string>>

function fromText(f: FieldDescription, text: string | undefined): unknown {
  if (text === undefined) return undefined
  const t = text.trim()
  if (t === '') return undefined // "is required"
  if (f.kind === 'number') {
    const n = Number(t)
    // An unparsable number stays text, so validation says "must be a number, got "abc"".
    return Number.isFinite(n) ? n : t
  }
  const choice = f.choices.find((c) => String(c.value) === t)
  return choice ? choice.value : t
}

/**
 * Form fields arrive as strings: turns them into the JSON API's body (numbers as numbers, choices as their
 * `value`) so `parsePredictInput` validates a form exactly as it validates JSON. Other form keys are ignored.
 */
export function formToBody(system: SystemDescription, form: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of system.fields) {
    const v = fromText(f, form[f.name])
    if (v !== undefined) body[f.name] = v
  }
  return body
}

/** The form's starting values: each field's default, as text. */
export function defaultFormValues(system: SystemDescription): Record<string, string> {
  return Object.fromEntries(system.fields.map((f) => [f.name, String(f.default)]))
}

/** Whether a query string / form holds any of the system's fields (a submitted form rather than a first visit). */
export function hasFieldValues(system: SystemDescription, form: FormValues): boolean {
  return system.fields.some((f) => form[f.name] !== undefined)
}
