import { InvalidArgumentError } from 'commander'
// errors.js alone, not db/index.js: every command loads this file, and the index would load the SQLite driver.
import { ValidationError } from '../db/errors.js'
import { parseTimestamp, TIMESTAMP_FORMAT } from '../featurestore/timestamp.js'

/**
 * Commander argument parsers shared by the commands: each names the option and the reason on bad input, as an
 * InvalidArgumentError so commander reports it as a usage mistake (one line, exit code 2), never a stack trace.
 */
export const positiveInt = (what: string) => (v: string) => {
  const n = Number(v)
  // Safe integers only: 99999999999999999999 would read as 1e+20 ("no run 1e+20"), and no id or count is that large.
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer, got ${JSON.stringify(v)}`)
  return n
}

/** A number (`--test-size 0.2`); its range is the command's to check, naming the option. */
export const finiteNumber = (what: string) => (v: string) => {
  const n = v.trim() === '' ? NaN : Number(v)
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${what} must be a number, got ${JSON.stringify(v)}`)
  return n
}

/** A whole number of any sign (`--seed 0`), within ±(2^53 − 1). */
export const safeInteger = (what: string) => (v: string) => {
  const n = v.trim() === '' ? NaN : Number(v)
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be an integer, got ${JSON.stringify(v)}`)
  return n
}

/** An ISO 8601 instant, UTC when it has no offset (as the store reads timestamps). */
export function instant(what: string) {
  return (v: string): Date => {
    const ms = parseTimestamp(v)
    if (ms === null) throw new InvalidArgumentError(`${what} must be an ISO 8601 date or time (${TIMESTAMP_FORMAT}), got ${JSON.stringify(v)}`)
    return new Date(ms)
  }
}

/** Comma-separated values of an option, trimmed, empty ones dropped. */
export function list(v: string): string[] {
  return v.split(',').map((x) => x.trim()).filter(Boolean)
}

/** One of a fixed set of words (`--format csv|json`, `--status succeeded|…`). */
export const oneOf = (what: string, values: readonly string[]) => (v: string) => {
  if (!values.includes(v)) throw new InvalidArgumentError(`${what} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`)
  return v
}

/** A UTC calendar day, `YYYY-MM-DD`, as the Date at its noon (safely inside the day whatever is added to it). */
export const utcDay = (what: string) => (v: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v)
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12)) : null
  if (!d || d.toISOString().slice(0, 10) !== v) throw new InvalidArgumentError(`${what} must be a day as YYYY-MM-DD, got ${JSON.stringify(v)}`)
  return d
}

/** A TCP port, 0 (any free one) to 65535, from the text of `what` (`--port`, `PORT`). */
function parsePort(what: string, v: string): number {
  const n = v.trim() === '' ? NaN : Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`${what} must be an integer from 0 to 65535, got ${JSON.stringify(v)}`)
  return n
}

/** The `--port <n>` parser. */
export const port = (v: string) => parsePort('--port', v)

/** The web app's port when neither --port nor PORT is given. */
export const DEFAULT_PORT = 3000

/**
 * The port to serve on: `--port` when given (already parsed), else the environment's `PORT` (as platforms such as
 * Heroku or Cloud Run set it), else 3000. Read in the action, not as the option's default: commander does not parse
 * defaults, and a bad PORT must not break commands that serve nothing.
 * @throws InvalidArgumentError naming PORT and the value when it is not an integer from 0 to 65535.
 */
export function portSetting(flag: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (flag !== undefined) return flag
  const v = env.PORT
  return v === undefined || v === '' ? DEFAULT_PORT : parsePort('PORT', v)
}

/**
 * Request-log settings from the environment, read once at the edge: `SML_REQUEST_LOG_DAYS` (retention window,
 * default 30), `SML_REQUEST_LOG_MAX_ROWS` (per system, default 1,000,000), `SML_REQUEST_LOG_SAMPLE` (fraction
 * logged, 0–1, default 1). A bad value throws a ValidationError naming the variable and the reason.
 */
export function requestLogSettings(env: NodeJS.ProcessEnv = process.env): { maxAgeDays?: number; maxRows?: number; sampleRate?: number } {
  const read = (name: string, ok: (n: number) => boolean, rule: string) => {
    const v = env[name]
    if (v === undefined || v === '') return undefined
    const n = Number(v)
    if (!ok(n)) throw new ValidationError(`${name} must be ${rule}, got ${JSON.stringify(v)}`, [{ column: name, reason: `must be ${rule}` }])
    return n
  }
  return {
    maxAgeDays: read('SML_REQUEST_LOG_DAYS', (n) => Number.isFinite(n) && n > 0, 'a positive number of days'),
    maxRows: read('SML_REQUEST_LOG_MAX_ROWS', (n) => Number.isInteger(n) && n > 0, 'a positive integer'),
    sampleRate: read('SML_REQUEST_LOG_SAMPLE', (n) => Number.isFinite(n) && n >= 0 && n <= 1, 'a number from 0 to 1'),
  }
}

/**
 * The predict API's per-client limit from `SML_PREDICT_RATE_LIMIT` (requests per minute; 0 = no limit).
 * Unset: the web app's default (60 a minute beyond loopback, none on loopback).
 */
export function predictRateLimitSetting(env: NodeJS.ProcessEnv = process.env): { limit: number; windowMs: number } | null | undefined {
  const v = env.SML_PREDICT_RATE_LIMIT
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`SML_PREDICT_RATE_LIMIT must be a whole number of requests per minute (0 = no limit), got ${JSON.stringify(v)}`, [{ column: 'SML_PREDICT_RATE_LIMIT', reason: 'must be a whole number ≥ 0' }])
  return n === 0 ? null : { limit: n, windowMs: 60_000 }
}

/**
 * Origins whose pages may call the predict API from a browser (CORS), from `SML_CORS_ORIGINS`: a comma-separated
 * list of origins (`https://app.example.org`), or `*` for any. Unset: none (same-origin pages only).
 * @throws ValidationError naming the variable and the entry that is not an origin.
 */
export function corsOriginsSetting(env: NodeJS.ProcessEnv = process.env): readonly string[] | undefined {
  const v = env.SML_CORS_ORIGINS
  if (v === undefined || v.trim() === '') return undefined
  const origins = list(v)
  for (const o of origins) {
    if (o === '*') continue
    let u: URL | null = null
    try {
      u = new URL(o)
    } catch {
      // reported below
    }
    if (!u || !/^https?:$/.test(u.protocol) || u.origin !== o.replace(/\/$/, ''))
      throw new ValidationError(`SML_CORS_ORIGINS must list origins like https://app.example.org (scheme, host and port only) or *, got ${JSON.stringify(o)}`, [{ column: 'SML_CORS_ORIGINS', reason: 'not an origin' }])
  }
  return origins.map((o) => o.replace(/\/$/, ''))
}
