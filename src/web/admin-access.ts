import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { HTTPException } from 'hono/http-exception'
import type { SqlDialect } from '../db/index.js'
import { plural } from '../support/plural.js'

/**
 * Who may change state through the web app. Reading is public; every action (Run now, Promote, …) needs the
 * admin token, sent as `Authorization: Bearer <token>` by API clients, or entered once in the UI and then
 * carried by an HttpOnly, SameSite=Strict session cookie plus a CSRF token on each form (double submit).
 */
export interface AccessConfig {
  /** sha256 (hex) of the admin token; null = none configured, so actions work only on a loopback-bound server. */
  readonly adminTokenSha256: string | null
  /** True when the server listens on a loopback address only (127.0.0.0/8, ::1, localhost). */
  readonly loopback: boolean
}

export const SESSION_COOKIE = 'sml_admin'
export const CSRF_COOKIE = 'sml_csrf'
export const CSRF_HEADER = 'x-csrf-token'
export const CSRF_FIELD = '_csrf'
const SETTING_KEY = 'admin_token_sha256'

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The session cookie's value: an HMAC keyed by the token's hash, so it proves the token without being it. */
function sessionValue(config: AccessConfig): string | null {
  return config.adminTokenSha256 === null ? null : createHmac('sha256', config.adminTokenSha256).update('sml admin session v1').digest('base64url')
}

/** Whether the given text is the admin token. */
export function tokenMatches(config: AccessConfig, token: string): boolean {
  return config.adminTokenSha256 !== null && sameText(sha256Hex(token), config.adminTokenSha256)
}

/** Whether this request carries the admin session cookie. */
export function hasAdminSession(c: Context, config: AccessConfig): boolean {
  const want = sessionValue(config)
  const got = getCookie(c, SESSION_COOKIE)
  return want !== null && got !== undefined && sameText(got, want)
}

/** What the UI shows: may this visitor run actions, and must they enter the token first? */
export function accessState(c: Context, config: AccessConfig): 'admin' | 'open' | 'locked' | 'disabled' {
  if (config.adminTokenSha256 === null) return config.loopback ? 'open' : 'disabled'
  return hasAdminSession(c, config) ? 'admin' : 'locked'
}

const secure = (c: Context) => new URL(c.req.url).protocol === 'https:'

/** This visitor's CSRF token (double submit): set as an HttpOnly SameSite=Strict cookie on first use, echoed by forms. */
export function csrfToken(c: Context): string {
  const have = getCookie(c, CSRF_COOKIE)
  if (have && /^[A-Za-z0-9_-]{32,64}$/.test(have)) return have
  const token = randomBytes(24).toString('base64url')
  setCookie(c, CSRF_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: secure(c) })
  return token
}

/** A form body's fields; a malformed one (e.g. multipart without its parts) is the client's mistake: 400. */
export async function parseForm(c: Context): Promise<Record<string, unknown>> {
  try {
    return (await c.req.parseBody()) as Record<string, unknown>
  } catch (e) {
    const message = `(body) is not a valid form: ${(e as Error).message}`
    throw new HTTPException(400, { message, res: Response.json({ error: message, issues: [{ field: '(body)', reason: 'not a valid form' }] }, { status: 400 }) })
  }
}

async function sentCsrf(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER)
  if (header) return header
  const type = c.req.header('content-type') ?? ''
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    const v = (await parseForm(c))[CSRF_FIELD]
    return typeof v === 'string' ? v : undefined
  }
  return undefined
}

/** A refusal as JSON naming the reason; 401s name the scheme (RFC 6750). */
export function refusal(c: Context, status: 401 | 403, message: string): Response {
  if (status === 401) c.header('www-authenticate', 'Bearer realm="sml admin"')
  return c.json({ error: message }, status)
}

/**
 * Middleware for every state-changing route. A bearer token is checked alone (a browser never adds one by
 * itself); a cookie session, or the open loopback mode, also needs the CSRF token. Refusals: 401 without or
 * with a wrong token, or with any bearer token when none is configured; 403 for a missing CSRF token or when no
 * token is configured on an exposed server.
 */
export function requireAdmin(config: AccessConfig): MiddlewareHandler {
  return async (c, next) => {
    const auth = c.req.header('authorization')
    if (config.adminTokenSha256 === null && !config.loopback) {
      return refusal(c, 403, 'actions are disabled: this server is reachable beyond loopback and no admin token is configured (set SML_ADMIN_TOKEN, or restart `sml start`/`sml serve` to generate one)')
    }
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth)
      if (!m) return refusal(c, 401, 'the Authorization header must be "Bearer <admin token>"')
      // With no token configured there is nothing to check a bearer token against: accepting any would let a
      // script believe it authenticated (and pass whatever it sent). Scripts need a server with a token.
      if (config.adminTokenSha256 === null) {
        return refusal(c, 401, 'this server has no admin token to check a bearer token against: start it with SML_ADMIN_TOKEN set to call actions from a script (its own pages need none on loopback)')
      }
      if (tokenMatches(config, m[1])) return next()
      return refusal(c, 401, 'the admin token is wrong')
    }
    if (config.adminTokenSha256 !== null && !hasAdminSession(c, config)) {
      return refusal(c, 401, 'this action needs the admin token: send "Authorization: Bearer <token>", or enter it on the /admin page')
    }
    const cookie = getCookie(c, CSRF_COOKIE)
    const sent = await sentCsrf(c)
    if (!cookie || !sent || !sameText(cookie, sent)) return refusal(c, 403, `the CSRF token is missing or does not match: reload the page and try again (API clients: use a bearer token)`)
    return next()
  }
}

/** Starts an admin session when the token is right (sets the HttpOnly SameSite=Strict cookie); else the refusal. */
export function startSession(c: Context, config: AccessConfig, token: string): Response | null {
  if (config.adminTokenSha256 === null) return refusal(c, 403, config.loopback ? 'no admin token is configured: on this loopback server actions need none' : 'no admin token is configured on this server')
  if (!tokenMatches(config, token)) return refusal(c, 401, 'the admin token is wrong')
  setCookie(c, SESSION_COOKIE, sessionValue(config)!, { httpOnly: true, sameSite: 'Strict', path: '/', secure: secure(c) })
  return null
}

export function endSession(c: Context): void {
  setCookie(c, SESSION_COOKIE, '', { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 0 })
}

/** Fewest characters of an SML_ADMIN_TOKEN taken without a warning: 16 random base64 characters are 96 bits. */
export const ADMIN_TOKEN_MIN_LENGTH = 16

/**
 * A warning for an SML_ADMIN_TOKEN short enough to guess (under `ADMIN_TOKEN_MIN_LENGTH` characters), else null.
 * Guesses are rate-limited per client address, but not across addresses; a generated token is 32 characters.
 */
export function weakAdminTokenWarning(token: string): string | null {
  if (token.length >= ADMIN_TOKEN_MIN_LENGTH) return null
  return `warning: SML_ADMIN_TOKEN is ${plural(token.length, 'character')}, short enough to guess; use at least ${ADMIN_TOKEN_MIN_LENGTH} random ones (e.g. \`openssl rand -base64 24\`)`
}

/**
 * The admin token's hash at the CLI edge: SML_ADMIN_TOKEN when set; else the one stored by an earlier start;
 * else, on a server bound beyond loopback, a new random token whose hash is stored and whose text is returned
 * once (`generated`) for the CLI to print. A loopback server without one stays open to local actions.
 */
export async function resolveAdminToken(db: SqlDialect, options: { envToken?: string; loopback: boolean; clock?: () => number }): Promise<{ config: AccessConfig; generated: string | null }> {
  const { loopback } = options
  if (options.envToken) return { config: { adminTokenSha256: sha256Hex(options.envToken), loopback }, generated: null }
  const row = await db.kysely.selectFrom('sml_settings').select('value').where('key', '=', SETTING_KEY).executeTakeFirst()
  if (row) return { config: { adminTokenSha256: String(row.value), loopback }, generated: null }
  if (loopback) return { config: { adminTokenSha256: null, loopback }, generated: null }
  const token = randomBytes(24).toString('base64url')
  const hash = sha256Hex(token)
  // Two servers starting at once: the first insert wins and the other adopts its hash (its token is not printed twice).
  await db.kysely
    .insertInto('sml_settings')
    .values({ key: SETTING_KEY, value: hash, updated_at: (options.clock ?? Date.now)() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
  const stored = await db.kysely.selectFrom('sml_settings').select('value').where('key', '=', SETTING_KEY).executeTakeFirstOrThrow()
  return { config: { adminTokenSha256: String(stored.value), loopback }, generated: String(stored.value) === hash ? token : null }
}
