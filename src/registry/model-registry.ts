import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { assertIdentifier, NotFoundError, ValidationError, validationError, type SqlDialect, type ValidationIssue } from '../db/index.js'
import { ConflictError } from '../errors/index.js'
import type { ArtifactContent, ArtifactStore } from './artifact-store.js'
import { DatabaseArtifactStore } from './database-artifact-store.js'
import { ChecksumError } from './errors.js'
import {
  ARTIFACT_FILES,
  type ArtifactInfo,
  type CreateModelOptions,
  type MetricDirection,
  type ModelSummary,
  type ModelVersion,
  type PromotionDecision,
  type PromotionRecord,
  type SetAliasOptions,
} from './types.js'

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
/** Characters a promotion's reason may not hold (see setAlias). */
const UNPRINTABLE = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/
const CREATE_ATTEMPTS = 5

export interface ModelRegistryOptions {
  /** Where artifact bytes go; default the database itself (atomic with the version). */
  readonly artifactStore?: ArtifactStore
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Models by name with numbered versions, metrics, lineage, checksummed artifacts and aliases. */
export class ModelRegistry {
  readonly artifactStore: ArtifactStore

  constructor(
    readonly db: SqlDialect,
    options: ModelRegistryOptions = {},
  ) {
    this.artifactStore = options.artifactStore ?? new DatabaseArtifactStore(db)
  }

  /** Records the next version of a model with all its artifacts in one transaction: all of it or nothing. */
  async create(options: CreateModelOptions): Promise<ModelVersion> {
    const name = assertIdentifier(options.name, 'model name')
    const issues: ValidationIssue[] = []
    const metrics = options.metrics ?? {}
    for (const [k, v] of Object.entries(metrics)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) issues.push({ column: `metrics.${k}`, reason: `must be a finite number, got ${shown(v)}` })
    }
    const files = new Map<string, Uint8Array>()
    for (const [file, content] of Object.entries(options.artifacts ?? {})) {
      if (!FILE_NAME.test(file)) issues.push({ column: `artifacts.${file}`, reason: 'file name must be letters, digits, ".", "_" or "-" (at most 128)' })
      else if (typeof content === 'string') files.set(file, new TextEncoder().encode(content))
      else if (content instanceof Uint8Array) files.set(file, content)
      else issues.push({ column: `artifacts.${file}`, reason: 'must be a Uint8Array or a string' })
    }
    const fv = options.featureView
    if (fv !== undefined && (typeof fv.name !== 'string' || !Number.isInteger(fv.version))) issues.push({ path: 'featureView', reason: 'needs a name and an integer version' })
    const td = options.trainingDataset
    const tdVersion = td === undefined ? null : typeof td === 'number' ? td : td.version
    if (tdVersion !== null && !Number.isInteger(tdVersion)) issues.push({ path: 'trainingDataset', reason: `version must be an integer, got ${tdVersion}` })
    if (typeof td === 'number' && fv === undefined) issues.push({ path: 'trainingDataset', reason: 'a training dataset version needs its featureView' })
    if (options.promotion !== undefined) issues.push(...promotionIssues(options.promotion))
    if (issues.length) throw validationError(issues, 'model version')
    const json = (what: string, v: unknown) => {
      try {
        return JSON.stringify(v)
      } catch (e) {
        throw validationError([{ column: what, reason: `is not JSON-serialisable: ${(e as Error).message}` }], 'model version')
      }
    }
    if (options.model !== undefined && !files.has(ARTIFACT_FILES.model)) files.set(ARTIFACT_FILES.model, new TextEncoder().encode(json('model', options.model)))
    if (options.inputExample !== undefined && !files.has(ARTIFACT_FILES.inputExample)) {
      files.set(ARTIFACT_FILES.inputExample, new TextEncoder().encode(json('inputExample', options.inputExample)))
    }
    const contents: ArtifactContent[] = [...files].map(([file, bytes]) => ({ file, bytes, sha256: sha256Hex(bytes) }))
    let commitId: number | null = options.commitId ?? (typeof td === 'object' ? (td.commitId ?? null) : null)
    if (commitId === null && fv !== undefined && tdVersion !== null) commitId = await this.trainingDatasetCommit(fv.name, fv.version, tdVersion)
    const row = {
      name,
      description: options.description ?? '',
      metrics: JSON.stringify(metrics),
      input_example: options.inputExample === undefined ? null : json('inputExample', options.inputExample),
      input_schema: options.schema === undefined ? null : json('schema', options.schema),
      feature_view_name: fv?.name ?? null,
      feature_view_version: fv?.version ?? null,
      training_dataset_version: tdVersion,
      commit_id: commitId,
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const version = await this.db.transaction(async (tx) => {
          const bumped = await tx.kysely
            .updateTable('sml_model_names')
            .set((eb) => ({ last_version: eb('last_version', '+', 1) }))
            .where('name', '=', name)
            .returning('last_version')
            .executeTakeFirst()
          const version = bumped ? Number(bumped.last_version) : 1
          if (!bumped) await tx.kysely.insertInto('sml_model_names').values({ name, last_version: 1 }).execute()
          const { id } = await tx.kysely
            .insertInto('sml_models')
            .values({ ...row, version, created_at: Date.now() })
            .returning('id')
            .executeTakeFirstOrThrow()
          const modelId = Number(id)
          for (const c of contents) {
            await tx.kysely.insertInto('sml_model_artifacts').values({ model_id: modelId, file: c.file, size: c.bytes.byteLength, sha256: c.sha256 }).execute()
          }
          await this.artifactStore.put(tx, modelId, contents)
          if (options.promotion) {
            const alias = options.promotion.alias ?? 'production'
            // Compare-and-set: a decision made against one production version is not applied over another. The
            // update of sml_model_names above serialises creators of this model, so the read is current.
            const holder = await tx.kysely.selectFrom('sml_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias).executeTakeFirst()
            const now = holder ? Number(holder.version) : null
            let p = options.promotion
            if (p.promoted && now !== (p.productionVersion ?? null)) {
              p = { ...p, promoted: false, reason: `${p.reason}; not applied: ${alias} moved to v${now} while this version was evaluated against ${p.productionVersion ? `v${p.productionVersion}` : 'none'}` }
            }
            await insertPromotion(tx.kysely, modelId, { ...p, alias })
            if (p.promoted) await pointAlias(tx.kysely, name, alias, version)
          }
          return version
        })
        return this.get(name, version)
      } catch (e) {
        // Two PostgreSQL writers can both create a model's first version; the loser tries again as the second.
        if (attempt >= CREATE_ATTEMPTS || !isUniqueViolation(e)) throw e
      }
    }
  }

  /** A version, or the latest one when `version` is omitted. */
  async get(name: string, version?: number): Promise<ModelVersion> {
    assertIdentifier(name, 'model name')
    let q = this.db.kysely.selectFrom('sml_models').selectAll().where('name', '=', name)
    q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version)
    const r = await q.executeTakeFirst()
    if (!r) {
      const versions = version === undefined ? [] : await this.db.kysely.selectFrom('sml_models').select('version').where('name', '=', name).orderBy('version').execute()
      if (versions.length === 0) throw new NotFoundError(`no model ${name} in the registry`)
      throw new NotFoundError(`model ${name} has no version ${version} (versions: ${versions.map((x) => Number(x.version)).join(', ')})`)
    }
    return (await this.hydrate([r]))[0]
  }

  /** Every model name with its version count, latest version and aliases. */
  async list(): Promise<ModelSummary[]> {
    const rows = await this.db.kysely
      .selectFrom('sml_models')
      .select((eb) => ['name', eb.fn.countAll().as('versions'), eb.fn.max('version').as('latest'), eb.fn.max('created_at').as('updated')])
      .groupBy('name')
      .orderBy('name')
      .execute()
    const aliases = await this.db.kysely.selectFrom('sml_model_aliases').selectAll().execute()
    return rows.map((r) => ({
      name: r.name as string,
      versions: Number(r.versions),
      latestVersion: Number(r.latest),
      aliases: Object.fromEntries(aliases.filter((a) => a.name === r.name).map((a) => [a.alias as string, Number(a.version)])),
      updatedAt: new Date(Number(r.updated)),
    }))
  }

  /** All versions of a model, oldest first. */
  async listVersions(name: string): Promise<ModelVersion[]> {
    assertIdentifier(name, 'model name')
    const rows = await this.db.kysely.selectFrom('sml_models').selectAll().where('name', '=', name).orderBy('version').execute()
    return this.hydrate(rows)
  }

  /**
   * The version with the highest (`max`) or lowest (`min`) value of a metric; ties go to the newest version.
   * Each version's metrics were measured on its own test split, so this compares figures from different rows:
   * a query for people, never what serving follows (serving follows the `production` alias, which a training
   * run moves only after scoring both versions on the same rows; see `systems/promotion.ts`).
   */
  async getBest(name: string, metric: string, direction: MetricDirection = 'max'): Promise<ModelVersion> {
    if (direction !== 'max' && direction !== 'min') throw validationError([{ column: 'direction', reason: `must be "max" or "min", got ${JSON.stringify(direction)}` }], 'getBest')
    const sign = direction === 'max' ? 1 : -1
    let best: ModelVersion | undefined
    for (const v of await this.listVersions(name)) {
      const m = v.metrics[metric]
      if (typeof m !== 'number') continue
      if (best === undefined || sign * m >= sign * best.metrics[metric]) best = v
    }
    if (!best) throw new NotFoundError(`no version of model ${name} has metric ${JSON.stringify(metric)}`)
    return best
  }

  /**
   * Points an alias (e.g. `production`) at a version by hand, moving it if it pointed elsewhere, and records the
   * move (decided by `manual`, from which version, `options.reason`) with the version in the same transaction.
   * Throws NotFoundError for an unknown model or version, ValidationError for a malformed alias.
   */
  async setAlias(name: string, alias: string, version: number, options: SetAliasOptions = {}): Promise<void> {
    assertIdentifier(alias, 'alias')
    // the reason is shown as it is by `sml models show` and the model pages: a control character or a
    // bidirectional override would rewrite what a terminal or a page shows around it (and NUL cannot be
    // stored in PostgreSQL text)
    if (options.reason !== undefined && (typeof options.reason !== 'string' || UNPRINTABLE.test(options.reason)))
      throw validationError([{ column: 'reason', reason: 'must be text without control characters (U+0000–U+001F, U+007F) or bidirectional overrides (U+202A–U+202E, U+2066–U+2069)' }], 'promotion')
    const v = await this.get(name, version)
    await this.db.transaction(async (tx) => {
      const previous = await tx.kysely.selectFrom('sml_model_aliases').select('version').where('name', '=', v.name).where('alias', '=', alias).executeTakeFirst()
      const from = previous ? Number(previous.version) : null
      const reason = options.reason ?? `${alias} moved by hand to v${v.version} (${from === null ? 'no version held it' : from === v.version ? 'it already held it' : `was v${from}`})`
      await pointAlias(tx.kysely, v.name, alias, v.version)
      await insertPromotion(tx.kysely, v.id, { alias, decidedBy: 'manual', actor: options.actor ?? null, promoted: true, reason, productionVersion: from })
    })
  }

  /** `setAlias(name, 'production', version)`: the manual override of the training pipeline's promotion rule. Returns the promoted version. */
  async promote(name: string, version: number, options: SetAliasOptions = {}): Promise<ModelVersion> {
    await this.setAlias(name, 'production', version, options)
    return this.get(name, version)
  }

  async removeAlias(name: string, alias: string): Promise<void> {
    assertIdentifier(name, 'model name')
    assertIdentifier(alias, 'alias')
    const r = await this.db.kysely.deleteFrom('sml_model_aliases').where('name', '=', name).where('alias', '=', alias).executeTakeFirst()
    if (Number(r.numDeletedRows) === 0) throw new NotFoundError(`model ${name} has no alias ${alias}`)
  }

  async getByAlias(name: string, alias: string): Promise<ModelVersion> {
    assertIdentifier(name, 'model name')
    assertIdentifier(alias, 'alias')
    const a = await this.db.kysely.selectFrom('sml_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias).executeTakeFirst()
    if (!a) throw new NotFoundError(`model ${name} has no alias ${alias}`)
    return this.get(name, Number(a.version))
  }

  /**
   * The id of the version an alias points at (ids are never reused), or null when it points nowhere: one indexed
   * query, for checking whether a cached answer about the aliased version is still current.
   */
  async aliasTargetId(name: string, alias: string): Promise<number | null> {
    assertIdentifier(name, 'model name')
    assertIdentifier(alias, 'alias')
    const r = await this.db.kysely
      .selectFrom('sml_model_aliases as a')
      .innerJoin('sml_models as m', (j) => j.onRef('m.name', '=', 'a.name').onRef('m.version', '=', 'a.version'))
      .select('m.id')
      .where('a.name', '=', name)
      .where('a.alias', '=', alias)
      .executeTakeFirst()
    return r ? Number(r.id) : null
  }

  /** Deletes a version and its artifacts; refused while an alias points at it. */
  async deleteVersion(name: string, version: number): Promise<void> {
    const v = await this.get(name, version)
    await this.db.transaction(async (tx) => {
      const aliases = await tx.kysely.selectFrom('sml_model_aliases').select('alias').where('name', '=', v.name).where('version', '=', v.version).execute()
      if (aliases.length) {
        const names = aliases.map((a) => a.alias as string)
        throw new ConflictError(`model ${name} v${version} is aliased as ${names.join(', ')}: move or remove the alias first`, [{ path: 'version', reason: `aliased as ${names.join(', ')}` }])
      }
      await this.artifactStore.delete(tx, v.id)
      await tx.kysely.deleteFrom('sml_model_promotions').where('model_id', '=', v.id).execute()
      await tx.kysely.deleteFrom('sml_model_artifacts').where('model_id', '=', v.id).execute()
      await tx.kysely.deleteFrom('sml_models').where('id', '=', v.id).execute()
    })
  }

  /** An artifact's bytes, after checking them against the recorded sha256 (ChecksumError when they differ). */
  async readArtifact(name: string, version: number | undefined, file: string): Promise<Uint8Array> {
    const v = await this.get(name, version)
    const info = v.artifacts.find((a) => a.file === file)
    if (!info) throw new NotFoundError(`model ${name} v${v.version} has no artifact ${file} (has: ${v.artifacts.map((a) => a.file).join(', ') || 'none'})`)
    const bytes = await this.artifactStore.get(v.id, file)
    if (!bytes) throw new NotFoundError(`artifact ${file} of model ${name} v${v.version} is missing from the ${this.artifactStore.name} artifact store`)
    const actual = sha256Hex(bytes)
    if (actual !== info.sha256 || bytes.byteLength !== info.size) {
      throw new ChecksumError(`artifact ${file} of model ${name} v${v.version} is corrupt: sha256 ${actual}, recorded ${info.sha256}`, info.sha256, actual)
    }
    return bytes
  }

  async readArtifactText(name: string, version: number | undefined, file: string): Promise<string> {
    return new TextDecoder().decode(await this.readArtifact(name, version, file))
  }

  async readArtifactJson<T = unknown>(name: string, version: number | undefined, file: string): Promise<T> {
    return JSON.parse(await this.readArtifactText(name, version, file)) as T
  }

  async close(): Promise<void> {
    await this.db.close()
  }

  private async trainingDatasetCommit(viewName: string, viewVersion: number, tdVersion: number): Promise<number | null> {
    const r = await this.db.kysely
      .selectFrom('sml_training_datasets as t')
      .innerJoin('sml_feature_views as v', 'v.id', 't.feature_view_id')
      .select('t.commit_id')
      .where('v.name', '=', viewName)
      .where('v.version', '=', viewVersion)
      .where('t.version', '=', tdVersion)
      .executeTakeFirst()
    if (!r) throw new NotFoundError(`feature view ${viewName} v${viewVersion} has no training dataset v${tdVersion}`)
    return r.commit_id === null ? null : Number(r.commit_id)
  }

  private async hydrate(rows: Record<string, any>[]): Promise<ModelVersion[]> {
    if (rows.length === 0) return []
    const ids = rows.map((r) => Number(r.id))
    const names = [...new Set(rows.map((r) => r.name as string))]
    const [artifacts, aliases, promotions] = await Promise.all([
      this.db.kysely.selectFrom('sml_model_artifacts').selectAll().where('model_id', 'in', ids).orderBy('file').execute(),
      this.db.kysely.selectFrom('sml_model_aliases').selectAll().where('name', 'in', names).orderBy('alias').execute(),
      this.db.kysely.selectFrom('sml_model_promotions').selectAll().where('model_id', 'in', ids).orderBy('id').execute(),
    ])
    return rows.map((r) => {
      const id = Number(r.id)
      const version = Number(r.version)
      const files: ArtifactInfo[] = artifacts.filter((a) => Number(a.model_id) === id).map((a) => ({ file: a.file, size: Number(a.size), sha256: a.sha256 }))
      return {
        id,
        name: r.name,
        version,
        description: r.description,
        metrics: JSON.parse(r.metrics),
        inputExample: r.input_example === null ? null : JSON.parse(r.input_example),
        schema: r.input_schema === null ? null : JSON.parse(r.input_schema),
        lineage: {
          featureView: r.feature_view_name === null ? null : { name: r.feature_view_name, version: Number(r.feature_view_version) },
          trainingDatasetVersion: r.training_dataset_version === null ? null : Number(r.training_dataset_version),
          commitId: r.commit_id === null ? null : Number(r.commit_id),
        },
        artifacts: files,
        aliases: aliases.filter((a) => a.name === r.name && Number(a.version) === version).map((a) => a.alias as string),
        promotions: promotions.filter((p) => Number(p.model_id) === id).map(toPromotionRecord),
        createdAt: new Date(Number(r.created_at)),
      }
    })
  }
}

/** A value as quoted in an error: numbers as written (JSON would show NaN as null), anything else as JSON. */
const shown = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v))

function promotionIssues(p: PromotionDecision): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  if (p.alias !== undefined) {
    try {
      assertIdentifier(p.alias, 'alias')
    } catch (e) {
      issues.push({ column: 'promotion.alias', reason: (e as Error).message })
    }
  }
  if (p.decidedBy !== 'training' && p.decidedBy !== 'manual') issues.push({ column: 'promotion.decidedBy', reason: `must be "training" or "manual", got ${shown(p.decidedBy)}` })
  if (typeof p.promoted !== 'boolean') issues.push({ column: 'promotion.promoted', reason: `must be true or false, got ${shown(p.promoted)}` })
  if (p.actor !== undefined && p.actor !== null && typeof p.actor !== 'string') issues.push({ column: 'promotion.actor', reason: `must be a string or null, got ${shown(p.actor)}` })
  if (typeof p.reason !== 'string' || p.reason.trim() === '') issues.push({ column: 'promotion.reason', reason: 'must be a non-empty sentence' })
  for (const k of ['candidateScore', 'productionScore'] as const) {
    const v = p[k]
    if (v !== undefined && v !== null && !(typeof v === 'number' && Number.isFinite(v))) issues.push({ column: `promotion.${k}`, reason: `must be a finite number or null, got ${shown(v)}` })
  }
  for (const k of ['productionVersion', 'evaluationRows'] as const) {
    const v = p[k]
    if (v !== undefined && v !== null && !(Number.isInteger(v) && v >= 0)) issues.push({ column: `promotion.${k}`, reason: `must be a non-negative integer or null, got ${shown(v)}` })
  }
  return issues
}

async function pointAlias(db: Kysely<any>, name: string, alias: string, version: number): Promise<void> {
  await db.deleteFrom('sml_model_aliases').where('name', '=', name).where('alias', '=', alias).execute()
  await db.insertInto('sml_model_aliases').values({ name, alias, version, updated_at: Date.now() }).execute()
}

async function insertPromotion(db: Kysely<any>, modelId: number, p: PromotionDecision & { readonly alias: string }): Promise<void> {
  await db
    .insertInto('sml_model_promotions')
    .values({
      model_id: modelId,
      alias: p.alias,
      decided_by: p.decidedBy,
      actor: p.actor ?? null,
      promoted: p.promoted ? 1 : 0,
      reason: p.reason,
      metric: p.metric ?? null,
      candidate_score: p.candidateScore ?? null,
      production_version: p.productionVersion ?? null,
      production_score: p.productionScore ?? null,
      evaluation_rows: p.evaluationRows ?? null,
      decided_at: Date.now(),
    })
    .execute()
}

function toPromotionRecord(r: Record<string, any>): PromotionRecord {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))
  return {
    alias: r.alias,
    decidedBy: r.decided_by,
    actor: r.actor ?? null,
    promoted: Number(r.promoted) === 1,
    reason: r.reason,
    metric: r.metric ?? null,
    candidateScore: num(r.candidate_score),
    productionVersion: num(r.production_version),
    productionScore: num(r.production_score),
    evaluationRows: num(r.evaluation_rows),
    decidedAt: new Date(Number(r.decided_at)),
  }
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string }
  return err?.code === '23505' || /unique constraint|duplicate key/i.test(err?.message ?? '')
}

