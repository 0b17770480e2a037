import type { Kysely } from 'kysely'
import { ConflictError } from '../errors/index.js'

/** Where an incremental fetch continues from, as stored by its last successful run. */
export interface SourcePosition {
  /** The fetch's name (a system's daily fetch uses the system's name). */
  readonly name: string
  /** What the fetch returned as its position; null when it returned none. */
  readonly position: string | null
  /** The commit that wrote the rows fetched up to this position; null when that fetch wrote no rows. */
  readonly commitId: number | null
  readonly updatedAt: Date
}

/**
 * Moving a position along with a commit (`InsertOptions.sourcePosition`): `from` is the position the fetch
 * started from (what `sourcePosition` answered), `to` the one it returned.
 */
export interface SourcePositionMove {
  readonly name: string
  readonly from: string | null
  readonly to: string | null
}

const TABLE = 'sml_source_positions'

export async function readSourcePosition(k: Kysely<any>, name: string): Promise<SourcePosition | null> {
  const r = await k.selectFrom(TABLE).selectAll().where('name', '=', name).executeTakeFirst()
  if (!r) return null
  return {
    name: String(r.name),
    position: r.position === null ? null : String(r.position),
    commitId: r.commit_id === null ? null : Number(r.commit_id),
    updatedAt: new Date(Number(r.updated_at)),
  }
}

/**
 * Stores `move.to` as the position of `move.name`, inside the caller's transaction (which must hold the commit
 * lock, as FeatureGroup.insert does, so that checking and writing cannot interleave with another writer).
 * @throws ConflictError when the stored position is no longer `move.from`: another run fetched meanwhile, and
 *   writing would store rows twice or skip some; the caller's transaction then rolls back.
 */
export async function writeSourcePosition(k: Kysely<any>, move: SourcePositionMove, commitId: number | null, now = Date.now()): Promise<void> {
  const current = await readSourcePosition(k, move.name)
  if ((current?.position ?? null) !== move.from)
    throw new ConflictError(
      `the position of ${move.name} moved from ${JSON.stringify(move.from)} to ${JSON.stringify(current?.position ?? null)} while this fetch ran: nothing written, the next run continues from the stored position`,
      [{ path: 'position', reason: 'moved by another run' }],
    )
  if (current) await k.updateTable(TABLE).set({ position: move.to, commit_id: commitId, updated_at: now }).where('name', '=', move.name).execute()
  else await k.insertInto(TABLE).values({ name: move.name, position: move.to, commit_id: commitId, updated_at: now }).execute()
}
