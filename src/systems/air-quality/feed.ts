import { ValidationError } from '../../errors/index.js'
import { SourceFetchError } from '../source.js'
import { parseTimestamp } from '../../featurestore/index.js'
import { DAY_MS, dayNumber, type DailyReading } from './windows.js'

/** Where the live feed is and the token it needs, read once at the edge (SML_AQ_URL, SML_AQ_TOKEN). */
export interface AirQualityFeedSettings {
  /** An aqicn.org-shaped city feed, e.g. `https://api.waqi.info/feed/@10009/`; absent = offline replay. */
  readonly url?: string
  /** Sent as the `token` query parameter, as aqicn's API takes it. */
  readonly token?: string
}

/**
 * The day's reading in an aqicn.org city feed (https://aqicn.org/json-api/doc/):
 * `{ status: "ok", data: { time: { s: "2025-07-30 14:00:00" }, iaqi: { pm25: { v }, pm10: { v }, no2: { v } } } }`.
 * The day is the date part of `time.s` (the station's local time), read as that day's UTC midnight like the CSV's
 * dates; a pollutant the feed does not report is null. The values are aqicn's individual AQI (US EPA scale), the
 * same scale as its CSV export.
 * @throws ValidationError naming what is wrong: a status other than "ok" (with aqicn's message, e.g. "Invalid key"
 *   for a refused token), no `data.time.s` date, a value that is not a finite number, or no pollutant at all.
 */
export function parseAqicnFeed(body: unknown): DailyReading {
  const b = body as { status?: unknown; data?: unknown } | null
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw feedError('body', 'is not a JSON object')
  if (b.status !== 'ok') {
    const message = typeof b.data === 'string' ? b.data : typeof (b as { message?: unknown }).message === 'string' ? (b as { message: string }).message : null
    const refused = message !== null && /invalid key|token/i.test(message)
    throw feedError('status', `is ${JSON.stringify(b.status)}, not "ok"${message ? `: ${message}` : ''}${refused ? ' (the token was refused: check SML_AQ_TOKEN)' : ''}`)
  }
  const data = b.data as { time?: { s?: unknown }; iaqi?: Record<string, { v?: unknown } | undefined> } | undefined
  if (typeof data !== 'object' || data === null) throw feedError('data', 'is missing')
  const s = data.time?.s
  const ms = typeof s === 'string' ? parseTimestamp(s.slice(0, 10)) : null
  if (ms === null) throw feedError('data.time.s', `${JSON.stringify(s ?? null)} is not a date-time "YYYY-MM-DD hh:mm:ss"`)
  const iaqi = data.iaqi
  if (typeof iaqi !== 'object' || iaqi === null) throw feedError('data.iaqi', 'is missing')
  const value = (name: 'pm25' | 'pm10' | 'no2'): number | null => {
    const entry = iaqi[name]
    if (entry === undefined || entry === null) return null
    const v = entry.v
    if (typeof v !== 'number' || !Number.isFinite(v)) throw feedError(`data.iaqi.${name}.v`, `${JSON.stringify(v ?? null)} is not a number`)
    return v
  }
  const reading = { date: new Date(dayNumber(new Date(ms)) * DAY_MS), pm25: value('pm25'), pm10: value('pm10'), no2: value('no2') }
  if (reading.pm25 === null && reading.pm10 === null && reading.no2 === null) throw feedError('data.iaqi', 'has none of pm25, pm10, no2')
  return reading
}

function feedError(path: string, reason: string): ValidationError {
  return new ValidationError(`air quality feed: ${path} ${reason}`, [{ path, reason }])
}

/**
 * Fetches the feed once: GET `url` with `token` added as a query parameter, then `parseAqicnFeed`.
 * @throws ValidationError for a refused token (HTTP 401/403 or aqicn's "Invalid key") or any problem `parseAqicnFeed`
 *   names; SourceFetchError (kind failed, so a run retries it) when the feed cannot be reached, answers another HTTP
 *   error or a body that is not JSON. The message never contains the token.
 */
export async function fetchAqicnReading(settings: AirQualityFeedSettings & { readonly url: string }, fetchFn: typeof fetch = fetch, signal?: AbortSignal): Promise<DailyReading> {
  const url = new URL(settings.url)
  if (settings.token) url.searchParams.set('token', settings.token)
  const shown = settings.url
  let res: Response
  try {
    res = await fetchFn(url, { signal: signal ?? AbortSignal.timeout(30_000), headers: { accept: 'application/json' } })
  } catch (e) {
    throw new SourceFetchError(`air quality feed ${shown}: cannot connect (${(e as Error).message})`, [{ path: 'SML_AQ_URL', reason: 'unreachable' }])
  }
  if (res.status === 401 || res.status === 403) throw new ValidationError(`air quality feed ${shown}: HTTP ${res.status}, the token was refused (check SML_AQ_TOKEN)`, [{ path: 'SML_AQ_TOKEN', reason: 'refused' }])
  if (!res.ok) throw new SourceFetchError(`air quality feed ${shown}: HTTP ${res.status}`, [{ path: 'SML_AQ_URL', reason: `HTTP ${res.status}` }])
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new SourceFetchError(`air quality feed ${shown}: the body is not JSON (${JSON.stringify(text.slice(0, 60))})`, [{ path: 'body', reason: 'not JSON' }])
  }
  return parseAqicnFeed(body)
}
