import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { smlHome, ValidationError } from '../db/index.js'
import { NotFoundError, SmlError, type IssueInput } from '../errors/index.js'
import { makeDirectory } from '../support/make-directory.js'
import { parseCsv, recordsToTable, type RecordTable } from '../featurestore/index.js'
import type { RunLogger } from '../runtime/index.js'
import type { CsvSourceDescription, FunctionSourceDescription, JsonSourceDescription, SourceContext, SourceDescription, SystemDescription } from './system.js'

export interface SourceOptions {
  /** Directory holding the CSV files (--data-dir / SML_DATA_DIR, resolved at the edge). When unset, a CSV URL is downloaded once and cached. */
  readonly dataDir?: string
  /** Where a source without a URL is read from when no dataDir is given: the project (config file's) directory; default the current one. */
  readonly projectDir?: string
  readonly home?: string
  readonly fetch?: typeof fetch
}

/** Per read: what the pipeline attempt gives a source. */
export interface SourceReadOptions {
  /** Aborted when the attempt times out. */
  readonly signal?: AbortSignal
  readonly log?: RunLogger
  /** Download a CSV URL again instead of reading the cache (an incremental fetch wants what is there now). */
  readonly fresh?: boolean
}

/** How long one HTTP request of a source may take. */
const REQUEST_TIMEOUT_MS = 30_000

/**
 * A source could not be reached: a network error, a timeout, or an HTTP status that is not 2xx. Kind `failed`
 * (the source, not the caller's input, is at fault), so a run records it and the runner retries it. The issue's
 * path is `source`, its reason the cause (`HTTP 503`, `ECONNREFUSED`, …).
 */
export class SourceFetchError extends SmlError {
  override readonly name: string = 'SourceFetchError'
  constructor(message: string, issues: readonly IssueInput[] = [], options?: ErrorOptions) {
    super('failed', message, issues, options)
  }
}

/** The kind of a source description; undefined when it is none of them (defineSystem says why). */
export function sourceKind(source: SourceDescription): 'csv' | 'json' | 'function' | undefined {
  if (typeof source !== 'object' || source === null) return undefined
  if ('json' in source && source.json !== undefined) return 'json'
  if ('load' in source && source.load !== undefined) return 'function'
  if ('file' in source && source.file !== undefined) return 'csv'
  return undefined
}

/** What a source is, for logs and messages: the CSV file name, the JSON URL, or "<system>'s source function". */
export function sourceLabel(system: SystemDescription): string {
  const s = system.source
  if ('json' in s && s.json) return s.json.url
  if ('load' in s) return `the ${system.name} source function`
  return (s as CsvSourceDescription).file
}

/** The local path of a CSV source read from disk (a data directory, or the project for a source without a URL); null when it is downloaded or not a CSV source. */
export function localSourcePath(system: SystemDescription, options: SourceOptions = {}): string | null {
  if (sourceKind(system.source) !== 'csv') return null
  const { file, url } = system.source as CsvSourceDescription
  if (options.dataDir) return join(options.dataDir, file)
  if (!url) return resolve(options.projectDir ?? '.', file)
  return null
}

/**
 * Reads a system's source, any kind (see SourceDescription), into one table of records for `clean`.
 * `origin` names where it came from (a path, a URL, the function).
 * @throws NotFoundError when a local data file is missing; ValidationError (nothing read is usable: bad CSV, a `map` or
 *   `load` that throws or returns something other than an array of plain objects, no records, a required column
 *   missing); SourceFetchError when an HTTP source cannot be reached, answers a non-2xx status or a body that is not JSON.
 */
export async function loadSource(system: SystemDescription, options: SourceOptions = {}, read: SourceReadOptions = {}): Promise<{ table: RecordTable; origin: string }> {
  const kind = sourceKind(system.source)
  let table: RecordTable
  let origin: string
  if (kind === 'json') ({ table, origin } = await loadJson(system, system.source as JsonSourceDescription, options, read))
  else if (kind === 'function') ({ table, origin } = await loadFunction(system, options, read))
  else ({ table, origin } = await loadCsv(system, options, read))
  if (table.records.length === 0) {
    const reason = kind === 'csv' ? `${origin} has a header but no data rows` : `${origin} returned no records`
    throw new ValidationError(reason, [{ path: 'source', reason: 'no data rows' }])
  }
  const missing = (system.source.requiredColumns ?? []).filter((c) => !table.header.includes(c))
  if (missing.length)
    throw new ValidationError(
      `${origin} is missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} needed by the ${system.name} feature pipeline`,
      missing.map((column) => ({ column, reason: 'missing column' })),
    )
  return { table, origin }
}

/** The context a function source's `load` gets. */
export function sourceContext(options: SourceOptions, read: SourceReadOptions): SourceContext {
  return {
    fetch: options.fetch ?? fetch,
    signal: read.signal ?? new AbortController().signal,
    dataDir: options.dataDir,
    projectDir: resolve(options.projectDir ?? '.'),
    log: read.log ?? { info: () => {}, warn: () => {}, error: () => {} },
  }
}

async function loadCsv(system: SystemDescription, options: SourceOptions, read: SourceReadOptions): Promise<{ table: RecordTable; origin: string }> {
  const { file, url } = system.source as CsvSourceDescription
  const local = localSourcePath(system, options)
  // bytes, not text: parseCsv refuses a file that is not UTF-8 (decoded leniently it would be stored with U+FFFD)
  let text: Uint8Array
  let origin: string
  if (local !== null) {
    origin = local
    if (!existsSync(origin)) {
      const where = url ? `SML_DATA_DIR / --data-dir must hold ${file}` : `the ${system.name} source has no URL, so the project directory (or --data-dir) must hold ${file}`
      throw new NotFoundError(`${origin} does not exist: ${where}`, [{ path: 'source.file', reason: 'missing data file' }])
    }
    text = readFileSync(origin)
  } else if (url) {
    const cacheDir = join(smlHome(options.home), 'cache')
    origin = join(cacheDir, file)
    if (!read.fresh && existsSync(origin)) text = readFileSync(origin)
    else {
      const res = await request(url, {}, options.fetch ?? fetch, read.signal, 'Set SML_DATA_DIR (or --data-dir) to a directory holding a copy')
      text = new Uint8Array(await res.arrayBuffer())
      if (read.fresh) origin = url
      else {
        makeDirectory(cacheDir)
        // Written beside and renamed, so an interrupted download never leaves half a file in the cache.
        writeFileSync(`${origin}.part`, text)
        renameSync(`${origin}.part`, origin)
      }
    }
  } else throw new Error('unreachable: a source without a URL is read from disk')
  return { table: parseCsv(text, origin), origin }
}

async function loadJson(system: SystemDescription, source: JsonSourceDescription, options: SourceOptions, read: SourceReadOptions): Promise<{ table: RecordTable; origin: string }> {
  const { url, headers = {}, map } = source.json
  const res = await request(url, { accept: 'application/json', ...headers }, options.fetch ?? fetch, read.signal)
  let text: string
  try {
    text = await res.text()
  } catch (e) {
    throw new SourceFetchError(`${system.name} source ${url}: the body could not be read (${(e as Error).message})`, [{ path: 'source.json.url', reason: 'body not read' }], { cause: e })
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (e) {
    const start = text.slice(0, 60).replace(/\s+/g, ' ')
    // the server's answer, not the description's fault (a maintenance page): failed, so the run retries it
    throw new SourceFetchError(`${system.name} source ${url} did not answer JSON (${(e as Error).message}; body starts ${JSON.stringify(start)})`, [
      { path: 'source.json.url', reason: 'the body is not JSON' },
    ])
  }
  let records: unknown
  try {
    records = map(body)
  } catch (e) {
    throw new ValidationError(`${system.name} source ${url}: source.json.map threw: ${(e as Error)?.message ?? String(e)}`, [{ path: 'source.json.map', reason: `threw: ${(e as Error)?.message ?? String(e)}` }], { cause: e })
  }
  return { table: toTable(records, 'source.json.map', `${system.name} source ${url}`), origin: url }
}

async function loadFunction(system: SystemDescription, options: SourceOptions, read: SourceReadOptions): Promise<{ table: RecordTable; origin: string }> {
  const origin = `the ${system.name} source function`
  const load = (system.source as FunctionSourceDescription).load
  let records: unknown
  try {
    records = await load(sourceContext(options, read))
  } catch (e) {
    // Our own errors (a SourceFetchError from a fetch inside, a ValidationError) keep their kind.
    if (e instanceof SmlError) throw e
    throw new ValidationError(`${origin} threw: ${(e as Error)?.message ?? String(e)}`, [{ path: 'source.load', reason: `threw: ${(e as Error)?.message ?? String(e)}` }], { cause: e })
  }
  return { table: toTable(records, 'source.load', origin), origin }
}

function toTable(records: unknown, path: string, what: string): RecordTable {
  if (!Array.isArray(records)) {
    const got = records === null ? 'null' : typeof records === 'object' ? 'an object' : typeof records
    throw new ValidationError(`${what}: ${path} must return an array of records (plain objects), got ${got}`, [{ path, reason: `returned ${got}, not an array` }])
  }
  try {
    return recordsToTable(records, what)
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e
    throw new ValidationError(`${e.message} (returned by ${path})`, e.issues.map((i) => ({ ...i, path: `${path}${i.path ? `[${i.path}]` : ''}` })))
  }
}

/**
 * GET `url` and hand back a 2xx response.
 * @throws SourceFetchError on a network error, a timeout or a non-2xx status (401/403 say the token was refused).
 */
async function request(url: string, headers: Record<string, string>, fetchFn: typeof fetch, signal: AbortSignal | undefined, hint = ''): Promise<Response> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  let res: Response
  try {
    res = await fetchFn(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout })
  } catch (e) {
    const cause = networkReason(e)
    throw new SourceFetchError(`cannot download ${url} (${cause})${hint ? `: offline? ${hint}` : ''}`, [{ path: 'source', reason: `download failed: ${cause}` }], { cause: e })
  }
  if (!res.ok) {
    // Drained so that the connection is released at once.
    await res.body?.cancel().catch(() => {})
    const why = res.status === 401 || res.status === 403 ? ' (the credentials in the source\'s headers were refused)' : ''
    throw new SourceFetchError(`cannot download ${url}: HTTP ${res.status}${why}${hint ? `. ${hint}` : ''}`, [{ path: 'source', reason: `HTTP ${res.status}` }])
  }
  return res
}

/** Why a fetch threw, in a word where there is one: undici's "fetch failed" hides the cause (ECONNREFUSED, a timeout). */
export function networkReason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string; errors?: { code?: string }[] } }
  if (err?.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
  return err?.cause?.code ?? err?.cause?.errors?.[0]?.code ?? err?.cause?.message ?? err?.message ?? String(e)
}
