import type { Command } from 'commander'
import { positiveInt as int } from '../options.js'
import { formatTable, print, printJson } from '../output.js'


async function registry() {
  const { openModelRegistry } = await import('../../registry/index.js')
  return openModelRegistry()
}

/** `sml models …`: the model registry from a terminal. */
export function registerRegistryCommands(program: Command): void {
  const models = program.command('models').description('model registry: versions, metrics, lineage and artifacts')

  models
    .command('list')
    .description('list models with their version counts and aliases')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const reg = await registry()
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
    .action(async (name: string, opts) => {
      const reg = await registry()
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
        if (v.inputExample !== null) print(`\ninput example: ${JSON.stringify(v.inputExample)}`)
        if (v.schema !== null) print(`schema: ${JSON.stringify(v.schema)}`)
        print('\nartifacts:')
        print(v.artifacts.length ? formatTable(['file', 'bytes', 'sha256'], v.artifacts.map((a) => [a.file, a.size, a.sha256])) : '  (none)')
      } finally {
        await reg.close()
      }
    })

  models
    .command('artifact <name> <file>')
    .description('write an artifact\'s raw bytes to stdout, checksum verified (e.g. > confusion_matrix.png)')
    .option('--version <n>', 'version (default: latest)', int('--version'))
    .action(async (name: string, file: string, opts) => {
      const reg = await registry()
      try {
        const bytes = await reg.readArtifact(name, opts.version, file)
        await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())))
      } finally {
        await reg.close()
      }
    })

  models
    .command('alias <name> <alias> [version]')
    .description('point an alias (e.g. production) at a version; --remove to drop it')
    .option('--remove', 'remove the alias')
    .action(async (name: string, alias: string, version: string | undefined, opts) => {
      const reg = await registry()
      try {
        if (opts.remove) {
          await reg.removeAlias(name, alias)
          return print(`removed alias ${alias} of ${name}`)
        }
        const n = version === undefined ? (await reg.get(name)).version : int('version')(version)
        await reg.setAlias(name, alias, n)
        print(`${name} ${alias} → v${n}`)
      } finally {
        await reg.close()
      }
    })
}

function metricsText(m: Readonly<Record<string, number>>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(' ')
}
