import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { rateLimit } from './rate-limit.js'

describe('rateLimit', () => {
  it('allows `limit` requests per client per window, then 429 with Retry-After to the window end; a new window starts afresh', async () => {
    let now = 60_000 * 10 + 15_000 // 15 s into a window
    const app = new Hono()
    app.use(rateLimit({ limit: 2, windowMs: 60_000, clock: () => now, key: (c) => c.req.header('x-client') ?? '?' }))
    app.get('/', (c) => c.text('ok'))
    const hit = (client: string) => app.request('/', { headers: { 'x-client': client } })
    expect((await hit('a')).headers.get('ratelimit-remaining')).toBe('1')
    expect((await hit('a')).status).toBe(200)
    const third = await hit('a')
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('45')
    expect((await hit('b')).status).toBe(200) // per client
    now += 45_000
    expect((await hit('a')).status).toBe(200)
  })
})
