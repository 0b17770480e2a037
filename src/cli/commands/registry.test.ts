import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../../db/test-support/dialects.js'
import { ModelRegistry, sha256Hex } from '../../registry/index.js'
import { runSml } from '../test-support/run-sml.js'

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url))
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255, 10, 13])

describe.each(testDialectNames())('sml models on %s', (dialect) => {
  let tdb: TestDatabase
  beforeAll(async () => {
    tdb = createTestDatabase(dialect)
    const reg = new ModelRegistry(await tdb.open())
    await reg.create({ name: 'iris_knn', metrics: { accuracy: 0.9 }, featureView: { name: 'iris', version: 1 }, commitId: 7, artifacts: { 'confusion_matrix.png': png } })
    await reg.create({ name: 'iris_knn', metrics: { accuracy: 0.95 }, model: { kind: 'knn' } })
    await reg.setAlias('iris_knn', 'production', 1)
    await reg.close()
  })
  afterAll(async () => {
    await tdb.drop()
  })
  const sml = (...args: string[]) => runSml(args, tdb.env)

  it('lists, shows and streams raw artifact bytes', async () => {
    const list = JSON.parse((await sml('models', 'list', '--json')).stdout)
    expect(list).toEqual([expect.objectContaining({ name: 'iris_knn', versions: 2, latestVersion: 2, aliases: { production: 1 } })])
    const show = await sml('models', 'show', 'iris_knn', '--version', '1')
    expect(show.code).toBe(0)
    expect(show.stdout).toMatch(/iris_knn v1 \(production\)/)
    expect(show.stdout).toMatch(/feature view: +iris v1/)
    expect(show.stdout).toContain(`confusion_matrix.png  10     ${sha256Hex(png)}`)
    const json = JSON.parse((await sml('models', 'show', 'iris_knn', '--json')).stdout)
    expect(json).toMatchObject({ version: 2, metrics: { accuracy: 0.95 }, versions: [1, 2] })

    const bytes = await new Promise<Buffer>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', MAIN, 'models', 'artifact', 'iris_knn', 'confusion_matrix.png', '--version', '1'], { env: { ...process.env, ...tdb.env }, encoding: 'buffer' }, (e, out) =>
        e ? reject(e) : resolve(out),
      ),
    )
    expect(Array.from(bytes)).toEqual(Array.from(png))
    const missing = await sml('models', 'artifact', 'iris_knn', 'nope.svg')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/has no artifact nope.svg/)
  })
})
