import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { NotFoundError, ValidationError } from '../db/index.js'
import { isPipeline, type Pipeline } from './pipeline.js'

/**
 * Pipelines are passed around as lists (the project config's, handed to `sml run` and the worker); there is no
 * process-wide registry. These helpers look one up, check a list, and collect the pipelines a module exports.
 */

/** The pipeline named `name` in `pipelines`; a NotFoundError listing the known names otherwise. */
export function findPipeline(pipelines: readonly Pipeline[], name: string): Pipeline {
  const p = pipelines.find((q) => q.name === name)
  if (!p) {
    const known = pipelines.map((q) => q.name).sort()
    throw new NotFoundError(`no pipeline ${name} (known: ${known.length ? known.join(', ') : 'none — add systems or pipelines to sml.config.ts'})`)
  }
  return p
}

/** Checks that every entry is a Pipeline and names are unique; returns them sorted by name. */
export function pipelineList(pipelines: readonly unknown[]): Pipeline[] {
  const byName = new Map<string, Pipeline>()
  for (const p of pipelines) {
    if (!isPipeline(p)) throw new ValidationError(`not a pipeline: make it with definePipeline()`)
    const had = byName.get(p.name)
    if (had && had !== p) throw new ValidationError(`two pipelines are named ${p.name}`, [{ path: 'name', reason: 'duplicate pipeline name' }])
    byName.set(p.name, p)
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** Every pipeline a module exports (a Pipeline, or an array of them, per export). */
export function modulePipelines(mod: Record<string, unknown>): Pipeline[] {
  return Object.values(mod).flatMap((v) => (Array.isArray(v) ? v : [v])).filter(isPipeline)
}

/** Imports modules by path (resolved from the current directory) and returns the pipelines they export. */
export async function importPipelineModules(paths: readonly string[]): Promise<Pipeline[]> {
  const found: Pipeline[] = []
  for (const path of paths) found.push(...modulePipelines(await import(pathToFileURL(isAbsolute(path) ? path : resolve(path)).href)))
  return found
}
