import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ValidationError } from '../../errors/index.js'
import { csvToRows, parseCsv, type Row } from '../../featurestore/index.js'
import type { SourceContext } from '../system.js'
import { plural } from '../../support/plural.js'

/** The export's file name in a data directory (SML_DATA_DIR / --data-dir) or the project directory. */
export const EXPORT_FILE = 'air-quality-stockholm-hornsgatan.csv'
/** Where the export is published (featurestorebook/mlfs-book, Apache-2.0): downloaded when no local copy exists. */
export const EXPORT_URL = 'https://raw.githubusercontent.com/featurestorebook/mlfs-book/main/data/stockholm-hornsgatan-108.csv'
/** The station's key in the readings (one station: the export's). */
export const STATION = 'stockholm-hornsgatan'

const READING_SCHEMA = [
  { name: 'date', type: 'timestamp' as const },
  { name: 'pm25', type: 'float' as const },
  { name: 'pm10', type: 'float' as const },
  { name: 'no2', type: 'float' as const },
]

/**
 * The export's CSV text as readings of the one station: day, pm25, pm10, no2 (pm10 and no2 null where the cell is
 * empty). A day without a pm25 value (40 of the 2,814) is left out, its pm10 and no2 with it: it is no example of
 * the label, and a feature view's training rows must all have one (a time split refuses a missing label); so every
 * lag that falls on that day is null, pm10_lag1 and no2_lag1 included, as for a day not measured at all.
 * `onLeftOut` is told those days (ascending), so a run can say so in its log.
 */
export function readingsOf(text: string, origin = EXPORT_FILE, onLeftOut?: (days: readonly Row[]) => void): Row[] {
  const rows = csvToRows(parseCsv(text, origin), READING_SCHEMA, origin)
  const leftOut = rows.filter((r) => r.pm25 === null)
  if (leftOut.length) onLeftOut?.(leftOut.sort((a, b) => (a.date as Date).getTime() - (b.date as Date).getTime()))
  return rows.filter((r) => r.pm25 !== null).map((r) => ({ station: STATION, ...r }))
}

/** The run-log line for the days `readingsOf` left out. */
export function leftOutText(days: readonly Row[], origin: string): string {
  const dates = days.map((r) => (r.date as Date).toISOString().slice(0, 10))
  const withOther = days.filter((r) => r.pm10 !== null || r.no2 !== null).length
  const shown = dates.length > 6 ? `${dates.slice(0, 3).join(', ')} … ${dates.slice(-3).join(', ')}` : dates.join(', ')
  return (
    `${plural(days.length, 'day')} of ${origin} ${days.length === 1 ? 'has' : 'have'} no pm25 value (${shown}): left out, as they cannot be labels; ` +
    `${withOther} of them have a pm10 or no2 value, which is not kept either, so the lags over those days are null (missing), as for a day not measured`
  )
}

/**
 * The export's readings, read as they are (see csv.ts: spaces after commas, `YYYY/M/D` dates, empty cells): from
 * the data directory, else the project directory, else downloaded from EXPORT_URL (no cache: the replay reads it
 * once a day at most).
 * @throws ValidationError when no copy can be read or downloaded, or the file is not the export's shape.
 */
export async function loadExport(ctx: Pick<SourceContext, 'dataDir' | 'projectDir' | 'fetch' | 'signal'> & { readonly log?: Pick<SourceContext['log'], 'info'> }): Promise<Row[]> {
  const onLeftOut = (origin: string) => (days: readonly Row[]) => ctx.log?.info(leftOutText(days, origin))
  for (const dir of [ctx.dataDir, ctx.projectDir]) {
    if (!dir) continue
    const path = join(dir, EXPORT_FILE)
    const text = await readFile(path, 'utf8').catch(() => null)
    if (text !== null) return readingsOf(text, path, onLeftOut(EXPORT_FILE))
  }
  let res: Response
  try {
    res = await ctx.fetch(EXPORT_URL, { signal: ctx.signal })
  } catch (e) {
    throw new ValidationError(`${EXPORT_FILE} is in neither the data directory nor the project, and ${EXPORT_URL} cannot be downloaded (${(e as Error).message}): set SML_DATA_DIR (or --data-dir)`, [{ path: 'source', reason: 'no copy of the export' }])
  }
  if (!res.ok) throw new ValidationError(`cannot download ${EXPORT_URL}: HTTP ${res.status}. Set SML_DATA_DIR (or --data-dir) to a directory holding ${EXPORT_FILE}`, [{ path: 'source', reason: `HTTP ${res.status}` }])
  return readingsOf(await res.text(), EXPORT_URL, onLeftOut(EXPORT_URL))
}
