import { Hono, type MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'

/** The security headers of every answer, and a cheaper way for a hot JSON route to carry them. */
export interface SecurityHeaders {
  /** hono's secureHeaders with the site's policy, applied after the route, to answers that lack them. */
  readonly middleware: MiddlewareHandler
  /**
   * A 200 JSON answer that already carries the security headers, in a plain header object. The middleware
   * leaves it alone, so no web `Headers` object is built for it: adding a dozen headers to a finished
   * answer makes one (and @hono/node-server then converts it back), ~20 µs of a single-row predict's
   * ~120 µs of server CPU (`bench/api`). Only for routes where no middleware adds per-request headers
   * through the context (the rate limiter does): those would be lost.
   */
  json(value: unknown): Promise<Response>
  /** The headers of those answers (content type and security headers), for answering outside the app (fast-predict.ts). */
  readonly jsonHeaders: Promise<Readonly<Record<string, string>>>
}

/** `next` for running the middleware on an answer that is already made. */
const noop = async () => {}

/**
 * The site's security headers (hono's secureHeaders: HSTS, nosniff, frame and referrer policies, CORP/COOP, a
 * Content-Security-Policy). Pages carry inline styles and scripts of our own and data: images (charts,
 * artifacts); nothing is loaded from elsewhere.
 */
export function securityHeaders(): SecurityHeaders {
  const secure = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      styleSrc: ["'self'", "'unsafe-inline'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      formAction: ["'self'"],
      frameAncestors: ["'self'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
  })
  // The exact headers the middleware sets, read once from the middleware itself, so the preset answers
  // and every other answer carry the same set whatever hono's defaults are.
  const probe = new Hono()
  probe.use(secure)
  probe.get('/', (c) => c.body(null))
  const jsonHeaders = Promise.resolve(probe.request('/')).then((res) => Object.freeze({ ...Object.fromEntries(res.headers), 'content-type': 'application/json' }))
  const preset = new WeakSet<Response>()
  return {
    jsonHeaders,
    middleware: async (c, next) => {
      await next()
      if (!preset.has(c.res)) await secure(c, noop)
    },
    async json(value) {
      const res = new Response(JSON.stringify(value), { headers: await jsonHeaders })
      preset.add(res)
      return res
    },
  }
}
