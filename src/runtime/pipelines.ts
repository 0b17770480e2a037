import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { NotFoundError, ValidationError } from '../db/index.js'
import { isPipeline, type Pipeline } from './pipeline.js'

/**
 * The pipelines `sml run` and `sml worker` know, by name. Layers above the runtime add theirs
 * declaratively: a module exports pipelines (each export a Pipeline or an array of them) and is
 * registered with `registerModule()` — the CLI registers the shipped systems' module this way — or
 * listed in `SML_PIPELINES_MODULE` (paths separated by `,`, resolved from the current directory;
 * e.g. test fixtures or a project's own pipelines), which `loadPipelines()` imports.
 */
const registered = new Map<string, Pipeline>()

export const PIPELINES_MODULE_ENV = 'SML_PIPELINES_MODULE'

/** Adds pipelines; the same name twice with different definitions is refused. */
export function registerPipeline(...pipelines: readonly Pipeline[]): void {
  for (const p of pipelines) {
    if (!isPipeline(p)) throw new ValidationError(`not a pipeline: make it with definePipeline()`)
    const had = registered.get(p.name)
    if (had && had !== p) throw new ValidationError(`two pipelines are named ${p.name}`, [{ column: 'name', reason: 'duplicate pipeline name' }])
    registered.set(p.name, p)
  }
}

export function getPipeline(name: string): Pipeline {
  const p = registered.get(name)
  if (!p) {
    const known = [...registered.keys()].sort()
    throw new NotFoundError(`no pipeline ${name} (known: ${known.length ? known.join(', ') : `none — set ${PIPELINES_MODULE_ENV}`})`)
  }
  return p
}

export function listPipelines(): Pipeline[] {
  return [...registered.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** Registers every pipeline a module exports (a Pipeline, or an array of them, per export). */
export function registerModule(mod: Record<string, unknown>): Pipeline[] {
  const found = Object.values(mod).flatMap((v) => (Array.isArray(v) ? v : [v])).filter(isPipeline)
  registerPipeline(...found)
  return found
}

/** Imports the modules named in SML_PIPELINES_MODULE; returns every registered pipeline. */
export async function loadPipelines(env: NodeJS.ProcessEnv = process.env): Promise<Pipeline[]> {
  for (const path of (env[PIPELINES_MODULE_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const url = pathToFileURL(isAbsolute(path) ? path : resolve(path)).href
    registerModule(await import(url))
  }
  return listPipelines()
}
