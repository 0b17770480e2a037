import type { Command } from 'commander'
import { oneOf } from '../options.js'
import { print } from '../output.js'
import { packageVersion } from '../version.js'

/** `sml init`: a project for the user's own system, inferred from a CSV (the inference is systems/scaffold's). */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('scaffold a project for your own system from a CSV: package.json, sml.config.ts, systems/<name>.ts, README')
    .argument('[dir]', 'the project directory, new or empty', '.')
    .requiredOption('--from <file.csv>', 'the CSV to learn from (copied into the project)')
    .requiredOption('--label <column>', 'the column to predict')
    .option('--task <task>', 'classification or regression (default: inferred from the label)', oneOf('--task', ['classification', 'regression']))
    .option('--name <name>', 'the system\'s name (default: the directory\'s name)')
    .option('--package <spec>', 'the serverless-ml dependency written to package.json (default ^<this version>; or file:…tgz)')
    .action(async (dir: string, opts: { from: string; label: string; task?: 'classification' | 'regression'; name?: string; package?: string }) => {
      // Loaded on use: the scaffold reads CSVs, which the other commands' cold start does not need.
      const { scaffoldProject, describePlan } = await import('../../systems/scaffold/index.js')
      const { dir: made, plan, files } = scaffoldProject({ dir, from: opts.from, label: opts.label, task: opts.task, name: opts.name, packageSpec: opts.package ?? packageSpec() })
      for (const l of describePlan(plan)) print(l)
      print(`\nwrote ${made}: ${[...Object.keys(files), plan.file].join(', ')}`)
      print('\nreview (README.md lists these too):')
      for (const r of plan.review) print(`  - ${r}`)
      const cd = made === process.cwd() ? '' : `cd ${dir} && `
      print(`\nnext: ${cd}npm install && npm start`)
    })
}

/** This version's caret range (what a user installed is what the project asks for); a checkout's own version too. */
function packageSpec(): string | undefined {
  const v = packageVersion()
  return v === 'unknown' ? undefined : `^${v}`
}
