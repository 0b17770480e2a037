import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ValidationError } from '../../errors/index.js'
import { SourceFetchError } from '../source.js'
import { fetchDailyReading, holdBack, positionOf, REPLAY_DAYS } from './daily.js'
import { parseAqicnFeed } from './feed.js'
import type { DailyReading } from './windows.js'

const day = (iso: string) => new Date(`${iso}T00:00:00Z`)
const feedBody = (s: string, pm25: unknown = 29, extra: Record<string, unknown> = {}) => ({
  status: 'ok',
  data: { aqi: 29, idx: 10009, city: { name: 'Stockholm Hornsgatan 108' }, time: { s, tz: '+02:00' }, iaqi: { pm25: { v: pm25 }, pm10: { v: 12 }, no2: { v: 2 }, t: { v: 21 } }, ...extra },
})

describe('the aqicn feed', () => {
  it('reads the day and the three pollutants; one the feed lacks is null', () => {
    expect(parseAqicnFeed(feedBody('2025-07-30 14:00:00'))).toEqual({ date: day('2025-07-30'), pm25: 29, pm10: 12, no2: 2 })
    expect(parseAqicnFeed({ status: 'ok', data: { time: { s: '2025-07-31 01:00:00' }, iaqi: { pm25: { v: 7 } } } })).toEqual({ date: day('2025-07-31'), pm25: 7, pm10: null, no2: null })
  })

  it.each([
    ['a refused token', { status: 'error', data: 'Invalid key' }, /status is "error", not "ok": Invalid key \(the token was refused: check SML_AQ_TOKEN\)/],
    ['another status', { status: 'nope' }, /status is "nope", not "ok"/],
    ['no body object', [1, 2], /body is not a JSON object/],
    ['no time', { status: 'ok', data: { iaqi: { pm25: { v: 3 } } } }, /data\.time\.s null is not a date-time/],
    ['a bad time', feedBody('yesterday'), /data\.time\.s "yesterday" is not a date-time/],
    ['a value that is no number', feedBody('2025-07-30 14:00:00', '-'), /data\.iaqi\.pm25\.v "-" is not a number/],
    ['no pollutant', { status: 'ok', data: { time: { s: '2025-07-30 14:00:00' }, iaqi: { t: { v: 3 } } } }, /data\.iaqi has none of pm25, pm10, no2/],
  ])('refuses %s with a ValidationError saying why', (_what, body, message) => {
    expect(() => parseAqicnFeed(body)).toThrow(ValidationError)
    expect(() => parseAqicnFeed(body)).toThrow(message)
  })
})

describe('the daily air-quality source against a local HTTP feed', () => {
  let server: Server
  let url: string
  const requests: URL[] = []
  let respond: (u: URL) => { status: number; body: string } = () => ({ status: 200, body: JSON.stringify(feedBody('2025-07-30 14:00:00')) })
  const logs: string[] = []
  const ctx = (position: string | null) => ({ position, log: { info: (m: string) => logs.push(m) } })
  const never = async (): Promise<DailyReading[]> => {
    throw new Error('replay read with a feed URL')
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      const u = new URL(req.url!, 'http://localhost')
      requests.push(u)
      const r = respond(u)
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed/@10009/`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('fetches the newest reading with the token as a query parameter, and moves the position to its day', async () => {
    respond = () => ({ status: 200, body: JSON.stringify(feedBody('2025-07-30 14:00:00')) })
    const r = await fetchDailyReading(ctx('2025-07-29'), { url, token: 's3cret' }, never)
    expect(r).toEqual({ rows: [{ date: day('2025-07-30'), pm25: 29, pm10: 12, no2: 2 }], position: '2025-07-30' })
    expect(requests.at(-1)!.pathname).toBe('/feed/@10009/')
    expect(requests.at(-1)!.searchParams.get('token')).toBe('s3cret')
  })

  it('writes nothing for a repeated day, and says so', async () => {
    respond = () => ({ status: 200, body: JSON.stringify(feedBody('2025-07-30 18:00:00')) })
    expect(await fetchDailyReading(ctx('2025-07-30'), { url, token: 't' }, never)).toEqual({ rows: [], position: '2025-07-30' })
    expect(logs.at(-1)).toMatch(/newest reading is of 2025-07-30, and 2025-07-30 is already stored: a repeated day, nothing written/)
  })

  it('writes nothing for a reading without pm25 (the label), and says so', async () => {
    respond = () => ({ status: 200, body: JSON.stringify({ status: 'ok', data: { time: { s: '2025-07-31 09:00:00' }, iaqi: { pm10: { v: 12 } } } }) })
    expect(await fetchDailyReading(ctx('2025-07-30'), { url, token: 't' }, never)).toEqual({ rows: [], position: '2025-07-30' })
    expect(logs.at(-1)).toMatch(/reading of 2025-07-31 has no pm25 \(the label\): nothing written/)
  })

  it.each([
    ['a refused token (aqicn answers 200 with "Invalid key")', { status: 200, body: JSON.stringify({ status: 'error', data: 'Invalid key' }) }, /Invalid key \(the token was refused/],
    ['a refused token (HTTP 403)', { status: 403, body: '{}' }, /HTTP 403, the token was refused \(check SML_AQ_TOKEN\)/],
    ['a server error', { status: 502, body: 'bad gateway' }, /HTTP 502/],
    ['a body that is not JSON', { status: 200, body: '<html>maintenance</html>' }, /the body is not JSON/],
    ['a malformed body', { status: 200, body: JSON.stringify({ status: 'ok', data: { time: {}, iaqi: {} } }) }, /data\.time\.s null is not a date-time/],
  ])('fails on %s, never showing the token', async (what, reply, message) => {
    respond = () => reply
    const e = await fetchDailyReading(ctx('2025-07-29'), { url, token: 'tok-123' }, never).catch((x: unknown) => x)
    // the server's answers may pass on a retry (kind failed); a refused token or a malformed reading would not (invalid)
    expect(e).toBeInstanceOf(/server error|not JSON/.test(what) ? SourceFetchError : ValidationError)
    expect((e as Error).message).toMatch(message)
    expect((e as Error).message).not.toContain('tok-123')
  })

  it('fails clearly when nothing listens at the URL', async () => {
    await expect(fetchDailyReading(ctx(null), { url: 'http://127.0.0.1:9/feed/' }, never)).rejects.toThrow(/air quality feed http:\/\/127\.0\.0\.1:9\/feed\/: cannot connect/)
  })
})

describe('offline replay of the held-back days', () => {
  const readings: DailyReading[] = []
  // 100 days from 2025-01-01 with 2025-03-20 missing, given out of order.
  for (let d = 99; d >= 0; d--) if (d !== 78) readings.push({ date: new Date(Date.UTC(2025, 0, 1 + d)), pm25: d, pm10: null, no2: null })

  it('holds back the last 60 calendar days of the export', () => {
    const { backfill, heldBack } = holdBack(readings)
    expect(REPLAY_DAYS).toBe(60)
    expect(positionOf(backfill.at(-1)!.date)).toBe('2025-02-09')
    expect(positionOf(heldBack[0].date)).toBe('2025-02-10')
    expect(heldBack).toHaveLength(59) // 60 days, one of them missing
    expect(backfill.length + heldBack.length).toBe(readings.length)
  })

  it('releases the next held-back day after the position each run, skips a missing day, and then writes nothing', async () => {
    const { heldBack } = holdBack(readings)
    const logs: string[] = []
    const run = (position: string | null) => fetchDailyReading({ position, log: { info: (m) => logs.push(m) } }, {}, async () => heldBack)
    expect(await run(null)).toMatchObject({ rows: [{ date: day('2025-02-10') }], position: '2025-02-10' })
    expect(await run('2025-02-10')).toMatchObject({ rows: [{ date: day('2025-02-11') }], position: '2025-02-11' })
    expect(await run('2025-03-19')).toMatchObject({ rows: [{ date: day('2025-03-21') }], position: '2025-03-21' })
    expect(logs.at(-1)).toMatch(/released the held-back reading of 2025-03-21, 20 left/)
    expect(await run('2025-04-10')).toEqual({ rows: [], position: '2025-04-10' })
    expect(logs.at(-1)).toMatch(/all 59 held-back days are released .*Nothing written/)
  })
})
