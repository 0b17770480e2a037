import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { smlHome, ValidationError } from '../db/index.js'
import { parseCsv, type CsvTable } from '../featurestore/index.js'
import type { SystemDescription } from './system.js'

export interface SourceOptions {
  /** Directory holding the CSV files; default SML_DATA_DIR. When unset, the public URL is downloaded once and cached. */
  readonly dataDir?: string
  /** Where a source without a URL is read from when no dataDir is given: the project (config file's) directory; default the current one. */
  readonly projectDir?: string
  readonly home?: string
  readonly fetch?: typeof fetch
}

/** The local path of a source read from disk (a data directory, or the project for a source without a URL); null when it is downloaded. */
export function localSourcePath(system: SystemDescription, options: SourceOptions = {}): string | null {
  const dataDir = options.dataDir ?? process.env.SML_DATA_DIR
  if (dataDir) return join(dataDir, system.source.file)
  if (!system.source.url) return resolve(options.projectDir ?? '.', system.source.file)
  return null
}

/** Where a system's CSV comes from: a local directory, the project, the cache, or (once) the public URL. */
export async function loadSource(system: SystemDescription, options: SourceOptions = {}): Promise<{ table: CsvTable; origin: string }> {
  const { file, url, requiredColumns = [] } = system.source
  const local = localSourcePath(system, options)
  let text: string
  let origin: string
  if (local !== null) {
    origin = local
    if (!existsSync(origin)) {
      const where = url ? `SML_DATA_DIR / --data-dir must hold ${file}` : `the ${system.name} source has no URL, so the project directory (or --data-dir) must hold ${file}`
      throw new ValidationError(`${origin} does not exist: ${where}`, [{ reason: 'missing data file' }])
    }
    text = readFileSync(origin, 'utf8')
  } else if (url) {
    const cacheDir = join(smlHome(options.home), 'cache')
    origin = join(cacheDir, file)
    if (existsSync(origin)) text = readFileSync(origin, 'utf8')
    else {
      text = await download(url, options.fetch ?? fetch)
      mkdirSync(cacheDir, { recursive: true })
      // Written beside and renamed, so an interrupted download never leaves half a file in the cache.
      writeFileSync(`${origin}.part`, text)
      renameSync(`${origin}.part`, origin)
    }
  } else throw new Error('unreachable: a source without a URL is read from disk')
  const table = parseCsv(text, origin)
  if (table.records.length === 0) throw new ValidationError(`${origin} has a header but no data rows`, [{ reason: 'no data rows' }])
  const missing = requiredColumns.filter((c) => !table.header.includes(c))
  if (missing.length)
    throw new ValidationError(
      `${origin} is missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} needed by the ${system.name} feature pipeline`,
      missing.map((column) => ({ column, reason: 'missing column' })),
    )
  return { table, origin }
}

async function download(url: string, fetchFn: typeof fetch): Promise<string> {
  let res: Response
  try {
    res = await fetchFn(url, { signal: AbortSignal.timeout(30_000) })
  } catch (e) {
    throw new ValidationError(
      `cannot download ${url} (${(e as Error).message}): offline? Set SML_DATA_DIR (or --data-dir) to a directory holding iris.csv and titanic.csv`,
      [{ reason: 'download failed' }],
    )
  }
  if (!res.ok) throw new ValidationError(`cannot download ${url}: HTTP ${res.status}. Set SML_DATA_DIR (or --data-dir) to use local copies`, [{ reason: `HTTP ${res.status}` }])
  return res.text()
}
