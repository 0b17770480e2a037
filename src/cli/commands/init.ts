import { readFileSync } from 'node:fs'
import { basename, dirname, join, resolve, sep } from 'node:path'
import type { Command } from 'commander'
import { oneOf } from '../options.js'
import { print } from '../output.js'
import { packageRoot, packageVersion } from '../version.js'

/** `sml init`: a project for the user's own system, inferred from a CSV (the inference is systems/scaffold's). */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('scaffold a project for your own system from a CSV file or URL: package.json, sml.config.ts, systems/<name>.ts, README')
    .argument('[dir]', 'the project directory, new or empty', '.')
    .requiredOption('--from <file.csv|url>', 'the CSV to learn from (copied into the project); an http(s) URL is the source the pipelines re-read')
    .requiredOption('--label <column>', 'the column to predict')
    .option('--task <task>', 'classification or regression (default: inferred from the label)', oneOf('--task', ['classification', 'regression']))
    .option('--event-time <column>', 'a timestamp column saying when each row happened: the event time, and with a URL the daily fetch\'s position')
    .option('--name <name>', 'the system\'s name (default: the directory\'s name)')
    .option('--package <spec>', 'the serverless-ml dependency written to package.json (default ^<this version>, or file:<this checkout> when run from one; or file:…tgz)')
    .action(async (dir: string, opts: { from: string; label: string; task?: 'classification' | 'regression'; eventTime?: string; name?: string; package?: string }) => {
      // Loaded on use: the scaffold reads CSVs, which the other commands' cold start does not need.
      const { scaffoldProject, scaffoldProjectFromUrl, isUrl, describePlan } = await import('../../systems/scaffold/index.js')
      const options = { dir, from: opts.from, label: opts.label, task: opts.task, eventTime: opts.eventTime, name: opts.name, packageSpec: opts.package ?? packageSpec() }
      const { dir: made, plan, files } = isUrl(opts.from) ? await scaffoldProjectFromUrl(options) : scaffoldProject(options)
      for (const l of describePlan(plan)) print(l)
      print(`\nwrote ${made}: ${[...Object.keys(files), plan.file].join(', ')}`)
      print('\nreview (README.md lists these too):')
      for (const r of plan.review) print(`  - ${r}`)
      const cd = made === process.cwd() ? '' : `cd ${dir} && `
      if (options.packageSpec?.startsWith('file:') && !options.packageSpec.endsWith('.tgz') && opts.package === undefined) print(`\nserverless-ml comes from this checkout (${options.packageSpec}): build it first (npm run build), or name another with --package`)
      print(`\nnext: ${cd}npm install && npm start`)
    })
}

/**
 * The dependency a new project gets: how this sml was installed (`dependencySpec`) from where it runs.
 */
function packageSpec(): string | undefined {
  return dependencySpec(packageRoot(), packageVersion())
}

/**
 * The dependency spec that installs the package at `root` again: run from a checkout (not under node_modules),
 * which is how an unpublished package is used, the checkout itself (`file:` its folder; its dist/ is what the
 * project runs); installed from a tarball or folder (npm's hidden lockfile, node_modules/.package-lock.json,
 * records it as `file:…`), that file by its absolute path; else (the registry) this version's caret range.
 * So the printed next step, `npm install`, works as it is. Undefined when the version is unknown.
 */
export function dependencySpec(root: string, version: string): string | undefined {
  if (!root.split(sep).includes('node_modules')) return `file:${root}`
  const modules = dirname(root)
  try {
    const lock = JSON.parse(readFileSync(join(modules, '.package-lock.json'), 'utf8')) as { packages?: Record<string, { resolved?: string }> }
    const resolved = lock.packages?.[`node_modules/${basename(root)}`]?.resolved
    // relative to the installing project's folder, which the new project is not in
    if (resolved?.startsWith('file:')) return `file:${resolve(dirname(modules), resolved.slice('file:'.length))}`
  } catch {
    // no hidden lockfile (another package manager): take the registry's range
  }
  return version === 'unknown' ? undefined : `^${version}`
}
