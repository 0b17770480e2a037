import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError, ValidationError } from '../db/index.js'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../db/test-support/dialects.js'
import { ConflictError } from '../errors/index.js'
import { FeatureStore } from '../featurestore/index.js'
import type { ArtifactStore } from './artifact-store.js'
import { DatabaseArtifactStore } from './database-artifact-store.js'
import { ChecksumError } from './errors.js'
import { ModelRegistry, sha256Hex } from './model-registry.js'

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 1, 254])

describe.each(testDialectNames())('model registry on %s', (dialect) => {
  let tdb: TestDatabase
  let registry: ModelRegistry
  beforeAll(async () => {
    tdb = createTestDatabase(dialect)
    registry = new ModelRegistry(await tdb.open())
  })
  afterAll(async () => {
    await registry.close()
    await tdb.drop()
  })

  it('numbers versions, keeps metrics and lineage to the feature view, training dataset and commit', async () => {
    const fs = new FeatureStore(registry.db)
    const fg = await fs.getOrCreateFeatureGroup({
      name: 'points',
      primaryKey: ['id'],
      schema: [
        { name: 'id', type: 'int' },
        { name: 'x', type: 'float' },
        { name: 'label', type: 'string' },
      ],
    })
    const commit = await fg.insert(Array.from({ length: 20 }, (_, i) => ({ id: i, x: i / 2, label: i % 2 ? 'odd' : 'even' })))
    const fv = await fs.getOrCreateFeatureView({ name: 'points', query: fg.selectExcept(['id']), labels: ['label'] })
    const split = await fv.trainTestSplit({ seed: 1 })
    await fg.insert([{ id: 100, x: 1, label: 'odd' }])

    const v1 = await registry.create({
      name: 'points_knn',
      description: 'k=2',
      metrics: { accuracy: 0.8, loss: 0.3 },
      featureView: fv,
      trainingDataset: split.trainingDataset,
      inputExample: { x: 1.5 },
      schema: [{ name: 'x', type: 'float' }],
      model: { kind: 'knn', params: { k: 2 } },
      artifacts: { 'confusion_matrix.png': png, 'classification_report.txt': 'accuracy 0.8\n' },
    })
    expect(v1.version).toBe(1)
    expect(v1.metrics).toEqual({ accuracy: 0.8, loss: 0.3 })
    expect(v1.lineage).toEqual({ featureView: { name: 'points', version: 1 }, trainingDatasetVersion: 1, commitId: commit.id })
    expect(v1.inputExample).toEqual({ x: 1.5 })
    expect(v1.schema).toEqual([{ name: 'x', type: 'float' }])
    expect(v1.artifacts.map((a) => a.file)).toEqual(['classification_report.txt', 'confusion_matrix.png', 'input_example.json', 'model.json'])
    const pngInfo = v1.artifacts.find((a) => a.file === 'confusion_matrix.png')!
    expect(pngInfo).toEqual({ file: 'confusion_matrix.png', size: png.byteLength, sha256: sha256Hex(png) })
    expect(Array.from(await registry.readArtifact('points_knn', 1, 'confusion_matrix.png'))).toEqual(Array.from(png))
    expect(await registry.readArtifactJson('points_knn', 1, 'model.json')).toEqual({ kind: 'knn', params: { k: 2 } })
    expect(await registry.readArtifactText('points_knn', undefined, 'classification_report.txt')).toBe('accuracy 0.8\n')

    // A training dataset given by version finds its commit through the feature view.
    const v2 = await registry.create({ name: 'points_knn', metrics: { accuracy: 0.9, loss: 0.5 }, featureView: { name: 'points', version: 1 }, trainingDataset: 1 })
    expect(v2.version).toBe(2)
    expect(v2.lineage.commitId).toBe(commit.id)
    const v3 = await registry.create({ name: 'points_knn', metrics: { accuracy: 0.85, loss: 0.1 } })
    expect(v3.lineage).toEqual({ featureView: null, trainingDatasetVersion: null, commitId: null })

    expect((await registry.get('points_knn')).version).toBe(3)
    expect((await registry.get('points_knn', 1)).description).toBe('k=2')
    expect((await registry.getBest('points_knn', 'accuracy', 'max')).version).toBe(2)
    expect((await registry.getBest('points_knn', 'loss', 'min')).version).toBe(3)
    await expect(registry.getBest('points_knn', 'f1')).rejects.toBeInstanceOf(NotFoundError)
    expect((await registry.listVersions('points_knn')).map((v) => v.version)).toEqual([1, 2, 3])
    const [summary] = (await registry.list()).filter((m) => m.name === 'points_knn')
    expect(summary).toMatchObject({ name: 'points_knn', versions: 3, latestVersion: 3 })
  })

  it('validates names, metrics and file names before writing anything', async () => {
    await expect(registry.create({ name: 'Bad Name' })).rejects.toBeInstanceOf(ValidationError)
    await expect(registry.create({ name: 'm', metrics: { accuracy: Number.NaN } })).rejects.toThrow(/metrics.accuracy/)
    await expect(registry.create({ name: 'm', artifacts: { '../escape': 'x' } })).rejects.toThrow(/file name/)
    await expect(registry.get('m')).rejects.toBeInstanceOf(NotFoundError)
    await expect(registry.get('no_such_model', 1)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('aliases point at one version, move, and protect that version from deletion', async () => {
    for (const accuracy of [0.5, 0.6, 0.7]) await registry.create({ name: 'aliased', metrics: { accuracy } })
    await registry.setAlias('aliased', 'production', 2)
    expect((await registry.getByAlias('aliased', 'production')).version).toBe(2)
    expect((await registry.get('aliased', 2)).aliases).toEqual(['production'])
    await expect(registry.deleteVersion('aliased', 2)).rejects.toThrow(/aliased as production/)
    await expect(registry.deleteVersion('aliased', 2)).rejects.toBeInstanceOf(ConflictError)
    await registry.setAlias('aliased', 'production', 3)
    expect((await registry.getByAlias('aliased', 'production')).version).toBe(3)
    await registry.deleteVersion('aliased', 2)
    expect((await registry.listVersions('aliased')).map((v) => v.version)).toEqual([1, 3])
    await expect(registry.setAlias('aliased', 'production', 2)).rejects.toBeInstanceOf(NotFoundError)
    await expect(registry.setAlias('aliased', 'Not-An-Identifier', 1)).rejects.toBeInstanceOf(ValidationError)
    // a reason is printed as it is: no control characters or bidirectional overrides (nor NUL, which PostgreSQL refuses)
    for (const reason of ['a\u0000b', 'line\nbreak', 'evil \u202e txt', 'bell\u0007']) await expect(registry.setAlias('aliased', 'production', 1, { reason })).rejects.toThrow(/column "reason": must be text without control characters/)
    await registry.setAlias('aliased', 'production', 1, { reason: 'rollback — bad drift (ünïcode ok)' })
    await registry.setAlias('aliased', 'production', 3)
    await expect(registry.getByAlias('aliased', 'staging')).rejects.toBeInstanceOf(NotFoundError)
    expect((await registry.list()).find((m) => m.name === 'aliased')?.aliases).toEqual({ production: 3 })
    await registry.removeAlias('aliased', 'production')
    await registry.deleteVersion('aliased', 3)
    // Numbers are never reused, even after deleting the latest version.
    expect((await registry.create({ name: 'aliased' })).version).toBe(4)
  })

  it('records a promotion decision with the new version and points the alias at it in the same transaction', async () => {
    const figures = { metric: 'accuracy', productionVersion: 1, evaluationRows: 37 }
    const v1 = await registry.create({ name: 'promoted', promotion: { decidedBy: 'training', actor: 'promoted-training run 1', promoted: true, reason: 'first', metric: 'accuracy', candidateScore: 0.75, evaluationRows: 40 } })
    expect((await registry.getByAlias('promoted', 'production')).version).toBe(1)
    expect(v1.promotions).toEqual([
      { alias: 'production', decidedBy: 'training', actor: 'promoted-training run 1', promoted: true, reason: 'first', metric: 'accuracy', candidateScore: 0.75, productionVersion: null, productionScore: null, evaluationRows: 40, decidedAt: expect.any(Date) },
    ])
    // Scored worse than production on the same rows: recorded with both figures, alias unmoved.
    const v2 = await registry.create({ name: 'promoted', metrics: { accuracy: 0.9 }, promotion: { decidedBy: 'training', promoted: false, reason: 'worse', candidateScore: 30 / 37, productionScore: 32 / 37, ...figures } })
    expect(v2.promotions).toMatchObject([{ promoted: false, candidateScore: 30 / 37, productionScore: 32 / 37, productionVersion: 1, evaluationRows: 37, actor: null }])
    expect(v2.aliases).toEqual([])
    expect((await registry.getByAlias('promoted', 'production')).version).toBe(1)
    // A decision made against another production version than the current one is recorded, not applied.
    const stale = await registry.create({ name: 'promoted', promotion: { decidedBy: 'training', promoted: true, reason: 'better', productionVersion: 2 } })
    expect(stale.promotions[0]).toMatchObject({ promoted: false, reason: 'better; not applied: production moved to v1 while this version was evaluated against v2' })
    expect((await registry.getByAlias('promoted', 'production')).version).toBe(1)
    await registry.deleteVersion('promoted', stale.version)
    // A malformed decision is refused before anything is written.
    const bad = registry.create({ name: 'promoted', promotion: { decidedBy: 'robot' as 'manual', promoted: 'yes' as unknown as boolean, reason: ' ', candidateScore: Number.NaN, evaluationRows: -1, alias: 'Bad-Alias' } })
    const err = await bad.catch((e) => e)
    expect(err).toBeInstanceOf(ValidationError)
    expect(err.issues.map((i: { column: string }) => i.column)).toEqual(['promotion.alias', 'promotion.decidedBy', 'promotion.promoted', 'promotion.reason', 'promotion.candidateScore', 'promotion.evaluationRows'])
    expect(err.message).toContain('got NaN')
    expect((await registry.listVersions('promoted')).map((v) => v.version)).toEqual([1, 2])

    // By hand: promote records a manual decision naming the version it replaced, and who.
    const promoted = await registry.promote('promoted', 2, { actor: 'alice', reason: 'v2 is fairer on new passengers' })
    expect(promoted.aliases).toEqual(['production'])
    expect(promoted.promotions[1]).toMatchObject({ alias: 'production', decidedBy: 'manual', actor: 'alice', promoted: true, reason: 'v2 is fairer on new passengers', productionVersion: 1, metric: null, candidateScore: null })
    await registry.setAlias('promoted', 'production', 1)
    expect((await registry.get('promoted', 1)).promotions[1]).toMatchObject({ decidedBy: 'manual', actor: null, productionVersion: 2, reason: 'production moved by hand to v1 (was v2)' })
    await expect(registry.promote('promoted', 9)).rejects.toThrow('model promoted has no version 9 (versions: 1, 2)')
    await expect(registry.promote('nobody', 1)).rejects.toThrow('no model nobody in the registry')
    // Deleting a version deletes its decisions.
    await registry.deleteVersion('promoted', 2)
    expect(await registry.db.kysely.selectFrom('sml_model_promotions').select('id').where('model_id', '=', v2.id).execute()).toEqual([])
  })

  it('verifies checksums on read', async () => {
    const v = await registry.create({ name: 'checked', artifacts: { 'model.json': '{"kind":"knn"}' } })
    await registry.db.kysely
      .updateTable('sml_artifact_blobs')
      .set({ content: Buffer.from('{"kind":"evil"}') })
      .where('model_id', '=', v.id)
      .where('file', '=', 'model.json')
      .execute()
    const err = await registry.readArtifact('checked', v.version, 'model.json').catch((e) => e)
    expect(err).toBeInstanceOf(ChecksumError)
    expect(err.expected).toBe(sha256Hex(new TextEncoder().encode('{"kind":"knn"}')))
    await expect(registry.readArtifact('checked', v.version, 'nope.txt')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('a failure part-way through create leaves no version and no artifacts', async () => {
    const inner = new DatabaseArtifactStore(registry.db)
    const failing: ArtifactStore = {
      name: 'failing',
      get: (id, f) => inner.get(id, f),
      delete: (tx, id) => inner.delete(tx, id),
      async put(tx, id, files) {
        await inner.put(tx, id, files.slice(0, 1))
        throw new Error('disk full')
      },
    }
    const broken = new ModelRegistry(registry.db, { artifactStore: failing })
    await registry.create({ name: 'atomic', metrics: { accuracy: 1 } })
    await expect(broken.create({ name: 'atomic', artifacts: { 'a.txt': 'a', 'b.txt': 'b' } })).rejects.toThrow('disk full')
    expect((await registry.listVersions('atomic')).map((v) => v.version)).toEqual([1])
    const orphans = await registry.db.kysely.selectFrom('sml_artifact_blobs').select('file').where('file', 'in', ['a.txt', 'b.txt']).execute()
    expect(orphans).toEqual([])
    expect((await registry.create({ name: 'atomic' })).version).toBe(2)
  })

  it('concurrent creates get distinct consecutive versions', async () => {
    const made = await Promise.all(Array.from({ length: 6 }, (_, i) => registry.create({ name: 'raced', metrics: { i } })))
    expect(made.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6])
  })
})
