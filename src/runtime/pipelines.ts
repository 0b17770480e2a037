import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { NotFoundError, ValidationError } from '../db/index.js'
import { isPipeline, type Pipeline } from './pipeline.js'

/**
 * The pipelines `sml run` and `sml worker` know, by name. Layers above the runtime add theirs
 * declaratively: a module exports pipelines (each export a Pipeline or an array of them) and is
 * loaded by `loadPipelines()`:
 *   - `src/systems/index.ts` (compiled `dist/systems/index.js`) when it exists, and
 *   - every module listed in `SML_PIPELINES_MODULE` (paths separated by `,`), e.g. test fixtures
 *     or a project's own pipelines, resolved from the current directory.
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
  return [...registered.values()].sort((a, b) => a.name.localeCompare(b.name))
}

/** Registers every pipeline a module exports (a Pipeline, or an array of them, per export). */
export function registerModule(mod: Record<string, unknown>): Pipeline[] {
  const found = Object.values(mod).flatMap((v) => (Array.isArray(v) ? v : [v])).filter(isPipeline)
  registerPipeline(...found)
  return found
}

const SYSTEMS_MODULE = new URL('../systems/index.js', import.meta.url)

/** Imports the systems module (if built) and the modules named in SML_PIPELINES_MODULE; returns all known pipelines. */
export async function loadPipelines(env: NodeJS.ProcessEnv = process.env): Promise<Pipeline[]> {
  try {
    registerModule(await import(SYSTEMS_MODULE.href))
  } catch (e) {
    const err = e as { code?: string; message?: string; url?: string }
    const missing = err.code === 'ERR_MODULE_NOT_FOUND' && (err.url === SYSTEMS_MODULE.href || err.message?.includes(SYSTEMS_MODULE.pathname))
    if (!missing) throw e
  }
  for (const path of (env[PIPELINES_MODULE_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const url = pathToFileURL(isAbsolute(path) ? path : resolve(path)).href
    registerModule(await import(url))
  }
  return listPipelines()
}
