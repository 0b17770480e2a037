import { z } from 'zod'
import type { Row } from '../featurestore/index.js'
import type { FieldDescription, SystemDescription } from '../systems/index.js'

/** At most this many rows in one predict request. */
export const MAX_BATCH = 10_000

/** The smallest body limit of the predict API (bytes), whatever the system. */
export const MIN_BODY_BYTES = 1024 * 1024
/** Characters of the longest JSON number a field can be sent as (-1.2345678901234567e-308). */
const NUMBER_CHARS = 24
const bodyLimits = new WeakMap<SystemDescription, number>()

/**
 * The largest predict body (bytes) a system's API reads before answering 413: a full batch of MAX_BATCH rows of
 * its fields as compact JSON with the longest values they take (a number of 24 characters, the longest choice),
 * a space after each comma, and at least MIN_BODY_BYTES. A fixed 1 MiB refused batches of ~4,000 rows of a
 * 13-field system the API promised 10,000 of; a limit there must be, or one body could hold the server's memory.
 */
export function maxBodyBytes(system: SystemDescription): number {
  let limit = bodyLimits.get(system)
  if (limit === undefined) {
    let row = 2 + 2 // braces, and the comma and space before the next row
    for (const f of system.fields) {
      const value = f.kind === 'choice' ? Math.max(4, ...f.choices.map((c) => JSON.stringify(c.value).length)) : NUMBER_CHARS
      row += JSON.stringify(f.name).length + 2 + value + 2 // "name": value, 
    }
    limit = Math.max(MIN_BODY_BYTES, MAX_BATCH * row)
    bodyLimits.set(system, limit)
  }
  return limit
}

export interface InputIssue {
  /** e.g. "sepal_length" or "[3].age". */
  readonly field: string
  readonly reason: string
}

function fieldSchema(f: FieldDescription): z.ZodType {
  if (f.kind === 'number') {
    let n = z.number({ error: (i) => (i.input === undefined ? 'is required' : `must be a number, got ${describeInput(i.input)}`) })
    if (f.integer) n = n.int({ error: 'must be a whole number' })
    const ranged = n.min(f.min, { error: `must be at least ${f.min}${f.unit ? ` ${f.unit}` : ''}` }).max(f.max, { error: `must be at most ${f.max}${f.unit ? ` ${f.unit}` : ''}` })
    // An optional field (see FieldDescription) may be null or absent: the model is given it as missing.
    return f.optional
      ? ranged
          .nullable()
          .optional()
          .describe(`${f.label}${f.unit ? ` (${f.unit})` : ''}, ${f.min}–${f.max}; null or left out when not known (e.g. a day not measured): the model takes it as a missing value`)
      : ranged.describe(`${f.label}${f.unit ? ` (${f.unit})` : ''}, ${f.min}–${f.max}`)
  }
  const values = f.choices.map((c) => c.value)
  return z
    .union(
      values.map((v) => z.literal(v)),
      { error: (i) => (i.input === undefined ? 'is required' : `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeInput(i.input)}`) },
    )
    .describe(`${f.label}: one of ${values.map((v) => JSON.stringify(v)).join(', ')}`)
}

function describeInput(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  // JSON.parse reads 1e400 as Infinity, which JSON.stringify would print as "null".
  if (typeof v === 'number' && !Number.isFinite(v)) return `${v} (a number too large to represent)`
  if (typeof v === 'object') return 'an object'
  const s = JSON.stringify(v)
  return s.length > 40 ? s.slice(0, 40) + '…' : s
}

const cache = new WeakMap<SystemDescription, z.ZodType>()

/** The request schema of a system, built from its field descriptions: strict, so unknown fields are refused. */
export function predictSchema(system: SystemDescription): z.ZodType {
  let s = cache.get(system)
  if (!s) {
    const shape = Object.fromEntries(system.fields.map((f) => [f.name, fieldSchema(f)]))
    const one = z.strictObject(shape, { error: (i) => (i.code === 'unrecognized_keys' ? undefined : `must be an object of ${system.fields.map((f) => f.name).join(', ')}`) })
    s = z.union([one, z.array(one).min(1, { error: 'must hold at least one row' }).max(MAX_BATCH, { error: `must hold at most ${MAX_BATCH} rows` })], {
      error: () => `must be an object with ${system.fields.map((f) => f.name).join(', ')}, or an array of up to ${MAX_BATCH} of them`,
    })
    cache.set(system, s)
  }
  return s
}

/** Validates a request body; returns the feature rows (stored codes) or every issue with its field. */
export function parsePredictInput(system: SystemDescription, body: unknown): { ok: true; rows: Row[]; batch: boolean } | { ok: false; issues: InputIssue[] } {
  const single = body !== null && typeof body === 'object' && !Array.isArray(body)
  // Validate an object alone so its issues name its own fields, not the union's alternatives.
  const schema = predictSchema(system)
  const r = single ? (schema as z.ZodUnion<[z.ZodType, z.ZodType]>).def.options[0].safeParse(body) : schema.safeParse(body)
  if (!r.success) return { ok: false, issues: toIssues(system, r.error, single ? '' : body) }
  const items = (Array.isArray(r.data) ? r.data : [r.data]) as Record<string, string | number | null | undefined>[]
  const rows = items.map((item) => {
    const row: Row = {}
    for (const f of system.fields) {
      const v = item[f.name]
      row[f.name] = f.kind === 'choice' ? f.choices.find((c) => c.value === v)!.code : (v ?? null)
    }
    return row
  })
  return { ok: true, rows, batch: Array.isArray(r.data) }
}

/** Zod's issues as `{ field, reason }`, each reason a predicate of its field ("must be …", "is required", "is not a field of …"). */
function toIssues(system: SystemDescription, error: z.ZodError, body: unknown): InputIssue[] {
  const flat = error.issues.flatMap((i): z.core.$ZodIssue[] =>
    // For arrays, the union's per-row errors are the useful ones.
    i.code === 'invalid_union' && Array.isArray(body) ? (i.errors.at(-1) ?? []).map((e) => ({ ...e, path: [...i.path, ...e.path] })) : [i],
  )
  const notAField = `is not a field of ${system.name} (fields: ${system.fields.map((f) => f.name).join(', ')})`
  return flat
    .flatMap((i): InputIssue[] =>
      // One issue per unknown key, so each names its own field.
      i.code === 'unrecognized_keys' ? (i as { keys: string[] }).keys.map((k) => ({ field: formatPath([...i.path, k]), reason: notAField })) : [{ field: formatPath(i.path) || '(body)', reason: i.message }],
    )
    .slice(0, 20)
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('')
}
