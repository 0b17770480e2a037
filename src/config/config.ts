import { schemaNameProblem, ValidationError, type ValidationIssue } from '../db/index.js'
import { isPipeline, type JobQueueTuning, type Pipeline } from '../runtime/index.js'
import type { StoreConfig } from './env.js'

export type { StoreConfig } from './env.js'
import { systemIssues, systemPipelines, systemSetIssues, type SystemDescription, type SystemSettings } from '../systems/index.js'

/** What a project's `sml.config.ts` exports (through `defineConfig`). */
export interface ProjectConfig {
  /** The systems to serve and run, each made with `defineSystem`. */
  readonly systems: readonly SystemDescription[]
  /** Pipelines of the project's own, beside the four each system gets. */
  readonly pipelines?: readonly Pipeline[]
  readonly store?: StoreConfig
}

/**
 * Everything a process runs with, read once at the edge (`loadConfig`: config file, then flags and
 * environment) and passed down; nothing below reads the environment for these.
 */
export interface Config {
  /** The config file it came from; null for the built-in config (iris, titanic, air quality). */
  readonly file: string | null
  readonly systems: readonly SystemDescription[]
  /** Every pipeline `sml run` and the worker know: each system's four, then the project's own; sorted by name. */
  readonly pipelines: readonly Pipeline[]
  readonly store: StoreConfig
  /** Directory holding the source CSV files (--data-dir, SML_DATA_DIR); unset = download / project files. */
  readonly dataDir?: string
  /** Mixed into each synthetic day's seed (SML_SEED); default 0. */
  readonly seed: number
  /** dataDir, seed and the project directory as the systems' pipelines take them (bootstrapSystem, runDemo). */
  readonly settings: SystemSettings
  /** The pg-boss job queue's timings for `sml worker` (SML_BOSS_*); empty = its defaults. */
  readonly jobQueue: JobQueueTuning
}

/**
 * Declares a project's configuration (the default export of `sml.config.ts`). Checks it at once: every
 * system valid (as `defineSystem` checks it), no two systems sharing a name, model or table, pipelines made
 * with `definePipeline` and no two of them (systems' included) sharing a name. Throws one ValidationError
 * listing every problem (`issues[].column` is a path such as `systems[1].fields[0].name`).
 */
export function defineConfig(config: ProjectConfig): ProjectConfig {
  const issues = projectConfigIssues(config)
  if (issues.length) throw new ValidationError(`invalid config: ${issues.map((i) => (i.column ? `${i.column}: ${i.reason}` : i.reason)).join('; ')}`, issues)
  return Object.freeze({ ...config })
}

export function projectConfigIssues(config: ProjectConfig): ValidationIssue[] {
  if (typeof config !== 'object' || config === null) return [{ reason: 'the config must be an object: export default defineConfig({ systems: [...] })' }]
  const issues: ValidationIssue[] = []
  if (!Array.isArray(config.systems)) issues.push({ column: 'systems', reason: 'must be an array of systems made with defineSystem' })
  const systems: SystemDescription[] = Array.isArray(config.systems) ? config.systems : []
  systems.forEach((s, i) => {
    for (const issue of systemIssues(s)) issues.push({ column: `systems[${i}]${issue.column ? `.${issue.column}` : ''}`, reason: issue.reason })
  })
  if (issues.length === 0) issues.push(...systemSetIssues(systems))
  const pipelines: unknown[] = config.pipelines === undefined ? [] : Array.isArray(config.pipelines) ? config.pipelines : (issues.push({ column: 'pipelines', reason: 'must be an array of pipelines' }), [])
  const names = new Map<string, string>()
  if (issues.length === 0) for (const s of systems) for (const p of systemPipelines(s)) names.set(p.name, `a pipeline of system ${s.name}`)
  pipelines.forEach((p, i) => {
    if (!isPipeline(p)) return void issues.push({ column: `pipelines[${i}]`, reason: 'is not a pipeline: make it with definePipeline()' })
    const had = names.get(p.name)
    if (had) issues.push({ column: `pipelines[${i}].name`, reason: `"${p.name}" is also ${had}` })
    names.set(p.name, `pipelines[${i}]`)
  })
  const store = config.store
  if (store !== undefined) {
    if (typeof store !== 'object' || store === null) issues.push({ column: 'store', reason: 'must be { home?, url?, schema? }' })
    else
      for (const k of Object.keys(store)) {
        if (!['home', 'url', 'schema'].includes(k)) issues.push({ column: `store.${k}`, reason: 'is not a store setting (home, url, schema)' })
        else if (typeof (store as Record<string, unknown>)[k] !== 'string') issues.push({ column: `store.${k}`, reason: 'must be a string' })
        else if (k === 'schema') {
          const problem = schemaNameProblem((store as Record<string, string>)[k])
          if (problem !== undefined) issues.push({ column: 'store.schema', reason: problem })
        }
      }
  }
  return issues
}
