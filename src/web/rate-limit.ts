import type { Context, MiddlewareHandler } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { rateLimiter } from 'hono-rate-limiter'

/** How many requests one client may make per window (in memory, per process). */
export interface RateLimitOptions {
  readonly limit: number
  readonly windowMs: number
  /** The client a request counts against; default: the TCP peer address. */
  readonly key?: (c: Context) => string
}

/** The peer address of the connection (not X-Forwarded-For, which any client can write). */
export function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown' // app.request() in tests has no socket
  }
}

/**
 * `hono-rate-limiter` (memory store): past `limit` requests per window a client gets 429 with Retry-After
 * and our JSON error body; every answer carries the RateLimit-Limit / -Remaining / -Reset headers.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { limit, windowMs } = options
  return rateLimiter({
    windowMs,
    limit,
    standardHeaders: 'draft-6',
    keyGenerator: options.key ?? peerAddress,
    handler: (c) =>
      c.json({ error: `too many requests: at most ${limit} per ${windowMs / 1000} s from one client`, issues: [{ field: '(client)', reason: 'rate limited' }] }, 429),
  })
}
