import { ValidationError } from '../errors/index.js'
import { schemaNameProblem } from '../db/identifiers.js'
import type { JobQueueTuning } from '../runtime/schedulers/scheduler.js'

/**
 * The one module that reads the process environment for the configuration (the CLI and `openStore()` call it,
 * once, at the edge); everything below takes the typed values it returns. It imports nothing heavy, so a CLI
 * command that only needs the store's location starts fast.
 */

/** Where the store lives: PostgreSQL when `url` is given, else the SQLite file `sml.db` under `home`. */
export interface StoreConfig {
  /** Directory of the embedded store (SML_HOME); default `./.sml`. Relative in a config file: from the file's folder. */
  readonly home?: string
  /** `postgres://…` (DATABASE_URL). */
  readonly url?: string
  /** PostgreSQL schema to work in (SML_PG_SCHEMA). */
  readonly schema?: string
}

/** What the edge (CLI flags, environment) contributes; flags override the environment. */
export interface ConfigSettings {
  /** The config file (--config, SML_CONFIG); default the first of CONFIG_FILES in `cwd`. */
  readonly configFile?: string
  readonly dataDir?: string
  readonly home?: string
  readonly url?: string
  readonly schema?: string
  readonly seed?: number
  /** Modules whose exported pipelines are added (SML_PIPELINES_MODULE, `,`-separated): test fixtures, benches. */
  readonly pipelineModules?: readonly string[]
  /** Where config files are looked for and relative paths resolved; default the current directory. */
  readonly cwd?: string
  /** The pg-boss job queue's timings (SML_BOSS_POLL_SECONDS, SML_BOSS_MAINTENANCE_SECONDS, SML_BOSS_EXPIRE_GRACE_SECONDS). */
  readonly jobQueue?: JobQueueTuning
  /** The built-in air-quality system's live feed (SML_AQ_URL, SML_AQ_TOKEN); no URL = offline replay. */
  readonly airQuality?: { readonly url?: string; readonly token?: string }
}

/**
 * The settings the environment gives, read once here: SML_CONFIG, SML_DATA_DIR, SML_HOME, DATABASE_URL,
 * SML_PG_SCHEMA, SML_SEED, SML_PIPELINES_MODULE, SML_BOSS_*, SML_AQ_URL, SML_AQ_TOKEN. Empty values count as unset.
 * @throws ValidationError when SML_SEED is not an integer, SML_PG_SCHEMA not a plain lowercase identifier (schemaNameProblem), an SML_BOSS_* value not a positive number, or SML_AQ_URL
 *   not an http(s) URL.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigSettings {
  const v = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name])
  const seed = v('SML_SEED')
  if (seed !== undefined && !Number.isInteger(Number(seed)))
    throw new ValidationError(`SML_SEED must be an integer, got ${JSON.stringify(seed)}`, [{ column: 'SML_SEED', reason: 'must be an integer' }])
  const seconds = (name: string) => {
    const text = v(name)
    if (text === undefined) return undefined
    const n = Number(text)
    if (!(Number.isFinite(n) && n > 0)) throw new ValidationError(`${name} must be a positive number of seconds, got ${JSON.stringify(text)}`, [{ column: name, reason: 'must be a positive number' }])
    return n
  }
  const jobQueue: JobQueueTuning = {
    pollSeconds: seconds('SML_BOSS_POLL_SECONDS'),
    maintenanceSeconds: seconds('SML_BOSS_MAINTENANCE_SECONDS'),
    expireGraceSeconds: seconds('SML_BOSS_EXPIRE_GRACE_SECONDS'),
  }
  const url = v('DATABASE_URL')
  // pg reads anything as a connection string ("notaurl" became a host named "base"): only a postgres URL is one.
  if (url !== undefined && (!/^postgres(ql)?:\/\/[^\s]*$/.test(url) || !parsesAsUrl(url)))
    throw new ValidationError(
      `DATABASE_URL must be a postgres:// or postgresql:// URL (unset it for the embedded SQLite store)${/^\s|\s$/.test(url) ? '; it starts or ends with a space' : ''}`,
      [{ column: 'DATABASE_URL', reason: 'must be a postgres:// URL' }],
    )
  const schema = v('SML_PG_SCHEMA')
  const schemaProblem = schema === undefined ? undefined : schemaNameProblem(schema)
  if (schemaProblem !== undefined) throw new ValidationError(`SML_PG_SCHEMA ${schemaProblem}, got ${JSON.stringify(schema)}`, [{ path: 'SML_PG_SCHEMA', reason: schemaProblem }])
  const aqUrl = v('SML_AQ_URL')
  if (aqUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(aqUrl))
    throw new ValidationError(`SML_AQ_URL must be an http(s) URL, got ${JSON.stringify(aqUrl)}`, [{ column: 'SML_AQ_URL', reason: 'must be an http(s) URL' }])
  return {
    configFile: v('SML_CONFIG'),
    dataDir: v('SML_DATA_DIR'),
    home: v('SML_HOME'),
    url,
    schema,
    seed: seed === undefined ? undefined : Number(seed),
    pipelineModules: (v('SML_PIPELINES_MODULE') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    jobQueue,
    airQuality: { url: aqUrl, token: v('SML_AQ_TOKEN') },
  }
}

/**
 * The store a caller names, else the environment's (DATABASE_URL, SML_HOME, SML_PG_SCHEMA): naming `url` or
 * `home` chooses that store and ignores the environment's location, as `openDatabase` did when it read it.
 */
export function storeLocation(store: StoreConfig = {}, env: NodeJS.ProcessEnv = process.env): StoreConfig {
  if (store.url !== undefined || store.home !== undefined) return store
  const s = settingsFromEnv(env)
  return { url: s.url, home: s.home, schema: store.schema ?? s.schema }
}

/** True when `url` parses as a URL with a valid port (pg would throw "Invalid URL" with a stack at connect time). */
function parsesAsUrl(url: string): boolean {
  try {
    new URL(url)
    return true
  } catch {
    return false
  }
}
