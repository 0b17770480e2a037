import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { rateLimit } from './rate-limit.js'

describe('rateLimit', () => {
  afterEach(() => vi.useRealTimers())

  it('allows `limit` requests per client per window, then 429 with Retry-After and a JSON reason; a new window starts afresh', async () => {
    vi.useFakeTimers({ now: 60_000 * 10 })
    const app = new Hono()
    app.use(rateLimit({ limit: 2, windowMs: 60_000, key: (c) => c.req.header('x-client') ?? '?' }))
    app.get('/', (c) => c.text('ok'))
    const hit = (client: string) => app.request('/', { headers: { 'x-client': client } })
    expect((await hit('a')).headers.get('ratelimit-remaining')).toBe('1')
    expect((await hit('a')).status).toBe(200)
    vi.advanceTimersByTime(15_000)
    const third = await hit('a')
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(Number(third.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect(await third.json()).toEqual({ error: 'too many requests: at most 2 per 60 s from one client', issues: [{ field: '(client)', reason: 'rate limited' }] })
    expect((await hit('b')).status).toBe(200) // per client
    vi.advanceTimersByTime(60_000)
    expect((await hit('a')).status).toBe(200)
  })
})
