import type { SqlDialect, SqlTransaction } from '../db/index.js'
import type { ArtifactContent, ArtifactStore } from './artifact-store.js'

/** Artifact bytes in the `sml_artifact_blobs` table (blob on SQLite, bytea on PostgreSQL), written in the version's transaction. */
export class DatabaseArtifactStore implements ArtifactStore {
  readonly name = 'database'

  constructor(private readonly db: SqlDialect) {}

  async put(tx: SqlTransaction, modelId: number, files: readonly ArtifactContent[]): Promise<void> {
    for (const f of files) {
      await tx.kysely
        .insertInto('sml_artifact_blobs')
        .values({ model_id: modelId, file: f.file, content: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength) })
        .execute()
    }
  }

  async get(modelId: number, file: string): Promise<Uint8Array | undefined> {
    const r = await this.db.kysely.selectFrom('sml_artifact_blobs').select('content').where('model_id', '=', modelId).where('file', '=', file).executeTakeFirst()
    if (!r) return undefined
    const c = r.content as Uint8Array
    return new Uint8Array(c.buffer, c.byteOffset, c.byteLength)
  }

  async delete(tx: SqlTransaction, modelId: number): Promise<void> {
    await tx.kysely.deleteFrom('sml_artifact_blobs').where('model_id', '=', modelId).execute()
  }
}
