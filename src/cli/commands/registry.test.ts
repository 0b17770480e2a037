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
    const figures = { decidedBy: 'training', actor: 'titanic-training run 2', metric: 'accuracy', evaluationRows: 37 } as const
    await reg.create({ name: 'titanic_rf', metrics: { accuracy: 140 / 178 }, promotion: { ...figures, promoted: true, candidateScore: 140 / 178, evaluationRows: 178, reason: 'no version was in production: the first one takes it' } })
    await reg.create({
      name: 'titanic_rf',
      metrics: { accuracy: 141 / 178 },
      promotion: { ...figures, promoted: false, candidateScore: 30 / 37, productionVersion: 1, productionScore: 32 / 37, reason: "worse: accuracy 0.8108 vs production v1's 0.8649 on the same 37 test rows" },
    })
    await reg.close()
  })
  afterAll(async () => {
    await tdb.drop()
  })
  const sml = (...args: string[]) => runSml(args, tdb.env)

  it('lists, shows and streams raw artifact bytes', async () => {
    const list = JSON.parse((await sml('models', 'list', '--json')).stdout)
    expect(list.map((m: { name: string }) => m.name)).toEqual(['iris_knn', 'titanic_rf'])
    expect(list[0]).toEqual(expect.objectContaining({ name: 'iris_knn', versions: 2, latestVersion: 2, aliases: { production: 1 } }))
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

  it('shows both figures of a promotion decision; promote moves production by hand and records it; mistakes are one line', async () => {
    const show = await sml('models', 'show', 'titanic_rf', '--version', '2')
    expect(show.code).toBe(0)
    expect(show.stdout).toContain('training (titanic-training run 2): production stayed on v1')
    expect(show.stdout).toContain('accuracy on the same 37 rows: v2 0.8108 · v1 0.8649')
    expect(show.stdout).toContain("worse: accuracy 0.8108 vs production v1's 0.8649 on the same 37 test rows")

    const promote = await sml('models', 'promote', 'titanic_rf', '2', '--reason', 'fairer on new passengers', '--json')
    expect(promote.code).toBe(0)
    const out = JSON.parse(promote.stdout)
    expect(out).toMatchObject({ name: 'titanic_rf', alias: 'production', version: 2, previousVersion: 1, promotion: { decidedBy: 'manual', promoted: true, reason: 'fairer on new passengers', productionVersion: 1 } })
    expect(typeof out.promotion.actor).toBe('string')
    const json = JSON.parse((await sml('models', 'show', 'titanic_rf', '--alias', 'production', '--json')).stdout)
    expect(json).toMatchObject({ version: 2, aliases: ['production'] })
    expect(json.promotions.map((p: { decidedBy: string }) => p.decidedBy)).toEqual(['training', 'manual'])

    for (const [args, code, line] of [
      [['titanic_rf', '9'], 1, 'error: model titanic_rf has no version 9 (versions: 1, 2)'],
      [['nosuch', '1'], 1, 'error: no model nosuch in the registry'],
      [['titanic_rf', 'two'], 2, 'error: VERSION must be a positive integer, got "two" (see sml models promote --help)'],
      [['titanic_rf'], 2, "error: missing required argument 'version' (see sml models promote --help)"],
    ] as const) {
      const r = await sml('models', 'promote', ...args)
      expect([r.code, r.stderr]).toEqual([code, `${line}\n`])
    }
  })
})
