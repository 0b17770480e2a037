import type { Row } from '../featurestore/index.js'
import type { SystemDescription } from '../systems/index.js'
import { MAX_BATCH } from './predict-input.js'

type RowCheck = (item: unknown) => Row | null

const cache = new WeakMap<SystemDescription, RowCheck>()

/** One row checker per system, from its field descriptions: exact keys, numbers in range, known choices. */
function rowCheck(system: SystemDescription): RowCheck {
  let check = cache.get(system)
  if (check) return check
  const fields = system.fields.map((f) =>
    f.kind === 'number'
      ? { name: f.name, number: true as const, min: f.min, max: f.max, integer: f.integer === true, optional: f.optional === true }
      : { name: f.name, number: false as const, codes: new Map<unknown, number>(f.choices.map((c) => [c.value, c.code])) },
  )
  const n = fields.length
  check = (item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return null
    const o = item as Record<string, unknown>
    let keys = 0
    for (const k in o) if (Object.hasOwn(o, k)) keys++
    // Every key must be a field (an optional field may be absent, so count the fields present).
    let present = 0
    const row: Row = {}
    for (let i = 0; i < n; i++) {
      const f = fields[i]
      const has = Object.hasOwn(o, f.name)
      if (has) present++
      const v = has ? o[f.name] : undefined
      if (f.number) {
        if (f.optional && (v === null || v === undefined)) row[f.name] = null
        else if (typeof v !== 'number' || !(v >= f.min && v <= f.max) || (f.integer && !Number.isInteger(v))) return null
        else row[f.name] = v
      } else {
        const code = f.codes.get(v)
        if (code === undefined) return null
        row[f.name] = code
      }
    }
    return present === keys ? row : null
  }
  cache.set(system, check)
  return check
}

/**
 * The common case of a predict body — one row or a batch of well-formed rows — checked without zod.
 * Null means "not certainly valid": the caller falls back to `parsePredictInput` for the exact issues.
 * Accepts exactly what `parsePredictInput` accepts and gives the same rows.
 */
export function fastPredictInput(system: SystemDescription, body: unknown): { ok: true; rows: Row[]; batch: boolean } | null {
  const check = rowCheck(system)
  if (!Array.isArray(body)) {
    const row = check(body)
    return row ? { ok: true, rows: [row], batch: false } : null
  }
  if (body.length === 0 || body.length > MAX_BATCH) return null
  const rows: Row[] = new Array(body.length)
  for (let i = 0; i < body.length; i++) {
    const row = check(body[i])
    if (!row) return null
    rows[i] = row
  }
  return { ok: true, rows, batch: true }
}
