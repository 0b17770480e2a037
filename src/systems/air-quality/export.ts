import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ValidationError } from '../../errors/index.js'
import { csvToRows, parseCsv, type Row } from '../../featurestore/index.js'
import type { SourceContext } from '../system.js'

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
 * empty). A day without a pm25 value (40 of the 2,814) is left out: it is no example of the label, and a feature
 * view's training rows must all have one; the lags that fall on it are null, as for a day not measured at all.
 */
export function readingsOf(text: string, origin = EXPORT_FILE): Row[] {
  return csvToRows(parseCsv(text, origin), READING_SCHEMA, origin)
    .filter((r) => r.pm25 !== null)
    .map((r) => ({ station: STATION, ...r }))
}

/**
 * The export's readings, read as they are (see csv.ts: spaces after commas, `YYYY/M/D` dates, empty cells): from
 * the data directory, else the project directory, else downloaded from EXPORT_URL (no cache: the replay reads it
 * once a day at most).
 * @throws ValidationError when no copy can be read or downloaded, or the file is not the export's shape.
 */
export async function loadExport(ctx: Pick<SourceContext, 'dataDir' | 'projectDir' | 'fetch' | 'signal'>): Promise<Row[]> {
  for (const dir of [ctx.dataDir, ctx.projectDir]) {
    if (!dir) continue
    const path = join(dir, EXPORT_FILE)
    const text = await readFile(path, 'utf8').catch(() => null)
    if (text !== null) return readingsOf(text, path)
  }
  let res: Response
  try {
    res = await ctx.fetch(EXPORT_URL, { signal: ctx.signal })
  } catch (e) {
    throw new ValidationError(`${EXPORT_FILE} is in neither the data directory nor the project, and ${EXPORT_URL} cannot be downloaded (${(e as Error).message}): set SML_DATA_DIR (or --data-dir)`, [{ path: 'source', reason: 'no copy of the export' }])
  }
  if (!res.ok) throw new ValidationError(`cannot download ${EXPORT_URL}: HTTP ${res.status}. Set SML_DATA_DIR (or --data-dir) to a directory holding ${EXPORT_FILE}`, [{ path: 'source', reason: `HTTP ${res.status}` }])
  return readingsOf(await res.text(), EXPORT_URL)
}
