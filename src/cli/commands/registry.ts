import { userInfo } from 'node:os'
import type { Command } from 'commander'
import type { PromotionRecord } from '../../registry/index.js'
import { commandConfig } from '../config.js'
import { positiveInt as int } from '../options.js'
import { bytesForStdout, formatTable, print, printJson } from '../output.js'
import { plural } from '../../support/plural.js'

// The store of the command's configuration. Every `sml models` command needs models to exist, so none creates
// a store: a missing one is reported instead.
async function registry(cmd: Command) {
  const [{ openModelRegistry }, config] = await Promise.all([import('../../config/open-store.js'), commandConfig(cmd)])
  return openModelRegistry({ create: false, ...config.store })
}

/** `sml models …`: the model registry from a terminal. */
export function registerRegistryCommands(program: Command): void {
  const models = program.command('models').description('model registry: versions, metrics, lineage and artifacts')

  models
    .command('list')
    .description('list models with their version counts and aliases')
    .option('--json', 'machine-readable output')
    .action(async (opts, cmd: Command) => {
      const reg = await registry(cmd)
      try {
        const list = await reg.list()
        if (opts.json) return printJson(list)
        if (list.length === 0) return print('no models yet: a training pipeline registers them')
        const rows = await Promise.all(
          list.map(async (m) => {
            const latest = await reg.get(m.name, m.latestVersion)
            return [m.name, m.versions, m.latestVersion, Object.entries(m.aliases).map(([a, v]) => `${a}=v${v}`).join(' '), metricsText(latest.metrics), m.updatedAt]
          }),
        )
        print(formatTable(['name', 'versions', 'latest', 'aliases', 'latest metrics', 'updated'], rows))
      } finally {
        await reg.close()
      }
    })

  models
    .command('show <name>')
    .description('metrics, lineage and artifacts (sizes, sha256) of a model version')
    .option('--version <n>', 'version (default: latest)', int('--version'))
    .option('--alias <alias>', 'the version an alias points at (e.g. production)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts, cmd: Command) => {
      const reg = await registry(cmd)
      try {
        const v = opts.alias ? await reg.getByAlias(name, opts.alias) : await reg.get(name, opts.version)
        if (opts.json) return printJson({ ...v, versions: (await reg.listVersions(name)).map((x) => x.version) })
        print(`${v.name} v${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}${v.description ? ` — ${v.description}` : ''}`)
        print(`created: ${v.createdAt.toISOString()}`)
        print('\nmetrics:')
        print(Object.keys(v.metrics).length ? formatTable(['metric', 'value'], Object.entries(v.metrics)) : '  (none)')
        const l = v.lineage
        print('\nlineage:')
        print(`  feature view:     ${l.featureView ? `${l.featureView.name} v${l.featureView.version}` : '(none)'}`)
        print(`  training dataset: ${l.trainingDatasetVersion === null ? '(none)' : `v${l.trainingDatasetVersion}`}`)
        print(`  commit:           ${l.commitId ?? '(none)'}`)
        // the model's own (transformed) inputs, which a predict request is not: said, since one is tempted to post it
        if (v.inputExample !== null) print(`\ninput example (the model's inputs, after the feature view's transformations): ${JSON.stringify(v.inputExample)}`)
        if (v.schema !== null) print(`schema: ${JSON.stringify(v.schema)}`)
        print('\nartifacts:')
        print(v.artifacts.length ? formatTable(['file', 'bytes', 'sha256'], v.artifacts.map((a) => [a.file, a.size, a.sha256])) : '  (none)')
        print('\npromotion:')
        print(v.promotions.length ? v.promotions.map((p) => promotionText(v.version, p)).join('\n') : '  (no decision recorded)')
      } finally {
        await reg.close()
      }
    })

  models
    .command('artifact <name> <file>')
    .description('write an artifact\'s raw bytes to stdout, checksum verified (e.g. > confusion_matrix.png)')
    .option('--version <n>', 'version (default: latest)', int('--version'))
    .action(async (name: string, file: string, opts, cmd: Command) => {
      const reg = await registry(cmd)
      try {
        const bytes = bytesForStdout(await reg.readArtifact(name, opts.version, file), file, process.stdout.isTTY === true, `sml models artifact ${name} ${file} > ${file.split('/').pop()}`)
        await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())))
      } finally {
        await reg.close()
      }
    })

  models
    .command('promote')
    .description("point production at a version by hand, overriding the training pipeline's comparison; recorded with the version as a manual promotion")
    .argument('<name>', 'model name')
    .argument('<version>', 'version to serve', int('VERSION'))
    .option('--reason <text>', 'why, recorded with the promotion')
    .option('--json', 'machine-readable output')
    .action(async (name: string, version: number, opts, cmd: Command) => {
      const reg = await registry(cmd)
      try {
        const v = await reg.promote(name, version, { reason: opts.reason, actor: actor() })
        const promotion = v.promotions[v.promotions.length - 1]
        const previous = promotion.productionVersion
        if (opts.json) return printJson({ name: v.name, alias: promotion.alias, version: v.version, previousVersion: previous, promotion })
        print(`${v.name} production → v${v.version}${previous === null ? '' : previous === v.version ? ' (already)' : ` (was v${previous})`}; recorded as a manual promotion${promotion.actor ? ` by ${promotion.actor}` : ''}`)
      } finally {
        await reg.close()
      }
    })

  models
    .command('alias')
    .description('point an alias (e.g. production) at a version (default the latest), recorded as a manual move; --remove to drop it')
    .argument('<name>', 'model name')
    .argument('<alias>', 'alias, e.g. production')
    .argument('[version]', 'version (default: latest)', int('VERSION'))
    .option('--remove', 'remove the alias')
    .option('--json', 'machine-readable output')
    .action(async (name: string, alias: string, version: number | undefined, opts, cmd: Command) => {
      const reg = await registry(cmd)
      try {
        if (opts.remove) {
          await reg.removeAlias(name, alias)
          if (opts.json) return printJson({ name, alias, version: null, removed: true })
          return print(`removed alias ${alias} of ${name}`)
        }
        const n = version ?? (await reg.get(name)).version
        await reg.setAlias(name, alias, n, { actor: actor() })
        if (opts.json) return printJson({ name, alias, version: n, removed: false })
        print(`${name} ${alias} → v${n}`)
      } finally {
        await reg.close()
      }
    })
}

/** Who runs the command, recorded with a manual promotion. */
function actor(): string | undefined {
  try {
    return userInfo().username
  } catch {
    return undefined // no passwd entry (some containers): the record says manual without a name
  }
}

/** One promotion decision as three indented lines: who and the outcome, both figures on the same rows, the reason. */
export function promotionText(version: number, p: PromotionRecord): string {
  const lines = [`  ${p.decidedAt.toISOString()}  ${p.decidedBy}${p.actor ? ` (${p.actor})` : ''}: ${p.alias} ${p.promoted ? `→ v${version}` : `stayed on v${p.productionVersion}`}`]
  if (p.metric !== null && p.candidateScore !== null) {
    const production = p.productionVersion === null ? 'no version in production' : `v${p.productionVersion} ${p.productionScore === null ? 'not comparable' : p.productionScore.toFixed(4)}`
    lines.push(`    ${p.metric} on the same ${p.evaluationRows === null ? 'rows' : plural(p.evaluationRows, 'row')}: v${version} ${p.candidateScore.toFixed(4)} · ${production}`)
  }
  lines.push(`    ${p.reason}`)
  return lines.join('\n')
}

function metricsText(m: Readonly<Record<string, number>>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(' ')
}
