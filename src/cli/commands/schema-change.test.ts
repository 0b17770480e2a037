import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { testDialectNames, useTestDatabase, type TestDatabase } from '../../db/test-support/dialects.js'
import { tempProject, WINE_CONFIG } from '../../config/test-support/project.js'
import { runSml } from '../test-support/run-sml.js'

// The user trial: a column added to the scaffolded wine system (schema, field, source) with its group left at v1.
// Before, the feature run said "nothing to write", training moved production, and serve dropped every logged request.
const project = tempProject({ 'sml.config.mjs': WINE_CONFIG, 'changed.config.mjs': WINE_CONFIG.replace("'proline']", "'proline', 'extra']") })
afterAll(() => project.remove())
const REFUSAL =
  'feature group wine v1 already exists with a different schema: column "extra" is not in the stored one. Give the changed definition a new version (version: 2) — a version\'s schema never changes'

describe.each(testDialectNames())('sml with a system schema changed at the same version, on %s', (dialect) => {
  let tdb: TestDatabase
  useTestDatabase(dialect, async (t) => {
    tdb = t
  })
  const sml = (config: string, ...args: string[]) => runSml(args, { ...tdb.env, SML_CONFIG: join(project.dir, config) })

  it('serve and the training run refuse it in one line, before serving or training anything', async () => {
    const feature = await sml('sml.config.mjs', 'run', 'wine-feature')
    expect(feature.code).toBe(0)
    const serve = await sml('changed.config.mjs', 'serve', '--port', '0')
    expect(serve.code).toBe(1)
    expect(serve.stderr).toBe(`error: ${REFUSAL}\n`)
    const training = await sml('changed.config.mjs', 'run', 'wine-training')
    expect(training.code).not.toBe(0)
    expect(training.stdout + training.stderr).toContain(REFUSAL)
    expect((await sml('changed.config.mjs', 'models', 'list')).stdout).not.toContain('wine_model')
  }, 120_000)
})
