import { existsSync } from 'node:fs'
import { dirname, extname, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ValidationError } from '../db/index.js'
import { importPipelineModules, pipelineList } from '../runtime/index.js'
import { localSourcePath, systemPipelines, type SystemSettings } from '../systems/index.js'
import { projectConfigIssues, type Config, type ProjectConfig } from './config.js'
import type { ConfigSettings, StoreConfig } from './env.js'

import { settingsFromEnv } from './env.js'

export { settingsFromEnv, type ConfigSettings } from './env.js'

/** Looked for in the working directory, in this order, when no `--config` / SML_CONFIG names a file. */
export const CONFIG_FILES = ['sml.config.ts', 'sml.config.mts', 'sml.config.js', 'sml.config.mjs'] as const

/** The project's config file: the one named, else the first of CONFIG_FILES in `cwd`, else null (built-in config). */
export function findConfigFile(named?: string, cwd = process.cwd()): string | null {
  if (named !== undefined) return resolve(cwd, named)
  for (const f of CONFIG_FILES) if (existsSync(resolve(cwd, f))) return resolve(cwd, f)
  return null
}

/**
 * Reads the configuration once: the config file (or the built-in config when there is none: iris, titanic and air
 * quality, its live feed from `settings.airQuality`),
 * then the settings from flags and environment (which win over the file's `store`). Every problem — a missing
 * or unparsable file, an invalid description, an unknown export, a missing data file — is one ValidationError
 * whose one-line message names the config file and the problem. `settings` default to the environment's
 * (`settingsFromEnv()`); given, they are all there is (the CLI passes the environment's with its flags over them).
 */
export async function loadConfig(path?: string, settings: ConfigSettings = settingsFromEnv()): Promise<Config> {
  const cwd = settings.cwd ?? process.cwd()
  const file = findConfigFile(path ?? settings.configFile, cwd)
  let project: ProjectConfig
  if (file === null) {
    const { iris, titanic, airQualitySystem } = await import('../systems/index.js')
    project = { systems: [iris, titanic, airQualitySystem({ feed: settings.airQuality })] }
  } else {
    if (!existsSync(file)) throw configError(file, 'does not exist')
    let mod: Record<string, unknown>
    try {
      mod = (await importConfigModule(file)) as Record<string, unknown>
    } catch (e) {
      throw configError(file, describeLoadError(e, file))
    }
    // A .ts file outside a `"type": "module"` package loads as CommonJS: its exports arrive as `default`.
    const cjs = mod.default as Record<string, unknown> | undefined
    const exported = cjs && typeof cjs === 'object' && !('systems' in cjs) && 'default' in cjs ? cjs.default : (mod.default ?? mod.config)
    if (exported === undefined) throw configError(file, 'has no default export: export default defineConfig({ systems: [...] })')
    const issues = projectConfigIssues(exported as ProjectConfig)
    if (issues.length) throw configError(file, issues.map((i) => (i.column ? `${i.column}: ${i.reason}` : i.reason)).join('; '), issues)
    project = exported as ProjectConfig
  }
  const projectDir = file === null ? cwd : dirname(file)
  // a relative home in the file is the project's folder, wherever sml runs from (as a system's `file` is);
  // one from a flag or SML_HOME is the working directory's, as any path typed at a shell
  const fileHome = project.store?.home
  const store: StoreConfig = {
    home: settings.home ?? (fileHome === undefined ? undefined : resolve(projectDir, fileHome)),
    url: settings.url ?? project.store?.url,
    schema: settings.schema ?? project.store?.schema,
  }
  const dataDir = settings.dataDir === undefined ? undefined : resolve(cwd, settings.dataDir)
  const seed = settings.seed ?? 0
  const systemSettings: SystemSettings = { source: { dataDir, home: store.home, projectDir }, seed }
  if (file !== null) {
    for (const s of project.systems) {
      const local = 'file' in s.source && !s.source.url ? localSourcePath(s, systemSettings.source) : null
      if (local !== null && !existsSync(local)) throw configError(file, `system ${s.name}: data file ${local} does not exist`)
    }
  }
  let extra: readonly unknown[] = project.pipelines ?? []
  if (settings.pipelineModules?.length) {
    try {
      extra = [...extra, ...(await importPipelineModules(settings.pipelineModules.map((m) => resolve(cwd, m))))]
    } catch (e) {
      throw new ValidationError(`SML_PIPELINES_MODULE: ${describeLoadError(e)}`)
    }
  }
  let pipelines
  try {
    pipelines = pipelineList([...project.systems.flatMap((s) => systemPipelines(s, systemSettings)), ...extra])
  } catch (e) {
    if (e instanceof ValidationError) throw configError(file ?? 'built-in config', e.message, e.issues)
    throw e
  }
  return Object.freeze({ file, systems: project.systems, pipelines, store, dataDir, seed, settings: systemSettings, jobQueue: settings.jobQueue ?? {} })
}

/**
 * Imports a config module without a build step. `.js`/`.mjs` are plain ES modules; `.ts`/`.mts` go through
 * jiti, imported only here and only for such a file, so a start without a config never loads it.
 * The one place that knows how a config file is compiled: swap the loader here.
 */
export async function importConfigModule(file: string): Promise<unknown> {
  const ext = extname(file)
  const url = pathToFileURL(file).href
  if (ext === '.js' || ext === '.mjs') return import(url)
  if (ext === '.ts' || ext === '.mts') {
    // jiti compiles the TypeScript file itself; what it imports (serverless-ml included) is loaded natively
    // where it can be (tryNative), so the config and the CLI share one copy of the package.
    const { createJiti } = await import('jiti')
    return createJiti(import.meta.url, { tryNative: true, moduleCache: false }).import(file)
  }
  throw new Error(`a config file must end in .ts, .mts, .js or .mjs, not ${ext || '(none)'}`)
}

/** One line for an error thrown while importing a module: its first line, with the line number of a syntax error. */
function describeLoadError(e: unknown, file?: string): string {
  const err = e as Error
  const first = String(err?.message ?? e).split('\n').find((l) => l.trim() !== '') ?? String(e)
  // Node puts `file:///path:LINE` at the top of a SyntaxError's stack for an ES module; jiti's ParseError (a
  // TypeScript config) puts `/path:LINE:COLUMN` on its message's second line.
  const at = file && err instanceof SyntaxError ? new RegExp(`${escape(pathToFileURL(file).href)}:(\\d+)|${escape(file)}:(\\d+)`).exec(err.stack ?? '') : null
  // the file jiti names may be one the config imports (the scaffold's systems/<name>.ts): then name it
  const parse = file && !at && /ParseError/.test(first) ? /(\/[^\s:]+\.[cm]?[jt]sx?):(\d+):(\d+)/.exec(String(err?.message ?? '')) : null
  const where = parse && parse[1] !== file ? `in ${relative(dirname(file!), parse[1])}, ` : ''
  // jiti (babel) counts columns from 0; editors and tsc from 1
  const line = at ? ` (line ${at[1] ?? at[2]})` : parse ? ` (${where}line ${parse[2]}, column ${Number(parse[3]) + 1})` : ''
  return `${err instanceof SyntaxError && !/export named/.test(first) ? 'syntax error: ' : ''}${first.trim()}${line}`
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function configError(file: string, problem: string, issues: readonly { column?: string; reason: string }[] = []): ValidationError {
  return new ValidationError(`config ${file}: ${problem.replace(/\s*\n\s*/g, ' ')}`, issues.length ? issues : [{ reason: problem }])
}
