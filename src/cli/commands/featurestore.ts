import { createHash } from 'node:crypto'
import { basename } from 'node:path'
import type { Command } from 'commander'
import type { TrainTestSplit, TransformationKind } from '../../featurestore/index.js'
import { commandConfig } from '../config.js'
import { finiteNumber, instant, list, positiveInt as int, oneOf, safeInteger } from '../options.js'
import { cellText, formatTable, print, printJson } from '../output.js'
import { usageError } from '../usage.js'
import { plural } from '../../support/plural.js'

/**
 * The feature store of the command's configuration (its `store`, else DATABASE_URL / SML_HOME / SML_PG_SCHEMA);
 * `create: false` for reading commands, which report a missing store instead of making one.
 */
async function store(cmd: Command, options: { create?: boolean } = {}) {
  const [{ openFeatureStore }, config] = await Promise.all([import('../../config/open-store.js'), commandConfig(cmd)])
  return openFeatureStore({ ...options, ...config.store })
}

const READ_ONLY = { create: false }

/** `sml fg …` and `sml fv …`: the feature store from a terminal. */
export function registerFeatureStoreCommands(program: Command): void {
  const fg = program.command('fg').description('feature groups')

  fg.command('list')
    .description('list feature groups with their row and commit counts')
    .option('--json', 'machine-readable output')
    .action(async (opts, cmd: Command) => {
      const fs = await store(cmd, READ_ONLY)
      try {
        const groups = await fs.listFeatureGroups()
        const rows = await Promise.all(
          groups.map(async (g) => ({
            name: g.name,
            version: g.version,
            rows: await g.count(),
            commits: (await g.commits()).length,
            lastCommit: (await g.latestCommit())?.committedAt ?? null,
            primaryKey: g.primaryKey,
            description: g.metadata.description,
          })),
        )
        if (opts.json) printJson(rows)
        else if (rows.length === 0) print('no feature groups yet: sml fg insert NAME --file data.csv')
        else print(formatTable(['name', 'version', 'rows', 'commits', 'last commit', 'primary key'], rows.map((r) => [r.name, r.version, r.rows, r.commits, r.lastCommit, r.primaryKey.join(',')])))
      } finally {
        await fs.close()
      }
    })

  fg.command('show <name>')
    .description('schema, expectations, commits and statistics of a feature group')
    .option('--version <n>', 'version (default: latest)', int('--version'))
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts, cmd: Command) => {
      const fs = await store(cmd, READ_ONLY)
      try {
        const g = await fs.getFeatureGroup(name, opts.version)
        const [commits, statistics, rows] = await Promise.all([g.commits(), g.statistics(), g.count()])
        if (opts.json) return printJson({ ...g.metadata, rows, commits, statistics })
        const m = g.metadata
        const { isNotNull } = await import('../../featurestore/index.js')
        print(`${m.name} v${m.version}${m.description ? ` — ${m.description}` : ''}`)
        print(`rows: ${rows}   primary key: ${m.primaryKey.join(', ')}   event time: ${m.eventTime ?? '(none)'}   table: ${m.tableName}   (type? = may be missing)\n`)
        const stats = new Map(statistics.map((s) => [s.column, s]))
        print(
          formatTable(
            ['column', 'type', 'count', 'missing', 'distinct', 'min', 'max', 'mean'],
            m.schema.map((f) => {
              const s = stats.get(f.name)
              // `?`: the column may hold missing values (as `sml init` prints types); the others refuse them
              return [f.name, `${f.type}${isNotNull(f, m.primaryKey, m.eventTime) ? '' : '?'}`, s?.count, s?.missing, s?.distinct, s?.min, s?.max, s?.mean]
            }),
          ),
        )
        if (m.expectations.length) {
          const { describeExpectation } = await import('../../featurestore/index.js')
          print('\nexpectations:')
          for (const e of m.expectations) print(`  ${e.column}: ${describeExpectation(e)}${e.strict ? ' (strict: rejects)' : ' (warns)'}`)
        }
        print('\ncommits:')
        print(
          formatTable(
            ['id', 'time', 'added', 'updated', 'source', 'warnings'],
            commits.map((c) => [c.id, c.committedAt, c.rowsAdded, c.rowsUpdated, c.source, c.warnings.join('; ')]),
          ),
        )
      } finally {
        await fs.close()
      }
    })

  fg.command('insert <name>')
    .description('validate a CSV file and insert it as one commit (creates the group as version 1 with the inferred schema if missing)')
    .requiredOption('--file <path>', 'CSV file with a header row')
    .option('--version <n>', 'version (default: latest, or 1 for a new group)', int('--version'))
    .option('--primary-key <cols>', 'primary key column(s), comma-separated, for a new group (default: id)', list)
    .option('--event-time <col>', 'event time column for a new group')
    .option('--description <text>', 'description for a new group')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts, cmd: Command) => {
      const { readCsvFile, inferCsvSchema, csvToRows, validateRows, withCsvLines } = await import('../../featurestore/index.js')
      const { NotFoundError, ValidationError } = await import('../../db/index.js')
      const { createProgress } = await import('../progress.js')
      const started = performance.now()
      // column names are stored lowercase (as inferCsvSchema names them)
      const askedKey: string[] | undefined = opts.primaryKey?.length ? opts.primaryKey.map((k: string) => k.toLowerCase()) : undefined
      const table = readCsvFile(opts.file)
      if (table.records.length === 0) throw new ValidationError(`${opts.file} has a header but no data rows: nothing to insert`, [{ reason: 'no data rows' }])
      const fs = await store(cmd)
      try {
        let g = await fs.getFeatureGroup(name, opts.version).catch((e) => {
          if (e instanceof NotFoundError) return undefined
          throw e
        })
        if (g) {
          // Options that define a new group must not be taken as applied to an existing one.
          const m = g.metadata
          const clashes = [
            askedKey && askedKey.join(',') !== m.primaryKey.join(',') ? `--primary-key ${askedKey.join(',')} (its key is ${m.primaryKey.join(', ')})` : '',
            opts.eventTime && opts.eventTime.toLowerCase() !== m.eventTime ? `--event-time ${opts.eventTime} (its event time is ${m.eventTime ?? 'none'})` : '',
          ].filter(Boolean)
          if (clashes.length)
            throw new ValidationError(`${m.name} v${m.version} exists: ${clashes.join(' and ')} define a new group and cannot change it; drop the option, or insert into a new version with --version N`, clashes.map((reason) => ({ reason })))
        }
        if (!g) {
          const primaryKey = askedKey ?? ['id']
          if (!askedKey && !table.header.includes('id'))
            throw new ValidationError(`${opts.file} has no "id" column: name the primary key with --primary-key COL`, [{ column: 'id', reason: 'no primary key column' }])
          const missing = primaryKey.filter((k) => !table.header.includes(k))
          if (missing.length) throw new ValidationError(`${opts.file} has no column ${missing.map((k) => `"${k}"`).join(', ')} for the primary key`, missing.map((column) => ({ column, reason: 'no primary key column' })))
          const eventTime = opts.eventTime?.toLowerCase()
          const schema = inferCsvSchema(table).map((f) => (f.name === eventTime ? { ...f, type: 'timestamp' as const } : f))
          // Validate before creating, so a refused file leaves no empty group behind either.
          const rows = csvToRows(table, schema, opts.file)
          try {
            validateRows(rows, schema, primaryKey, eventTime ?? null, [])
          } catch (e) {
            throw withCsvLines(e, opts.file)
          }
          g = await fs.getOrCreateFeatureGroup({
            name,
            version: opts.version ?? 1,
            primaryKey,
            eventTime,
            description: opts.description ?? `inserted from ${basename(opts.file)}`,
            schema,
          })
        }
        const rows = csvToRows(table, g.schema, opts.file)
        const progress = createProgress(`insert ${g.name} v${g.version}`, rows.length)
        const commit = await g
          .insert(rows, { source: basename(opts.file), onProgress: (done, _total, phase) => progress.update(done, phase) })
          .catch((e) => {
            progress.stop()
            throw withCsvLines(e, opts.file)
          })
        const seconds = (performance.now() - started) / 1000
        progress.stop()
        if (opts.json) return printJson({ featureGroup: g.name, version: g.version, commit })
        print(`commit ${commit.id}: ${plural(commit.rowsAdded, 'row')} added, ${commit.rowsUpdated} updated in ${g.name} v${g.version} (${seconds.toFixed(2)} s, ${Math.round(rows.length / seconds)} rows/s)`)
        for (const w of commit.warnings) print(`warning: ${w}`)
      } finally {
        await fs.close()
      }
    })

  fg.command('read <name>')
    .description('print the rows of a feature group (latest per key, or as of a commit)')
    .option('--version <n>', 'version (default: latest)', int('--version'))
    .option('--format <format>', 'csv or json', oneOf('--format', ['csv', 'json']), 'csv')
    .option('--json', 'the same as --format json')
    .option('--as-of <commit>', 'the data as it was right after this commit (one of the group\'s commits)', int('--as-of'))
    .option('--limit <n>', 'at most this many rows', int('--limit'))
    .action(async (name: string, opts, cmd: Command) => {
      const { csvField } = await import('../../featurestore/index.js')
      const fs = await store(cmd, READ_ONLY)
      try {
        const g = await fs.getFeatureGroup(name, opts.version)
        // Any commit id reads *something*; one of another group's is a mistake, not a point in this group's history.
        if (opts.asOf !== undefined && !(await g.commits()).some((c) => c.id === opts.asOf))
          usageError(cmd, `--as-of ${opts.asOf} is not a commit of feature group ${g.name} v${g.version} (sml fg show ${g.name} lists its commits)`)
        const rows = await g.read({ asOf: opts.asOf, limit: opts.limit })
        if (opts.json || opts.format === 'json') return printJson(rows)
        const cols = g.schema.map((f) => f.name)
        const lines = [cols.join(','), ...rows.map((r) => cols.map((c) => csvField(r[c])).join(','))]
        process.stdout.write(lines.join('\n') + '\n')
      } finally {
        await fs.close()
      }
    })

  const fv = program.command('fv').description('feature views')
  fv.command('list')
    .description('list feature views with their features, labels and training datasets')
    .option('--json', 'machine-readable output')
    .action(async (opts, cmd: Command) => {
      const fs = await store(cmd, READ_ONLY)
      try {
        const views = await fs.listFeatureViews()
        const rows = await Promise.all(
          views.map(async (v) => ({
            ...v.metadata,
            featureGroup: `${v.featureGroup.name} v${v.featureGroup.version}`,
            trainingDatasets: (await v.trainingDatasets()).map((t) => ({ version: t.version, commitId: t.commitId, trainRows: t.trainRows, testRows: t.testRows, seed: t.seed })),
          })),
        )
        if (opts.json) return printJson(rows)
        if (rows.length === 0) return print('no feature views yet')
        print(
          formatTable(
            ['name', 'version', 'feature group', 'features', 'labels', 'transformations', 'training datasets'],
            rows.map((r) => [
              r.name,
              r.version,
              r.featureGroup,
              r.features.filter((f) => !r.labels.includes(f)).join(','),
              r.labels.join(','),
              Object.entries(r.transformations).map(([c, k]) => `${c}:${k}`).join(','),
              r.trainingDatasets.map((t) => `v${t.version}@commit ${t.commitId} (${t.trainRows}/${t.testRows})`).join(' '),
            ]),
          ),
        )
      } finally {
        await fs.close()
      }
    })

  fv.command('create <name>')
    .description('define a feature view over a feature group: its columns (all, or all but --except), labels and transformations')
    .requiredOption('--group <name>', 'the feature group')
    .option('--group-version <n>', 'the feature group version (default: latest)', int('--group-version'))
    .option('--version <n>', 'the view version (default 1)', int('--version'))
    .option('--except <columns>', "the group's columns to leave out, comma-separated (e.g. its key)", list)
    .option('--labels <columns>', 'the label columns, comma-separated', list)
    .option('--transform <column=kind,…>', 'transformations fitted on each training split, e.g. age=standard_scaler,sex=label_encoder', list)
    .option('--description <text>', 'what the view is for')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts, cmd: Command) => {
      const fs = await store(cmd)
      try {
        const g = await fs.getFeatureGroup(opts.group, opts.groupVersion)
        // the kinds are the store's to check (getOrCreateFeatureView names an unknown one)
        const transformations: Record<string, TransformationKind> = {}
        for (const t of (opts.transform as string[] | undefined) ?? []) {
          const [column, kind] = t.split('=')
          if (!column || !kind) usageError(cmd, `--transform takes column=kind pairs, got ${JSON.stringify(t)}`)
          transformations[column] = kind as TransformationKind
        }
        const v = await fs.getOrCreateFeatureView({
          name,
          version: opts.version,
          query: g.selectExcept(opts.except ?? []),
          labels: opts.labels ?? [],
          transformations,
          ...(opts.description ? { description: opts.description } : {}),
        })
        const m = v.metadata
        if (opts.json) return printJson({ ...m, featureGroup: `${v.featureGroup.name} v${v.featureGroup.version}` })
        print(`feature view ${m.name} v${m.version} over ${v.featureGroup.name} v${v.featureGroup.version}: features ${m.features.filter((f) => !m.labels.includes(f)).join(', ')}; labels ${m.labels.join(', ') || '(none)'}`)
      } finally {
        await fs.close()
      }
    })

  fv.command('split <name>')
    .description('record a training dataset of a view (a seeded random split, or by event time) and print its sizes and a sha256 of its arrays, the same on every store holding the same rows')
    .option('--version <n>', 'view version (default: latest)', int('--version'))
    .option('--split <kind>', 'random or time', oneOf('--split', ['random', 'time']))
    .option('--test-size <fraction>', 'share of rows held out for testing, in (0, 1) (default 0.2)', finiteNumber('--test-size'))
    .option('--test-start <instant>', 'time split: rows at or after this instant (ISO 8601; UTC without an offset) are the test set', instant('--test-start'))
    .option('--seed <n>', 'random split: the shuffle seed (default 42)', safeInteger('--seed'))
    .option('--stratify', 'random split: keep each label value’s share in both sets')
    .option('--as-of <commit>', 'read the group as of this commit (default: the latest)', int('--as-of'))
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts, cmd: Command) => {
      // a time split has no shuffle: a seed would be recorded yet play no part
      if (opts.split === 'time' && opts.seed !== undefined) usageError(cmd, '--seed applies only to a random split')
      const fs = await store(cmd, READ_ONLY)
      try {
        const v = await fs.getFeatureView(name, opts.version)
        const split = await v.trainTestSplit({
          ...(opts.split ? { split: opts.split } : {}),
          ...(opts.testSize !== undefined ? { testSize: opts.testSize } : {}),
          ...(opts.testStart ? { testStart: opts.testStart } : {}),
          ...(opts.split === 'time' ? {} : { seed: opts.seed ?? 42 }),
          ...(opts.stratify ? { stratify: true } : {}),
          ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
        })
        const td = split.trainingDataset
        const sha256 = splitDigest(split)
        if (opts.json) return printJson({ featureView: `${v.name} v${v.version}`, trainingDataset: td, featureNames: split.featureNames, sha256 })
        print(`training dataset v${td.version} of ${v.name} v${v.version}: ${td.trainRows} train / ${td.testRows} test rows as of commit ${td.commitId}`)
        print(`sha256 ${sha256}`)
      } finally {
        await fs.close()
      }
    })

  fv.command('show <name>')
    .description('definition (groups, joins, features, labels, transformations) and training datasets of a feature view')
    .option('--version <n>', 'version (default: latest)', int('--version'))
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts, cmd: Command) => {
      const fs = await store(cmd, READ_ONLY)
      try {
        const v = await fs.getFeatureView(name, opts.version)
        const m = v.metadata
        const datasets = await v.trainingDatasets()
        const joins = m.joins.map((j, k) => ({ ...j, featureGroup: `${v.joinedGroups[k].name} v${v.joinedGroups[k].version}` }))
        if (opts.json) return printJson({ ...m, featureGroup: `${v.featureGroup.name} v${v.featureGroup.version}`, joins, trainingDatasets: datasets })
        print(`${m.name} v${m.version}${m.description ? ` — ${m.description}` : ''}`)
        print(`feature group: ${v.featureGroup.name} v${v.featureGroup.version}   created: ${cellText(m.createdAt)}`)
        for (const j of joins) print(`joined (point in time, on ${j.on.join(', ')}): ${j.featureGroup} — ${j.features.map((f) => `${j.prefix}${f}`).join(', ')}`)
        print(`features: ${m.features.filter((f) => !m.labels.includes(f)).join(', ')}`)
        print(`labels: ${m.labels.join(', ') || '(none)'}`)
        const transformations = Object.entries(m.transformations)
        if (transformations.length) print(`transformations: ${transformations.map(([c, k]) => `${c} ${k}`).join(', ')}`)
        print('\ntraining datasets:')
        print(
          datasets.length
            ? formatTable(
                ['version', 'commit', 'split', 'test size', 'test start', 'seed', 'stratified', 'train rows', 'test rows', 'created'],
                datasets.map((t) => [t.version, t.commitId, t.split, t.testSize, t.testStart, t.seed, t.stratify ? 'yes' : 'no', t.trainRows, t.testRows, t.createdAt]),
              )
            : '  (none yet: a training pipeline makes one)',
        )
      } finally {
        await fs.close()
      }
    })
}

/**
 * A sha256 of a split's arrays (xTrain, yTrain, xTest, yTest, as their bytes; text labels as JSON): equal on two
 * stores exactly when both gave the same numbers in the same order.
 */
function splitDigest(split: TrainTestSplit): string {
  const h = createHash('sha256')
  const add = (a: Float64Array | readonly (string | null)[]) => h.update(a instanceof Float64Array ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : JSON.stringify(a))
  add(split.xTrain.data)
  add(split.yTrain)
  add(split.xTest.data)
  add(split.yTest)
  return h.digest('hex')
}
