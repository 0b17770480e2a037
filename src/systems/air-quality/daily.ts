import { DAY_MS, dayNumber, type DailyReading } from './windows.js'
import { fetchAqicnReading, type AirQualityFeedSettings } from './feed.js'

/** Days at the end of the export the backfill leaves out, for the offline daily pipeline to release one a day. */
export const REPLAY_DAYS = 60

/** The readings sorted by day, split into what the backfill writes and the last `days` calendar days it holds back. */
export function holdBack<R extends DailyReading>(readings: readonly R[], days = REPLAY_DAYS): { backfill: R[]; heldBack: R[] } {
  const sorted = [...readings].sort((a, b) => a.date.getTime() - b.date.getTime())
  if (sorted.length === 0) return { backfill: [], heldBack: [] }
  const cut = dayNumber(sorted[sorted.length - 1].date) - days
  return { backfill: sorted.filter((r) => dayNumber(r.date) <= cut), heldBack: sorted.filter((r) => dayNumber(r.date) > cut) }
}

/** A position as stored with the rows: the UTC day of the newest reading written, `YYYY-MM-DD`. */
export const positionOf = (date: Date): string => new Date(dayNumber(date) * DAY_MS).toISOString().slice(0, 10)

const positionDay = (position: string | null): number | null => (position === null ? null : dayNumber(new Date(`${position}T00:00:00Z`)))

/** What one daily run of the air-quality source needs from its pipeline (a subset of the daily fetch context). */
export interface AirQualityFetchContext {
  /** The newest day already written by an earlier run (`positionOf`), or null before the first. */
  readonly position: string | null
  readonly log: { info(message: string): void; warn?(message: string): void }
  readonly fetch?: typeof fetch
  readonly signal?: AbortSignal
}

/** A run's outcome: the rows to write (none, or one day) and the position to store with them. */
export interface AirQualityFetchResult {
  readonly rows: DailyReading[]
  readonly position: string | null
}

/**
 * One daily run of the air-quality source. With a feed URL it fetches the newest reading (`fetchAqicnReading`: a
 * refused token, a status other than "ok" or a malformed body throws, so the run fails and writes nothing); a day
 * not after `position` is a repeat and writes nothing, saying so. Without a URL it replays: the next held-back
 * reading of the export after `position` (the first one when there is none); once all are out it writes nothing.
 * A live reading without pm25 (the label) writes nothing either. `heldBack` is read only in replay.
 */
export async function fetchDailyReading(ctx: AirQualityFetchContext, feed: AirQualityFeedSettings, heldBack: () => Promise<readonly DailyReading[]>): Promise<AirQualityFetchResult> {
  const after = positionDay(ctx.position)
  if (feed.url) {
    const reading = await fetchAqicnReading({ ...feed, url: feed.url }, ctx.fetch ?? fetch, ctx.signal)
    const day = positionOf(reading.date)
    if (after !== null && dayNumber(reading.date) <= after) {
      ctx.log.info(`the feed's newest reading is of ${day}, and ${ctx.position} is already stored: a repeated day, nothing written`)
      return { rows: [], position: ctx.position }
    }
    if (reading.pm25 === null) {
      ctx.log.info(`the feed's reading of ${day} has no pm25 (the label): nothing written`)
      return { rows: [], position: ctx.position }
    }
    ctx.log.info(`fetched the reading of ${day} from ${feed.url}: pm25 ${reading.pm25}, pm10 ${reading.pm10 ?? '—'}, no2 ${reading.no2 ?? '—'}`)
    return { rows: [reading], position: day }
  }
  const held = [...(await heldBack())].sort((a, b) => a.date.getTime() - b.date.getTime())
  const next = held.find((r) => after === null || dayNumber(r.date) > after)
  if (!next) {
    ctx.log.info(`replay: all ${held.length} held-back days are released (the last ${ctx.position ?? 'none'}); set SML_AQ_URL for live readings. Nothing written`)
    return { rows: [], position: ctx.position }
  }
  const left = held.filter((r) => dayNumber(r.date) > dayNumber(next.date)).length
  ctx.log.info(`replay (no SML_AQ_URL): released the held-back reading of ${positionOf(next.date)}, ${left} left`)
  return { rows: [next], position: positionOf(next.date) }
}
