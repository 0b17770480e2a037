import { chmodSync, copyFileSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { ValidationError } from '../../db/index.js'
import { makeDirectory } from '../../support/make-directory.js'
import { parseCsv, readCsvFile, type CsvTable } from '../../featurestore/index.js'
import { networkReason, SourceFetchError } from '../source.js'
import type { SystemTask } from '../system.js'
import { identifier, inferSystem, type ScaffoldPlan } from './infer.js'
import { renderProject, type ScaffoldFiles } from './render.js'

export { inferSystem, numberRange, humanize, identifier, type ScaffoldPlan, type ScaffoldOptions, type InferredColumn, type ColumnRole, type NumberRange } from './infer.js'
export { renderProject, describePlan, dailyTemplate, DEFAULT_PACKAGE_SPEC, type ScaffoldFiles } from './render.js'

export interface ScaffoldProjectOptions {
  /** The project directory; created when missing, refused when it holds anything. */
  readonly dir: string
  /** The CSV to build the system from; copied into the project. (`scaffoldProjectFromUrl`: an http(s) URL.) */
  readonly from: string
  readonly label: string
  /** A timestamp column of the CSV that is the event time (see ScaffoldOptions.eventTime). */
  readonly eventTime?: string
  readonly task?: SystemTask
  /** Default: the directory's name made an identifier. */
  readonly name?: string
  /** The serverless-ml dependency in package.json (a version range, `file:…tgz`); default DEFAULT_PACKAGE_SPEC. */
  readonly packageSpec?: string
}

/**
 * `sml init`: infers a system from a CSV and writes a project for it — package.json, sml.config.ts,
 * systems/<name>.ts, .gitignore, README.md and the CSV (as `<name>.csv`). Everything is checked before the first
 * file is written, so a refusal leaves no half-made project.
 *
 * @throws ValidationError (one line) for a missing or unparsable CSV, a directory that is not empty, a bad name,
 *   and every refusal of `inferSystem`. A URL: see scaffoldProjectFromUrl.
 */
export function scaffoldProject(options: ScaffoldProjectOptions): ScaffoldResult {
  const dir = emptyDir(options.dir)
  const from = resolve(options.from)
  if (!existsSync(from)) throw new ValidationError(`--from ${options.from}: no such file`, [{ column: 'from', reason: 'no such file' }])
  if (!statSync(from).isFile()) throw new ValidationError(`--from ${options.from}: not a file`, [{ column: 'from', reason: 'not a file' }])
  // The copy is the project's own file: writable by its owner even when the original was read-only.
  return writeProject(dir, readCsvFile(from), options, (path) => {
    copyFileSync(from, path)
    chmodSync(path, statSync(path).mode | 0o600)
  })
}

/** What a scaffold wrote: the project directory, the plan it rendered, the files besides the CSV. */
export interface ScaffoldResult {
  readonly dir: string
  readonly plan: ScaffoldPlan
  readonly files: ScaffoldFiles
}

/** A URL `sml init --from` takes as a URL (anything else is a file path). */
export const isUrl = (from: string): boolean => /^https?:\/\//i.test(from)

/** How long the download of `sml init --from URL` may take. */
const DOWNLOAD_TIMEOUT_MS = 60_000

/**
 * `sml init --from https://…/data.csv`: downloads the CSV once, infers the system from it as `scaffoldProject`
 * does from a file, and writes a project whose source is `{ file: '<name>.csv', url }` (the download kept as
 * `<name>.csv`, a seed for offline starts with SML_DATA_DIR=.). Its daily pipeline fetches the URL's new rows when
 * a column tells them apart (`eventTime`, or an increasing id key), else draws synthetic rows (see `inferSystem`).
 * The directory is checked before the download; nothing is written unless every check passes.
 *
 * @throws SourceFetchError (kind failed) for a network error, a timeout or a non-2xx status; ValidationError for
 *   a URL that is not http(s), an answer that is HTML/JSON or not valid CSV, and every refusal of scaffoldProject.
 */
export async function scaffoldProjectFromUrl(options: ScaffoldProjectOptions & { readonly fetch?: typeof fetch }): Promise<ScaffoldResult> {
  const url = options.from
  if (!isUrl(url)) throw new ValidationError(`--from ${url}: not an http(s) URL`, [{ column: 'from', reason: 'not an http(s) URL' }])
  const dir = emptyDir(options.dir)
  let res: Response
  try {
    res = await (options.fetch ?? fetch)(url, { headers: { accept: 'text/csv, text/plain;q=0.9, */*;q=0.5' }, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) })
  } catch (e) {
    const reason = networkReason(e)
    throw new SourceFetchError(`--from ${url}: cannot download (${reason})`, [{ column: 'from', reason: `download failed: ${reason}` }], { cause: e })
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {})
    throw new SourceFetchError(`--from ${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, [{ column: 'from', reason: `HTTP ${res.status}` }])
  }
  // A page or an API answer parses as "CSV" of one odd column more often than not: refuse it by its media type.
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (/html|json|xml/.test(type)) {
    await res.body?.cancel().catch(() => {})
    throw new ValidationError(`--from ${url}: answered ${type}, not CSV`, [{ column: 'from', reason: `${type}, not CSV` }])
  }
  const bytes = new Uint8Array(await res.arrayBuffer())
  return writeProject(dir, parseCsv(bytes, url), { ...options, url }, (path) => writeFileSync(path, bytes))
}

/** The project directory, resolved; refused when it is a file or holds anything. */
function emptyDir(given: string): string {
  const dir = resolve(given)
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new ValidationError(`${dir} exists and is not a directory`, [{ column: 'dir', reason: 'not a directory' }])
    const entries = readdirSync(dir)
    if (entries.length) throw new ValidationError(`${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): choose a new or empty directory`, [{ column: 'dir', reason: 'not empty' }])
  }
  return dir
}

/** Infers and renders (every refusal before the first write), then writes the files and, by `writeCsv`, the CSV. */
function writeProject(dir: string, table: CsvTable, options: ScaffoldProjectOptions & { readonly url?: string }, writeCsv: (path: string) => void): ScaffoldResult {
  const name = options.name ?? identifier(basename(dir))
  const plan = inferSystem(table, {
    name,
    file: `${name}.csv`,
    label: options.label,
    sourceName: options.from,
    ...(options.task ? { task: options.task } : {}),
    ...(options.url ? { url: options.url } : {}),
    ...(options.eventTime !== undefined ? { eventTime: options.eventTime } : {}),
  })
  const files = renderProject(plan, options.packageSpec)
  makeDirectory(dir)
  for (const [path, text] of Object.entries(files)) {
    makeDirectory(dirname(join(dir, path)))
    writeFileSync(join(dir, path), text)
  }
  writeCsv(join(dir, plan.file))
  return { dir, plan, files }
}
