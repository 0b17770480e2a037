import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { ValidationError } from '../../db/index.js'
import { readCsvFile } from '../../featurestore/index.js'
import type { SystemTask } from '../system.js'
import { identifier, inferSystem, type ScaffoldPlan } from './infer.js'
import { renderProject, type ScaffoldFiles } from './render.js'

export { inferSystem, numberRange, humanize, identifier, type ScaffoldPlan, type ScaffoldOptions, type InferredColumn, type ColumnRole, type NumberRange } from './infer.js'
export { renderProject, describePlan, dailyTemplate, DEFAULT_PACKAGE_SPEC, type ScaffoldFiles } from './render.js'

export interface ScaffoldProjectOptions {
  /** The project directory; created when missing, refused when it holds anything. */
  readonly dir: string
  /** The CSV to build the system from; copied into the project. */
  readonly from: string
  readonly label: string
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
 *   and every refusal of `inferSystem`.
 */
export function scaffoldProject(options: ScaffoldProjectOptions): { dir: string; plan: ScaffoldPlan; files: ScaffoldFiles } {
  const dir = resolve(options.dir)
  const from = resolve(options.from)
  if (!existsSync(from)) throw new ValidationError(`--from ${options.from}: no such file`, [{ column: 'from', reason: 'no such file' }])
  if (!statSync(from).isFile()) throw new ValidationError(`--from ${options.from}: not a file`, [{ column: 'from', reason: 'not a file' }])
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new ValidationError(`${dir} exists and is not a directory`, [{ column: 'dir', reason: 'not a directory' }])
    const entries = readdirSync(dir)
    if (entries.length) throw new ValidationError(`${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): choose a new or empty directory`, [{ column: 'dir', reason: 'not empty' }])
  }
  const name = options.name ?? identifier(basename(dir))
  const table = readCsvFile(from)
  const plan = inferSystem(table, { name, file: `${name}.csv`, label: options.label, sourceName: options.from, ...(options.task ? { task: options.task } : {}) })
  const files = renderProject(plan, options.packageSpec)
  mkdirSync(dir, { recursive: true })
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  copyFileSync(from, join(dir, plan.file))
  return { dir, plan, files }
}
