import type { SourceOptions } from './source.js'

/**
 * What a system's pipelines need from the process's configuration, resolved once at the edge
 * (`loadConfig`) and passed down: where source files are read from, and the seed of synthetic days.
 */
export interface SystemSettings {
  readonly source?: SourceOptions
  /** Mixed into each synthetic day's seed (`syntheticSeed`); default 0. */
  readonly seed?: number
}
