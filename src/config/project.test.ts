// A user's own system, end to end, from a project directory: the config defines `wine` with the public API
// only, and the CLI, the runner and the web app serve it with no change to src/cli, src/runtime or src/web.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase, type TestDatabase } from '../db/test-support/dialects.js'
import { createApp, createServices } from '../web/index.js'
import { loadConfig } from './load-config.js'
import { openStore } from './open-store.js'
import { tempProject, WINE_CONFIG } from './test-support/project.js'

const MAIN = fileURLToPath(new URL('../../dist/bin/main.js', import.meta.url))

/** The built `sml` (as a user installs it; `npm run build` first), run in `cwd`. */
function runSml(args: readonly string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

describe.each(testDialectNames())('a project with its own system on %s', (dialect) => {
  const project = tempProject({ 'sml.config.mjs': WINE_CONFIG, 'bad.mjs': WINE_CONFIG.replace("{ value: 3, name: 'Cultivar 3'", "{ value: 4, name: 'Cultivar 3'") })
  afterAll(() => project.remove())
  let tdb: TestDatabase
  let db: SqlDialect
  useTestDatabase(dialect, (t, d) => {
    tdb = t
    db = d
  })
  // The data directory of other suites must not stand in for the project's own wine.csv.
  const env = () => ({ ...tdb.env, SML_DATA_DIR: '' })

  it('lists, backfills and trains the system with sml, and serves its predictions', async () => {
    const listed = await runSml(['pipelines', '--json'], env(), project.dir)
    expect(listed.stderr).toBe('')
    expect(JSON.parse(listed.stdout).map((p: { name: string }) => p.name)).toEqual(['wine-batch-inference', 'wine-daily', 'wine-feature', 'wine-training'])
    const feature = await runSml(['run', 'wine-feature'], env(), project.dir)
    expect(feature.stderr).toMatch(/wine-feature: succeeded .*\n$/)
    expect(feature.stderr).toContain(`read 178 rows from ${project.dir}/wine.csv`)
    const training = await runSml(['run', 'wine-training'], env(), project.dir)
    expect(training.stderr).toMatch(/registered wine_model v1; production → v1/)
    expect(training.code).toBe(0)

    const config = await loadConfig(undefined, { cwd: project.dir })
    const services = createServices(db, { systems: config.systems })
    try {
      const app = createApp(services)
      // The first wine of the file (cultivar 1).
      const sample = { alcohol: 14.23, malic_acid: 1.71, ash: 2.43, alcalinity_of_ash: 15.6, magnesium: 127, total_phenols: 2.8, flavanoids: 3.06, nonflavanoid_phenols: 0.28, proanthocyanins: 2.29, color_intensity: 5.64, hue: 1.04, od280_od315_of_diluted_wines: 3.92, proline: 1065 }
      const res = await app.request('/api/wine/predict', { method: 'POST', body: JSON.stringify(sample), headers: { 'content-type': 'application/json' } })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ prediction: 'Cultivar 1', modelVersion: 1 })
      for (const page of ['/', '/wine', '/wine/monitor']) expect((await app.request(page)).status, page).toBe(200)
      expect(await (await app.request('/wine')).text()).toContain('Wine cultivar')
      expect((await app.request('/api/iris/predict', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404)
    } finally {
      await services.requestLog.close()
    }
  })

  it('opens the same store through openStore(config)', async () => {
    const config = await loadConfig(undefined, { cwd: project.dir, ...(tdb.env.DATABASE_URL ? { url: tdb.env.DATABASE_URL, schema: tdb.env.SML_PG_SCHEMA } : { home: tdb.env.SML_HOME }) })
    const store = await openStore(config)
    try {
      expect((await store.registry.list()).map((m) => m.name)).toContain('wine_model')
      expect((await store.runs.list({ pipeline: 'wine-training' }))[0].status).toBe('succeeded')
      expect((await store.featureStore.getFeatureGroup('wine', 1)).name).toBe('wine')
    } finally {
      await store.close()
      await store.close()
    }
  })

  it('refuses a bad config in one line naming the file, exit 1, no stack', async () => {
    for (const args of [['--config', 'bad.mjs', 'pipelines'], ['--config', 'missing.mjs', 'run', 'wine-feature']]) {
      const r = await runSml(args, env(), project.dir)
      expect(r.code).toBe(1)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(new RegExp(`^error: config ${project.dir}/${args[1]}: `))
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
    const bad = await runSml(['--config', 'bad.mjs', 'pipelines'], env(), project.dir)
    expect(bad.stderr).toContain('invalid system "wine": label.classes[2].value: 4 is not allowed by the expectation on "cultivar" (1, 2, 3); label.classes: allowed value 3 of "cultivar" has no class')
  })
})
