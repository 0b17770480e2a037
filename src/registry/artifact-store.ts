import type { SqlTransaction } from '../db/index.js'

/** One file of a model version, as handed to an ArtifactStore. */
export interface ArtifactContent {
  readonly file: string
  readonly bytes: Uint8Array
  /** Hex sha256 of `bytes`, computed by the registry. */
  readonly sha256: string
}

/**
 * Where artifact bytes live (the registry keeps names, sizes and checksums in its catalog).
 * `put` and `delete` receive the catalog transaction that records or removes the version: a
 * database-backed store writes in it, so the version and its bytes commit together or not at all;
 * a store outside the database must write before that transaction commits and tolerate orphans.
 */
export interface ArtifactStore {
  readonly name: string
  put(tx: SqlTransaction, modelId: number, files: readonly ArtifactContent[]): Promise<void>
  /** The stored bytes, or undefined when the file is missing. The registry verifies the checksum. */
  get(modelId: number, file: string): Promise<Uint8Array | undefined>
  delete(tx: SqlTransaction, modelId: number): Promise<void>
}
