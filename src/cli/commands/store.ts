import type { Command } from 'commander'
import { commandConfig } from '../config.js'
import { formatDuration, formatTable, print, printJson } from '../output.js'
import { plural } from '../../support/plural.js'

/** `sml migrate`, `sml export`, `sml import`: the store itself — its schema, and moving it between databases. */
export function registerStoreCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending migrations to the store (the config’s, else SML_HOME or DATABASE_URL) and print what was applied; safe from many processes at once')
    .option('--json', 'machine-readable output')
    .action(async (opts, cmd: Command) => {
      const [{ openDatabase, migrate, MIGRATIONS }, { store }] = await Promise.all([import('../../db/index.js'), commandConfig(cmd)])
      const db = await openDatabase({ ...store, migrate: false })
      try {
        const applied = await migrate(db)
        if (opts.json) return printJson({ database: db.displayName, applied, known: MIGRATIONS.map((m) => m.id) })
        if (applied.length === 0) return print(`${db.displayName}: up to date (${MIGRATIONS.length} migrations)`)
        for (const id of applied) print(`applied ${id}`)
        print(`${db.displayName}: ${plural(applied.length, 'migration')} applied, ${MIGRATIONS.length} in all`)
      } finally {
        await db.close()
      }
    })

  program
    .command('export')
    .description('write the whole store (catalog, feature groups, models with artifacts, runs and logs) to one ndjson file (.gz to compress)')
    .requiredOption('--to <file>', 'where to write (written under a temporary name, renamed when complete)')
    .option('--force', 'replace an existing file')
    .option('--json', 'print the per-table summary as JSON')
    .action(async (opts, cmd: Command) => {
      const [{ openDatabase }, { exportStore }, { store }] = await Promise.all([import('../../db/index.js'), import('../../store-transfer/index.js'), commandConfig(cmd)])
      const db = await openDatabase({ ...store, create: false })
      try {
        const started = Date.now()
        const tables = await exportStore(db, opts.to, { force: Boolean(opts.force) })
        if (opts.json) return printJson(tables)
        print(formatTable(['table', 'kind', 'rows', 'sha256'], tables.map((t) => [t.table, t.kind, t.rows, t.sha256])))
        print(`exported ${plural(tables.length, 'table')}, ${plural(tables.reduce((a, t) => a + t.rows, 0), 'row')} from ${db.displayName} to ${opts.to} in ${formatDuration(Date.now() - started)}`)
      } finally {
        await db.close()
      }
    })

  program
    .command('import')
    .description('load a file written by `sml export` into this store, then compare every table’s rows and checksum with the file; exit 1 on a mismatch')
    .requiredOption('--from <file>', 'the export file')
    .option('--force', 'replace the contents of a non-empty store')
    .option('--json', 'print the per-table comparison as JSON')
    .action(async (opts, cmd: Command) => {
      const [{ embeddedStoreExists, openDatabase, removeEmbeddedStore }, { checkImportFile, importStore }, { store: location }] = await Promise.all([
        import('../../db/index.js'),
        import('../../store-transfer/index.js'),
        commandConfig(cmd),
      ])
      // A missing, unreadable or foreign file is refused before any store is opened (or created).
      await checkImportFile(opts.from)
      // An embedded store this import creates is removed again if the import fails (the rows roll back; the empty store would stay).
      const creates = !location.url && !embeddedStoreExists(location.home)
      const db = await openDatabase(location)
      let ok = false
      let failed = true
      try {
        const started = Date.now()
        const report = await importStore(db, opts.from, { force: Boolean(opts.force) })
        ok = report.ok
        if (opts.json) printJson(report)
        else {
          print(formatTable(['table', 'rows', 'expected', 'sha256', 'match'], report.tables.map((t) => [t.table, t.rows, t.expected.rows, t.sha256, t.ok ? 'ok' : 'MISMATCH'])))
          print(`${report.ok ? 'imported' : 'imported WITH MISMATCHES:'} ${plural(report.tables.length, 'table')}, ${plural(report.tables.reduce((a, t) => a + t.rows, 0), 'row')} into ${db.displayName} in ${formatDuration(Date.now() - started)}`)
        }
        failed = false
      } finally {
        await db.close()
        if (failed && creates) removeEmbeddedStore(location.home)
      }
      if (!ok) process.exitCode = 1
    })
}
