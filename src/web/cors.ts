import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

/**
 * hono's CORS middleware for the predict API: pages of the listed origins (or any, with `*`) may POST JSON to it
 * from a browser; the preflight answers 204 with the allowed method and header. No credentials: the predict
 * API needs none, and actions stay same-origin (their CSRF token and SameSite cookie).
 */
export function predictCors(origins: readonly string[]): MiddlewareHandler {
  return cors({
    origin: origins.includes('*') ? '*' : [...origins],
    allowMethods: ['POST'],
    allowHeaders: ['content-type'],
    maxAge: 600,
  })
}
