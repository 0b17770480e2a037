import { z } from 'zod'
import { ValidationError } from '../errors/index.js'
import { RUN_STATUSES, RUN_TRIGGERS } from '../runtime/index.js'

/**
 * The zod schemas the JSON routes validate their query, path and body fields with; openapi.ts turns the same
 * objects into the OpenAPI document (`z.toJSONSchema(schema, { io: 'input' })`), so the two cannot drift.
 * Values arrive as text (query, path, form) or JSON; whole numbers are coerced from either.
 */

/**
 * A whole number from `min` to `max`, from a JSON number or its decimal text (query, path, form). The text is
 * converted before the check, so a refusal quotes what was sent; `.meta` states the JSON Schema of the input.
 */
export function wholeNumber(min: number, max: number): z.ZodType<number, unknown> {
  const reason = `must be a whole number from ${min} to ${max}`
  const got = (i: { input?: unknown }) => `${reason}, got ${JSON.stringify(i.input) ?? 'nothing'}`
  return z
    .preprocess((v) => (typeof v === 'string' && /^\s*\d{1,20}\s*$/.test(v) ? Number(v) : v), z.number({ error: got }).int({ error: got }).min(min, { error: got }).max(max, { error: got }))
    .meta({ type: 'integer', minimum: min, maximum: max })
}

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: (i) => `must be one of ${values.join(', ')}, got ${JSON.stringify(i.input)}` })

/** `GET /api/runs` and the runs page: filters and a page, newest first. An empty value means the parameter is absent. */
export const runsQuerySchema = z.object({
  pipeline: z.string().max(200, { error: 'must be at most 200 characters' }).optional().describe('only runs of this pipeline'),
  status: oneOf(RUN_STATUSES).optional().describe('only runs in this state'),
  trigger: oneOf(RUN_TRIGGERS).optional().describe('only runs started this way'),
  page: wholeNumber(1, 1_000_000).default(1).describe('1-based page of `limit` runs'),
  limit: wholeNumber(1, 1000).default(50).describe('runs per page'),
})

/** A run's id in `/api/runs/{id}`. */
export const runIdSchema = wholeNumber(1, Number.MAX_SAFE_INTEGER).describe('the run id')
/** A model version number in a path or the promote body. */
export const versionSchema = wholeNumber(1, Number.MAX_SAFE_INTEGER).describe('the model version, from 1')

/** The fields a page's action form adds to a body (see ActionForm): the path to return to and the CSRF token. */
const formFields = {
  next: z.string().optional().describe('forms only: the same-site path to return to'),
  _csrf: z.string().optional().describe('forms only: the CSRF token (scripts send the x-csrf-token header)'),
}

/** Body of `POST /api/models/{name}/promote`: the version to give the `production` alias, and why. Unknown fields are refused. */
export const promoteBodySchema = z.strictObject({
  version: versionSchema,
  reason: z
    .string({ error: 'must be text' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(500, { error: 'must be at most 500 characters' })
    .optional()
    .describe('why, recorded with the promotion decision (as `sml models promote --reason`)'),
  ...formFields,
})

/** Body of `POST /api/admin/session`. */
export const sessionBodySchema = z.object({
  token: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be text') }).min(1, { error: 'is required' }).describe('the admin token'),
  next: z.string().optional().describe('forms only: the same-site path to return to'),
})

/** Body of `POST /api/pipelines/{name}/runs`: nothing is needed. */
export const runNowBodySchema = z.strictObject({ ...formFields })

/** Every refusal: a message naming the field and the reason, and each problem as `{ field, reason }`. */
export const errorBodySchema = z.object({
  error: z.string().describe('what was wrong, naming the field and the reason'),
  issues: z
    .array(z.object({ field: z.string().describe('e.g. "sepal_length", "[3].age", "limit", "(body)"'), reason: z.string() }))
    .optional()
    .describe('every problem found, for input the server refused'),
})

/**
 * Validates `value` with `schema`; a refusal throws ValidationError (the app answers 400 with `{ error, issues }`)
 * whose message and issues name each field, e.g. `limit must be a whole number from 1 to 1000, got "abc"`.
 */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, where = ''): T {
  // Text inputs (query, form) send '' for a field left empty: that is absence.
  const input = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '')) : value
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const at = (path: readonly PropertyKey[]) => (path.length > 0 ? path.map(String).join('.') : where || '(body)')
  // A strict object's unknown keys are one issue each, named by the key (zod reports them together on the object).
  const issues = r.error.issues
    .flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: at([...i.path, k]), reason: 'is not a known field' })) : [{ path: at(i.path), reason: i.message }]))
    // One check failing several ways (an unsafe integer that is also above the maximum) reads the same: say it once.
    .filter((i, k, all) => all.findIndex((j) => j.path === i.path && j.reason === i.reason) === k)
    .slice(0, 20)
  throw new ValidationError(`${issues[0].path} ${issues[0].reason}`, issues)
}
