import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../db/index.js'
import { testDialectNames, useTestDatabase } from '../db/test-support/dialects.js'
import { FeatureStore } from './feature-store.js'
import type { FeatureGroup } from './feature-group.js'

// Two writers on two connection pools, a third connection that pauses writer A inside its transaction
// right after A's commit id was allocated, and a batch-inference-style reader. SQLite needs no such test:
// its writers exclude each other for the whole transaction (BEGIN IMMEDIATE); concurrency.test.ts runs the
// same reader against real concurrent writers on both databases.
const GATE: [number, number] = [7271, process.pid % 2 ** 31]

/** Repeats `check` (one query per turn, no timer) until it holds. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100_000; i++) {
    if (await check()) return
    await new Promise((r) => setImmediate(r))
  }
  throw new Error(`never saw ${what}`)
}

describe.skipIf(!testDialectNames().includes('postgres'))('commit order under concurrent writers on postgres', () => {
  let dbB: SqlDialect
  let fs: FeatureStore
  let gate: pg.Client
  useTestDatabase('postgres', async (t, db) => {
    fs = new FeatureStore(db)
    dbB = await t.open()
    gate = new pg.Client({ connectionString: t.env.DATABASE_URL, options: `-c search_path=${t.env.SML_PG_SCHEMA}` })
    await gate.connect()
    // A writer whose new row matches a trigger's (column, value) stops right there, inside its transaction
    // and after its id was allocated, for as long as the gate is shut.
    await gate.query(`CREATE FUNCTION test_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF to_jsonb(NEW) ->> TG_ARGV[0] = TG_ARGV[1] THEN PERFORM pg_advisory_xact_lock_shared(${GATE[0]}, ${GATE[1]}); END IF;
        RETURN NEW;
      END $$`)
    await gate.query(`CREATE TRIGGER gate_commits AFTER INSERT ON sml_commits FOR EACH ROW EXECUTE FUNCTION test_gate('source', 'writer-a')`)
    await gate.query(`CREATE TRIGGER gate_datasets AFTER INSERT ON sml_training_datasets FOR EACH ROW EXECUTE FUNCTION test_gate('seed', '1')`)
  })
  afterAll(async () => {
    await gate?.end()
    await dbB?.close()
  })

  /** Runs `body` with the gate shut (it may open it early); the gate is open again afterwards. */
  async function gated<T>(body: (open: () => Promise<void>) => Promise<T>): Promise<T> {
    await gate.query('SELECT pg_advisory_lock($1, $2)', GATE)
    let shut = true
    const open = async () => {
      if (shut) await gate.query('SELECT pg_advisory_unlock($1, $2)', GATE)
      shut = false
    }
    try {
      return await body(open)
    } finally {
      await open()
    }
  }
  /** The backend stopped at the gate, once one is. */
  async function pausedAtGate(): Promise<number> {
    let pid = 0
    await until('a writer paused at the gate', async () => {
      const r = await gate.query('SELECT pid FROM pg_locks WHERE locktype = $1 AND classid = $2 AND objid = $3 AND objsubid = 2 AND NOT granted', ['advisory', ...GATE])
      pid = r.rows[0]?.pid ?? 0
      return pid !== 0
    })
    return pid
  }
  /** Resolves once `done()` holds or some backend waits for a lock `pid` holds. */
  async function doneOrWaitingFor(pid: number, done: () => boolean): Promise<void> {
    await until(`a writer waiting for backend ${pid}, or done`, async () => {
      if (done()) return true
      const r = await gate.query('SELECT 1 FROM pg_locks WHERE NOT granted AND $1 = ANY (pg_blocking_pids(pid))', [pid])
      return (r.rowCount ?? 0) > 0
    })
  }

  it('a commit id becomes visible only after every smaller one: the "since" cursor loses nothing, "as of" reads stay exact', async () => {
    const schema = [
      { name: 'id', type: 'int' as const },
      { name: 'v', type: 'float' as const },
    ]
    const fg = await fs.getOrCreateFeatureGroup({ name: 'ordered', primaryKey: ['id'], schema })
    const fgB = await new FeatureStore(dbB).getFeatureGroup('ordered')
    const base = await fg.insert([1, 2, 3].map((id) => ({ id, v: 0 })), { source: 'base' })

    // The batch-inference reader: rows committed since its cursor, as of the latest commit it sees.
    let cursor = base.id
    const seen: number[] = []
    const poll = async (g: FeatureGroup) => {
      const latest = (await g.latestCommit())!.id
      seen.push(...(await g.read({ sinceCommit: cursor, asOf: latest })).map((r) => Number(r.id)))
      cursor = latest
      return latest
    }

    await gated(async (open) => {
      // Both writers upsert key 999 as well.
      const a = fg.insert([100, 101, 102, 999].map((id) => ({ id, v: 1 })), { source: 'writer-a' })
      const aPid = await pausedAtGate()
      let bDone = false
      const b = fgB.insert([200, 201, 999].map((id) => ({ id, v: 2 })), { source: 'writer-b' }).finally(() => (bDone = true))
      // B either finished (ids out of commit order) or waits for A: only then does the reader look.
      await doneOrWaitingFor(aPid, () => bDone)
      const mid = await poll(fg)
      const midRows = await fg.read({ asOf: mid })

      await open()
      const [ca, cb] = await Promise.all([a, b])
      expect(cb.id).toBeGreaterThan(ca.id)
      await poll(fg)

      // Every row of both writers reached the reader exactly once (A's 999 was replaced by B's before it looked).
      expect(seen.sort((x, y) => x - y)).toEqual([100, 101, 102, 200, 201, 999])
      expect(await fg.read({ asOf: mid })).toEqual(midRows)
    })
    // One current row per key: B's upsert of 999 superseded A's.
    expect((await fg.read()).filter((r) => r.id === 999)).toEqual([{ id: 999, v: 2 }])
    expect(await fg.count()).toBe(3 + 6)
  })

  it('two training datasets recorded at once get consecutive versions instead of one failing on a duplicate', async () => {
    const fg = await fs.getOrCreateFeatureGroup({ name: 'datasets', primaryKey: ['id'], schema: [{ name: 'id', type: 'int' }, { name: 'x', type: 'float' }, { name: 'y', type: 'int' }] })
    await fg.insert(Array.from({ length: 20 }, (_, id) => ({ id, x: id / 2, y: id % 2 })))
    const fv = await fs.getOrCreateFeatureView({ name: 'datasets', query: fg.selectExcept(['id']), labels: ['y'] })
    const fvB = await new FeatureStore(dbB).getFeatureView('datasets')
    const versions = await gated(async (open) => {
      const a = fv.trainTestSplit({ seed: 1 })
      const aPid = await pausedAtGate()
      let bDone = false
      const b = fvB.trainTestSplit({ seed: 2 }).finally(() => (bDone = true))
      await doneOrWaitingFor(aPid, () => bDone)
      await open()
      return (await Promise.all([a, b])).map((s) => s.trainingDataset.version)
    })
    expect(versions).toEqual([1, 2])
    expect((await fv.trainingDatasets()).map((t) => [t.version, t.seed])).toEqual([
      [1, 1],
      [2, 2],
    ])
  })
})
