import { createHash } from 'node:crypto'
import { constants as fsConstants, createReadStream, createWriteStream } from 'node:fs'
import { access, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import { MIGRATIONS, ValidationError, type SqlDialect, type SqlTransaction } from '../db/index.js'
import { ConflictError } from '../errors/index.js'
import { createGroupTable, toGroupMetadata } from '../featurestore/index.js'
import { createProgress } from '../runtime/progress.js'
import { fileFaultReason } from '../support/file-faults.js'

/**
 * Moving a whole store between databases (SQLite ↔ PostgreSQL) as one ndjson file (gzip when the name
 * ends in `.gz`):
 *
 *   {"format":"serverless-ml-store","version":1,"from":"sqlite","exportedAt":…,"migrations":[…]}
 *   {"table":"sml_feature_groups","kind":"catalog","columns":[…],"bool":[],"rows":2}
 *   [1,"iris",1,…]                         one JSON array per row, bytes as {"$b64":"…"}
 *   {"end":"sml_feature_groups","rows":2,"sha256":"…"}
 *   …                                      every sml_* table, then every feature-group table
 *   {"endOfStore":true,"tables":15}
 *
 * A table's checksum is order-free across databases: sha256 over the sorted sha256 digests of its rows'
 * canonical JSON (numbers as numbers, booleans as true/false, bytes as base64), so SQLite's 0/1 and
 * PostgreSQL's booleans, or two collations' row orders, give the same figure. The job queue's schema
 * (pg-boss) is not part of a store: queued ticks are transient.
 */

export const STORE_FORMAT = 'serverless-ml-store'
export const STORE_FORMAT_VERSION = 1
const PAGE_ROWS = 10_000
const BATCH_ROWS = 5_000

export interface TableSummary {
  readonly table: string
  readonly kind: 'catalog' | 'feature-group'
  readonly rows: number
  readonly sha256: string
}

export interface TransferOptions {
  /** Progress bars (terminal) or quarter lines (pipes) on stderr; default true. */
  readonly progress?: boolean
}

export interface ExportOptions extends TransferOptions {
  /** Replace an existing file; without it an existing target is refused (an earlier export is never lost). */
  readonly force?: boolean
}

export interface ImportOptions extends TransferOptions {
  /** Replace what the target holds; without it a non-empty target is refused. */
  readonly force?: boolean
}

export interface ImportReport {
  readonly tables: readonly (TableSummary & { readonly expected: { rows: number; sha256: string }; readonly ok: boolean })[]
  readonly ok: boolean
}

interface TablePlan {
  readonly table: string
  readonly kind: 'catalog' | 'feature-group'
  readonly columns: string[]
  /** Columns holding booleans (feature groups' bool features): canonical true/false on every database. */
  readonly bool: string[]
  readonly primaryKey: string[]
}

/** Catalog tables (in creation order, parents first) and every feature group's table. */
async function planTables(db: SqlDialect): Promise<TablePlan[]> {
  const tables = await db.listTables()
  const plans: TablePlan[] = []
  for (const table of tables.filter((t) => t.startsWith('sml_') && t !== 'sml_migrations')) {
    plans.push({ table, kind: 'catalog', columns: await db.listColumns(table), bool: [], primaryKey: await db.primaryKey(table) })
  }
  const groups = (await db.kysely.selectFrom('sml_feature_groups').selectAll().orderBy('id').execute()).map(toGroupMetadata)
  for (const g of groups) {
    const bool = g.schema.filter((f) => f.type === 'bool').map((f) => f.name)
    plans.push({ table: g.tableName, kind: 'feature-group', columns: await db.listColumns(g.tableName), bool, primaryKey: await db.primaryKey(g.tableName) })
  }
  return plans
}

/** Reads a table page by page in primary-key order, handing out canonical rows. */
async function readTable(db: SqlDialect, plan: Pick<TablePlan, 'table' | 'columns' | 'bool' | 'primaryKey'>, onRows: (rows: unknown[][]) => Promise<void>): Promise<void> {
  const boolIdx = plan.bool.map((c) => plan.columns.indexOf(c)).filter((i) => i >= 0)
  const order = plan.primaryKey.length ? plan.primaryKey : plan.columns
  for (let offset = 0; ; offset += PAGE_ROWS) {
    let q = db.kysely.selectFrom(plan.table).select(plan.columns)
    for (const c of order) q = q.orderBy(c)
    const rows: unknown[][] = []
    await db.queryArrays(q.limit(PAGE_ROWS).offset(offset).compile(), (row) => void rows.push(canonicalRow(row, boolIdx)))
    if (rows.length) await onRows(rows)
    if (rows.length < PAGE_ROWS) return
  }
}

function canonicalRow(row: unknown[], boolIdx: readonly number[]): unknown[] {
  const out = row.map(canonicalValue)
  for (const i of boolIdx) if (out[i] !== null) out[i] = out[i] === true || out[i] === 1
  return out
}

function canonicalValue(v: unknown): unknown {
  if (v === undefined || v === null) return null
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Uint8Array) return { $b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') }
  return v
}

/** Order-free checksum of a table: sha256 over its rows' sorted digests. */
class TableChecksum {
  private readonly digests: Buffer[] = []
  add(json: string): void {
    this.digests.push(createHash('sha256').update(json).digest())
  }
  get rows(): number {
    return this.digests.length
  }
  hex(): string {
    this.digests.sort(Buffer.compare)
    const h = createHash('sha256')
    for (const d of this.digests) h.update(d)
    return h.digest('hex')
  }
}

/** Rows and checksum of every table of a store, computed the way export and import do. */
export async function summarizeStore(db: SqlDialect, tables?: readonly Pick<TablePlan, 'table' | 'kind' | 'columns' | 'bool'>[]): Promise<TableSummary[]> {
  const out: TableSummary[] = []
  for (const t of tables ?? (await planTables(db))) {
    const sum = new TableChecksum()
    await readTable(db, { ...t, primaryKey: await db.primaryKey(t.table) }, async (rows) => {
      for (const r of rows) sum.add(JSON.stringify(r))
    })
    out.push({ table: t.table, kind: t.kind, rows: sum.rows, sha256: sum.hex() })
  }
  return out
}

async function appliedMigrations(db: SqlDialect): Promise<string[]> {
  return (await db.kysely.selectFrom('sml_migrations').select('id').orderBy('id').execute()).map((r) => String(r.id))
}


/**
 * Writes every table of the store to `file` (streamed, page by page); returns each table's rows and checksum.
 * The export is written beside the target under a temporary name and renamed onto it only once complete, so
 * a failed or interrupted export leaves no partial file and never destroys an earlier one.
 * @throws ValidationError naming the file when it exists (without `force`) or cannot be written (no such
 * folder, a folder, no permission).
 */
export async function exportStore(db: SqlDialect, file: string, options: ExportOptions = {}): Promise<TableSummary[]> {
  const refuse = (reason: string, cause?: unknown) => new ValidationError(`cannot write ${file}: ${reason}`, [{ path: file, reason }], { cause })
  const existing = await stat(file).catch(() => null)
  if (existing?.isDirectory()) throw refuse(fileFaultReason({ code: 'EISDIR' }, 'write')!)
  if (existing && !options.force) throw refuse('it exists already (pass --force to replace it)')
  const partial = join(dirname(file), `.${basename(file)}.${process.pid}.partial`)
  const out = createWriteStream(partial, { flags: 'wx' })
  // A target that cannot be opened (no such folder, no permission) is one line naming it.
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve())
    out.once('error', reject)
  }).catch((e: NodeJS.ErrnoException) => {
    const reason = fileFaultReason(e, 'write')
    throw reason ? refuse(reason, e) : e
  })
  const gz = file.endsWith('.gz') ? createGzip({ level: 6 }) : null
  const sink: Writable = gz ?? out
  const piping = gz ? pipeline(gz, out) : once(out, 'finish')
  const write = async (line: unknown) => {
    if (!sink.write(`${JSON.stringify(line)}\n`)) await once(sink, 'drain')
  }
  const summaries: TableSummary[] = []
  try {
    await write({ format: STORE_FORMAT, version: STORE_FORMAT_VERSION, from: db.displayName, exportedAt: new Date().toISOString(), migrations: await appliedMigrations(db) })
    const plans = await planTables(db)
    for (const plan of plans) {
      const total = Number((await db.kysely.selectFrom(plan.table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
      await write({ table: plan.table, kind: plan.kind, columns: plan.columns, bool: plan.bool, rows: total })
      const bar = options.progress === false ? null : createProgress(`export ${plan.table}`, total)
      const sum = new TableChecksum()
      await readTable(db, plan, async (rows) => {
        let chunk = ''
        for (const r of rows) {
          const json = JSON.stringify(r)
          sum.add(json)
          chunk += `${json}\n`
        }
        if (!sink.write(chunk)) await once(sink, 'drain')
        bar?.update(sum.rows)
      })
      const summary: TableSummary = { table: plan.table, kind: plan.kind, rows: sum.rows, sha256: sum.hex() }
      bar?.stop()
      await write({ end: plan.table, rows: summary.rows, sha256: summary.sha256 })
      summaries.push(summary)
    }
    await write({ endOfStore: true, tables: plans.length })
    sink.end()
    await piping
  } catch (e) {
    piping.catch(() => {}) // settled by the destroy below, or never (a destroyed stream emits no 'finish')
    sink.destroy()
    out.destroy()
    await unlink(partial).catch(() => {})
    throw e
  }
  await rename(partial, file)
  return summaries
}

interface TableHeader {
  readonly table: string
  readonly kind: 'catalog' | 'feature-group'
  readonly columns: string[]
  readonly bool: string[]
  readonly rows: number
}

/** True when the store holds anything besides its migration list. */
export async function storeIsEmpty(db: SqlDialect): Promise<boolean> {
  for (const t of await db.listTables()) {
    if (!t.startsWith('sml_') || t === 'sml_migrations') continue
    const r = await db.kysely.selectFrom(t).select((eb) => eb.lit(1).as('x')).limit(1).executeTakeFirst()
    if (r) return false
  }
  return true
}

function readFault(file: string, e: unknown): unknown {
  const reason = fileFaultReason(e, 'read')
  return reason ? new ValidationError(`cannot read ${file}: ${reason}`, [{ path: file, reason }], { cause: e }) : e
}

/** The lines of an export file, numbered from 1; the stream's own faults (missing, not gzip) become ValidationErrors naming the file. */
class ExportLines {
  private readonly lines: AsyncIterator<string>
  private readonly streams: Readable[]
  /** The first error of the file or the decompressor, kept: one that comes after the reader stopped listening (a truncated .gz read only up to its header) must not go unhandled. */
  private fault: unknown = null
  lineNo = 0
  /** The text of the line just read (a row's checksum is over its exported text). */
  text = ''
  constructor(readonly file: string) {
    const raw = createReadStream(file)
    let source: Readable = raw
    if (file.endsWith('.gz')) {
      const gunzip = createGunzip()
      // pipe() does not forward the file's errors: passed on, readline hands them to next().
      raw.on('error', (e) => gunzip.destroy(e))
      source = raw.pipe(gunzip)
    }
    this.streams = source === raw ? [raw] : [raw, source]
    for (const s of this.streams) s.on('error', (e) => (this.fault ??= e))
    this.lines = createInterface({ input: source, crlfDelay: Infinity })[Symbol.asyncIterator]()
  }
  /** The next line as JSON. @throws ValidationError at the end of the file, or on a line that is not JSON (naming the line). */
  async next(): Promise<unknown> {
    let r: IteratorResult<string>
    try {
      r = await this.lines.next()
    } catch (e) {
      throw readFault(this.file, e)
    }
    if (this.fault) throw readFault(this.file, this.fault)
    if (r.done) throw new ValidationError(`${this.file} ends early after line ${this.lineNo}: not a complete store export`)
    this.lineNo++
    this.text = r.value
    try {
      return JSON.parse(r.value)
    } catch (e) {
      throw this.invalid(`not JSON (${(e as Error).message})`)
    }
  }
  /** A ValidationError naming the file, the line just read and the reason. */
  invalid(reason: string): ValidationError {
    return new ValidationError(`${this.file} line ${this.lineNo}: ${reason}`, [{ path: `${this.file} line ${this.lineNo}`, reason }])
  }
  async close(): Promise<void> {
    await this.lines.return?.()
    for (const s of this.streams) s.destroy()
  }
}

/**
 * Checks that `file` can be imported before any store is opened or created: it exists, is a regular file this
 * user can read, and starts with the header of a store export this sml reads (format, version, migrations).
 * @throws ValidationError naming the file and the reason (nothing is read beyond the first line).
 */
export async function checkImportFile(file: string): Promise<void> {
  const lines = await openExport(file)
  await lines.close()
}

async function openExport(file: string): Promise<ExportLines> {
  try {
    const s = await stat(file)
    if (!s.isFile()) throw new ValidationError(`cannot read ${file}: ${s.isDirectory() ? 'it is a folder' : 'it is not a regular file'}`, [{ path: file, reason: 'not a regular file' }])
    await access(file, fsConstants.R_OK)
  } catch (e) {
    throw readFault(file, e)
  }
  const lines = new ExportLines(file)
  try {
    const header = (await lines.next()) as { format?: string; version?: number; migrations?: string[] } | null
    if (header?.format !== STORE_FORMAT) throw lines.invalid('not a serverless-ml store export (no export header)')
    if (header.version !== STORE_FORMAT_VERSION) throw lines.invalid(`format version ${header.version}; this sml reads version ${STORE_FORMAT_VERSION}`)
    const known = new Set(MIGRATIONS.map((m) => m.id))
    const unknown = (header.migrations ?? []).filter((m) => !known.has(m))
    if (unknown.length) throw new ValidationError(`${file} comes from a newer sml (migrations ${unknown.join(', ')}): upgrade before importing`)
    return lines
  } catch (e) {
    await lines.close()
    throw e
  }
}

/**
 * Loads a file written by exportStore into this store in one transaction (all or nothing), then reads every
 * table back and compares its rows and checksum with the file's. A non-empty store is refused unless `force`,
 * which replaces its contents. The file is checked (see checkImportFile) before the store is looked at.
 * @throws ValidationError naming the file (and the line) when it is missing, unreadable or malformed; nothing is written.
 * @throws ConflictError when the store is not empty and `force` is not set.
 */
export async function importStore(db: SqlDialect, file: string, options: ImportOptions = {}): Promise<ImportReport> {
  const lines = await openExport(file)
  try {
    return await importLines(db, lines, options)
  } finally {
    await lines.close()
  }
}

async function importLines(db: SqlDialect, lines: ExportLines, options: ImportOptions): Promise<ImportReport> {
  const file = lines.file
  const next = () => lines.next()
  if (!(await storeIsEmpty(db)) && !options.force) {
    throw new ConflictError(`the target store is not empty (${db.displayName}): import into a fresh store, or pass --force to replace what it holds`)
  }
  const expected = new Map<string, { rows: number; sha256: string }>()
  const headers: TableHeader[] = []
  // Looked up before the transaction: on SQLite it holds the one connection until it ends.
  const catalog = (await db.listTables()).filter((t) => t.startsWith('sml_') && t !== 'sml_migrations')
  const catalogColumns = new Map(await Promise.all(catalog.map(async (t) => [t, await db.listColumns(t)] as const)))
  await db.transaction(async (tx) => {
    if (options.force) await clearStore(tx, catalog)
    for (;;) {
      const line = (await next()) as Record<string, unknown> | null
      if (line === null || typeof line !== 'object' || Array.isArray(line)) throw lines.invalid(`expected a table header or the end of the store, got ${JSON.stringify(line).slice(0, 80)}`)
      if (line.endOfStore) break
      const h = line as unknown as TableHeader
      if (typeof h.table !== 'string' || !Array.isArray(h.columns)) throw lines.invalid(`expected a table header or the end of the store, got ${JSON.stringify(line).slice(0, 80)}`)
      headers.push(h)
      let have: Set<string>
      if (h.kind === 'feature-group') {
        const row = await tx.kysely.selectFrom('sml_feature_groups').selectAll().where('table_name', '=', h.table).executeTakeFirst()
        if (!row) throw lines.invalid(`table ${h.table} belongs to no feature group`)
        const meta = toGroupMetadata(row)
        await createGroupTable(tx, db, meta)
        have = new Set([...meta.schema.map((f) => f.name), '_commit_id', '_superseded_by'])
      } else {
        have = new Set(catalogColumns.get(h.table) ?? [])
      }
      const missing = h.columns.filter((c) => !have.has(c))
      if (missing.length) throw lines.invalid(`table ${h.table} has columns ${missing.join(', ')} this store lacks`)
      const boolIdx = new Set(h.bool.map((c) => h.columns.indexOf(c)))
      const bar = options.progress === false ? null : createProgress(`import ${h.table}`, h.rows)
      let batch: unknown[][] = h.columns.map(() => [])
      let n = 0
      let done = 0
      // The file's rows against the checksum its own end line records, before anything commits: a changed or
      // damaged file is refused whole rather than imported and then reported as a mismatch.
      const sum = new TableChecksum()
      const flush = async () => {
        if (n === 0) return
        await tx.insertColumns(h.table, h.columns, batch, n)
        done += n
        bar?.update(done)
        batch = h.columns.map(() => [])
        n = 0
      }
      for (;;) {
        const row = await next()
        if (!Array.isArray(row)) {
          const end = (row ?? {}) as { end?: string; rows?: number; sha256?: string }
          if (end.end !== h.table) throw lines.invalid(`table ${h.table} is not closed (expected a row as a JSON array, or its end line)`)
          if (sum.rows !== Number(end.rows))
            throw lines.invalid(`${h.table} has ${sum.rows} rows where its end line records ${end.rows}: the file was changed or damaged; nothing was imported`)
          if (sum.hex() !== String(end.sha256))
            throw lines.invalid(`the checksum of ${h.table}'s ${sum.rows} rows differs from the one its end line records: a row was changed or damaged; nothing was imported`)
          await flush()
          expected.set(h.table, { rows: Number(end.rows), sha256: String(end.sha256) })
          break
        }
        if (row.length !== h.columns.length) throw lines.invalid(`a row of ${h.table} has ${row.length} values for its ${h.columns.length} columns`)
        sum.add(lines.text)
        for (let c = 0; c < row.length; c++) batch[c].push(boolIdx.has(c) ? db.encode('bool', row[c]) : fromCanonical(row[c]))
        if (++n >= BATCH_ROWS) await flush()
      }
      bar?.stop()
      await db.syncAutoIds(tx, h.table)
    }
  })
  // Read back what landed and compare with what was exported.
  const after = await summarizeStore(db, headers)
  const tables = after.map((s) => {
    const e = expected.get(s.table)!
    return { ...s, expected: e, ok: e.rows === s.rows && e.sha256 === s.sha256 }
  })
  return { tables, ok: tables.every((t) => t.ok) }
}

function fromCanonical(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && '$b64' in v) return Buffer.from(String((v as { $b64: string }).$b64), 'base64')
  return v
}

/** Empties every catalog table (children first) and drops the feature-group tables, inside the import transaction. */
async function clearStore(tx: SqlTransaction, catalog: readonly string[]): Promise<void> {
  const groups = await tx.kysely.selectFrom('sml_feature_groups').select('table_name').execute()
  for (const g of groups) await tx.kysely.schema.dropTable(String(g.table_name)).ifExists().execute()
  for (const t of [...catalog].reverse()) await tx.kysely.deleteFrom(t).execute()
}
