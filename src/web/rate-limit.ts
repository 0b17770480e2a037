import type { Context, MiddlewareHandler } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'

/** How many requests one client may make per window (fixed window, in memory, per process). */
export interface RateLimitOptions {
  readonly limit: number
  readonly windowMs: number
  /** The client a request counts against; default: the TCP peer address. */
  readonly key?: (c: Context) => string
  readonly clock?: () => number
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
 * A fixed-window limiter: 429 with Retry-After (seconds to the window's end) past `limit` requests, and the
 * RateLimit-Limit / RateLimit-Remaining headers on every answer. A small stand-in for `hono-rate-limiter`
 * (same shape: windowMs, limit, keyGenerator), which can replace it behind this factory.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { limit, windowMs } = options
  const key = options.key ?? peerAddress
  const clock = options.clock ?? Date.now
  let windowStart = Math.floor(clock() / windowMs) * windowMs
  let counts = new Map<string, number>()
  return async (c, next) => {
    const now = clock()
    if (now >= windowStart + windowMs) {
      windowStart = Math.floor(now / windowMs) * windowMs
      counts = new Map() // a new window forgets every client: memory is bounded by one window's clients
    }
    const k = key(c)
    const n = (counts.get(k) ?? 0) + 1
    counts.set(k, n)
    c.header('RateLimit-Limit', String(limit))
    c.header('RateLimit-Remaining', String(Math.max(0, limit - n)))
    if (n > limit) {
      c.header('Retry-After', String(Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000))))
      return c.json({ error: `too many requests: at most ${limit} per ${windowMs / 1000} s from one client`, issues: [{ field: '(client)', reason: 'rate limited' }] }, 429)
    }
    return next()
  }
}
