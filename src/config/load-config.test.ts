import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ValidationError } from '../db/index.js'
import { definePipeline } from '../runtime/index.js'
import { iris, titanic } from '../systems/index.js'
import { defineConfig } from './config.js'
import { findConfigFile, loadConfig, settingsFromEnv } from './load-config.js'
import { storeLocation } from './env.js'
import { tempProject, WINE_CONFIG } from './test-support/project.js'

const projects: { remove(): void }[] = []
afterAll(() => projects.forEach((p) => p.remove()))
function project(files: Record<string, string>) {
  const p = tempProject(files)
  projects.push(p)
  return p.dir
}

/** The message of what `loadConfig` throws. */
async function loadError(path: string | undefined, cwd: string): Promise<ValidationError> {
  try {
    await loadConfig(path, { cwd })
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError)
    return e as ValidationError
  }
  throw new Error('loadConfig did not throw')
}

describe('loadConfig', () => {
  it('without a config file gives the built-in iris, titanic and air quality config with their pipelines', async () => {
    const dir = project({})
    expect(findConfigFile(undefined, dir)).toBeNull()
    const config = await loadConfig(undefined, { cwd: dir })
    expect(config.file).toBeNull()
    expect(config.systems.slice(0, 2)).toEqual([iris, titanic])
    expect(config.systems.map((s) => s.name)).toEqual(['iris', 'titanic', 'air_quality'])
    expect(config.pipelines.map((p) => p.name)).toEqual([
      'air_quality-batch-inference', 'air_quality-daily', 'air_quality-feature', 'air_quality-training',
      'iris-batch-inference', 'iris-daily', 'iris-feature', 'iris-training',
      'titanic-batch-inference', 'titanic-daily', 'titanic-feature', 'titanic-training',
    ])
    expect(config.seed).toBe(0)
    expect(config.settings.source?.projectDir).toBe(dir)
  })

  it("finds sml.config.mjs in the working directory and takes its systems, and the flags' store over the file's", async () => {
    const dir = project({ 'sml.config.mjs': WINE_CONFIG.replace('defineConfig({ systems: [wine] })', "defineConfig({ systems: [wine], store: { home: 'from-file' } })") })
    const config = await loadConfig(undefined, { cwd: dir, seed: 7 })
    expect(config.file).toBe(join(dir, 'sml.config.mjs'))
    expect(config.systems.map((s) => s.name)).toEqual(['wine'])
    expect(config.pipelines.map((p) => p.name)).toEqual(['wine-batch-inference', 'wine-daily', 'wine-feature', 'wine-training'])
    expect(config.store).toEqual({ home: join(dir, 'from-file'), url: undefined, schema: undefined })
    expect(config.seed).toBe(7)
    expect((await loadConfig(undefined, { cwd: dir, home: '/elsewhere' })).store.home).toBe('/elsewhere')
    // the file's relative home is the project's folder from anywhere (a subfolder, --config from elsewhere)
    mkdirSync(join(dir, 'sub'))
    expect((await loadConfig(undefined, { cwd: join(dir, 'sub'), configFile: '../sml.config.mjs' })).store.home).toBe(join(dir, 'from-file'))
    expect((await loadConfig(join(dir, 'sml.config.mjs'), { cwd: tmpdir() })).store.home).toBe(join(dir, 'from-file'))
  })

  it('loads a file named by path, and adds the pipelines of SML_PIPELINES_MODULE modules', async () => {
    const dir = project({
      'other.mjs': WINE_CONFIG,
      'extra.mjs': "import { definePipeline } from 'serverless-ml'\nexport const hello = definePipeline({ name: 'hello', run() {} })\n",
    })
    const config = await loadConfig('other.mjs', { cwd: dir, pipelineModules: ['extra.mjs'] })
    expect(config.file).toBe(join(dir, 'other.mjs'))
    expect(config.pipelines.map((p) => p.name)).toContain('hello')
  })

  it('turns every bad config into one line naming the file and the problem', async () => {
    const dir = project({
      'syntax.mjs': 'export default {\n  systems: [,\n',
      'invalid.mjs': WINE_CONFIG.replace("export default defineConfig({ systems: [wine] })", "export default { systems: [{ ...wine, name: 'api', fields: wine.fields.slice(1) }] }").replace("export const wine = defineSystem(", 'export const wine = ('),
      'throws.mjs': WINE_CONFIG.replace("name: 'wine',", "name: 'runs',"),
      'nodefault.mjs': 'export const x = 1\n',
      'nodata.mjs': WINE_CONFIG.replace("file: 'wine.csv'", "file: 'nope.csv'"),
      'cron.mjs': WINE_CONFIG.replace(/daily: '[^']*'/, "daily: '61 6 * * *'"),
      'config.json': '{}',
      'syntax.ts': 'export default {\n  systems: [\n    ({ name: "x" \n  ]\n}\n',
      'imports-broken.ts': "import { broken } from './broken-system.js'\nexport default { systems: [broken] }\n",
      'broken-system.ts': 'export const broken = {\n  name: "x",\n  training: { seed: 1 ,\n}\n',
    })
    const cases: [string, RegExp][] = [
      ['missing.mjs', /^config .*missing\.mjs: does not exist$/],
      // Node says "syntax error: Unexpected end of input (line 3)"; under vitest, vite parses the file first.
      ['syntax.mjs', /^config .*syntax\.mjs: (syntax error: Unexpected end of input|.*invalid JS syntax)/],
      ['invalid.mjs', /^config .*invalid\.mjs: systems\[0\]\.name: "api" is a route of the web app .*; systems\[0\]\.fields: model input "alcohol" has no field description$/],
      ['throws.mjs', /^config .*throws\.mjs: invalid system "runs": name: "runs" is a route of the web app/],
      ['nodefault.mjs', /^config .*nodefault\.mjs: has no default export: export default defineConfig/],
      ['nodata.mjs', /^config .*nodata\.mjs: system wine: data file .*nope\.csv does not exist$/],
      // croner's own reason, when the config loads: not after `sml start` has backfilled and trained.
      ['cron.mjs', /^config .*cron\.mjs: invalid system "wine": schedules\.daily: "61 6 \* \* \*": CronPattern: Invalid value for minute: 61$/],
      ['config.json', /^config .*config\.json: a config file must end in \.ts, \.mts, \.js or \.mjs, not \.json$/],
      // A TypeScript config's parse error (jiti's) says where.
      ['syntax.ts', /^config .*syntax\.ts: ParseError: Unexpected token, expected "," \(line 4, column 3\)$/],
      // in a file the config imports (the scaffold's systems/<name>.ts, where users edit): that file's name too
      ['imports-broken.ts', /^config .*imports-broken\.ts: ParseError: .* \(in broken-system\.ts, line \d+, column \d+\)$/],
    ]
    for (const [file, message] of cases) {
      const e = await loadError(file, dir)
      expect(e.message).toMatch(message)
      expect(e.message).not.toContain('\n')
    }
  })

  it('loads a TypeScript config', async () => {
    const dir = project({ 'sml.config.ts': WINE_CONFIG.replace("schedules: { daily: '0 7 * * *'", "schedules: { daily: '0 7 * * *' as string") })
    const config = await loadConfig(undefined, { cwd: dir })
    expect(config.file).toBe(join(dir, 'sml.config.ts'))
    expect(config.systems.map((s) => s.name)).toEqual(['wine'])
  })
})

describe('defineConfig', () => {
  it('refuses systems that clash and pipelines that share a name, listing each', () => {
    const extra = definePipeline({ name: 'iris-daily', run() {} })
    expect(() => defineConfig({ systems: [iris, iris] })).toThrow(/^invalid config: systems\[1\]\.name: "iris" is also the name of systems\[0\]; systems\[1\]\.model\.name: "iris_model" is also the model/)
    expect(() => defineConfig({ systems: [iris], pipelines: [extra, 'x' as never] })).toThrow(
      'invalid config: pipelines[0].name: "iris-daily" is also a pipeline of system iris; pipelines[1]: is not a pipeline: make it with definePipeline()',
    )
    expect(() => defineConfig({ systems: [titanic], store: { home: 1 as never, path: 'x' } as never })).toThrow('invalid config: store.home: must be a string; store.path: is not a store setting (home, url, schema)')
    expect(() => defineConfig({ systems: [titanic], store: { url: 'postgres://h/db', schema: 'Mixed' } })).toThrow('invalid config: store.schema: must be lowercase letters, digits and _, starting with a letter or _')
    expect(defineConfig({ systems: [iris] }).systems).toEqual([iris])
  })
})

describe('settingsFromEnv', () => {
  it('reads the environment once, empty values unset', () => {
    expect(settingsFromEnv({ SML_CONFIG: 'a.mjs', SML_HOME: '/h', DATABASE_URL: '', SML_SEED: '3', SML_PIPELINES_MODULE: 'a.mjs, b.mjs' })).toEqual({
      configFile: 'a.mjs', dataDir: undefined, home: '/h', url: undefined, schema: undefined, seed: 3, pipelineModules: ['a.mjs', 'b.mjs'],
      jobQueue: { pollSeconds: undefined, maintenanceSeconds: undefined, expireGraceSeconds: undefined },
      airQuality: { url: undefined, token: undefined },
    })
    expect(() => settingsFromEnv({ SML_SEED: 'x' })).toThrow('SML_SEED must be an integer, got "x"')
    // Not a postgres URL (pg would take "notaurl" for a host); the value is not echoed (a URL may hold a password).
    for (const url of ['notaurl', 'mysql://u:secret@h/db', 'postgres:/x']) expect(() => settingsFromEnv({ DATABASE_URL: url })).toThrow(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL \(unset it for the embedded SQLite store\)$/)
    expect(settingsFromEnv({ DATABASE_URL: 'postgresql://u:p@h:5432/db?sslmode=require' }).url).toBe('postgresql://u:p@h:5432/db?sslmode=require')
    expect(settingsFromEnv({ SML_BOSS_POLL_SECONDS: '0.5', SML_BOSS_EXPIRE_GRACE_SECONDS: '1' }).jobQueue).toEqual({ pollSeconds: 0.5, maintenanceSeconds: undefined, expireGraceSeconds: 1 })
    expect(() => settingsFromEnv({ SML_BOSS_MAINTENANCE_SECONDS: '-1' })).toThrow('SML_BOSS_MAINTENANCE_SECONDS must be a positive number of seconds, got "-1"')
    expect(settingsFromEnv({ SML_AQ_URL: 'http://127.0.0.1:8/feed/@1/', SML_AQ_TOKEN: 't' }).airQuality).toEqual({ url: 'http://127.0.0.1:8/feed/@1/', token: 't' })
    expect(() => settingsFromEnv({ SML_AQ_URL: 'api.waqi.info/feed' })).toThrow('SML_AQ_URL must be an http(s) URL, got "api.waqi.info/feed"')
    // PostgreSQL folds an unquoted name to lowercase: a schema created as "Trial" would not be the one searched
    expect(settingsFromEnv({ SML_PG_SCHEMA: 'trial_2' }).schema).toBe('trial_2')
    for (const schema of ['Trial', 'bad-schema;drop', 'a"b', '9lives'])
      expect(() => settingsFromEnv({ SML_PG_SCHEMA: schema })).toThrow(`SML_PG_SCHEMA must be lowercase letters, digits and _, starting with a letter or _, got ${JSON.stringify(schema)}`)
    expect(() => settingsFromEnv({ SML_PG_SCHEMA: 's'.repeat(59) })).toThrow("SML_PG_SCHEMA must be at most 58 characters (its job queue's schema adds _boss)")
    expect(() => settingsFromEnv({ SML_PG_SCHEMA: 's'.repeat(67) })).toThrow("SML_PG_SCHEMA must be at most 58 characters (its job queue's schema adds _boss)")
    expect(() => settingsFromEnv({ SML_PG_SCHEMA: 'pg_trial' })).toThrow('SML_PG_SCHEMA must not start with pg_ (PostgreSQL reserves those names), got "pg_trial"')
  })

  it('takes the store a caller names, else the environment’s', () => {
    const env = { DATABASE_URL: 'postgres://x/db', SML_HOME: '/h', SML_PG_SCHEMA: 's' }
    expect(storeLocation({}, env)).toEqual({ url: 'postgres://x/db', home: '/h', schema: 's' })
    expect(storeLocation({ home: '/mine' }, env)).toEqual({ home: '/mine' })
    expect(storeLocation({ url: 'postgres://y/db' }, env)).toEqual({ url: 'postgres://y/db' })
    expect(storeLocation({}, { DATABASE_URL: '' })).toEqual({ url: undefined, home: undefined, schema: undefined })
  })
})
