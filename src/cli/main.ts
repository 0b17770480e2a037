#!/usr/bin/env node
import { Command } from 'commander'
import { registerAppCommands } from './commands/app.js'
import { registerFeatureStoreCommands } from './commands/featurestore.js'
import { registerInitCommand } from './commands/init.js'
import { registerRegistryCommands } from './commands/registry.js'
import { registerRuntimeCommands } from './commands/runtime.js'
import { registerSiteCommands } from './commands/site.js'
import { registerStoreCommands } from './commands/store.js'
import { runCli } from './run-cli.js'
import { configureUsageErrors } from './usage.js'
import { packageVersion } from './version.js'

// Only as the first argument: commander matches a program option anywhere, and `--version <n>` of
// `sml fg show` / `sml models show` would then print ours.
if (process.argv[2] === '--version' || process.argv[2] === '-V') {
  process.stdout.write(`${packageVersion()}\n`)
  process.exit(0)
}

// Commands import their heavy modules lazily inside their actions, so `sml run` starts fast.
const program = new Command()
  .name('sml')
  .description('serverless-ml: feature store, model registry, scheduled pipelines and web UI on SQLite or PostgreSQL')
  .addHelpText('after', '\n`sml --version` prints the version.')
  .option('--config <file>', 'the project config (also SML_CONFIG; default sml.config.{ts,mts,js,mjs} here, else the built-in iris, titanic and air quality)')
  .option('--data-dir <dir>', 'read the systems\' data files (iris.csv, titanic.csv, air-quality-stockholm-hornsgatan.csv) from this directory instead of downloading (also SML_DATA_DIR)')

registerInitCommand(program)
registerAppCommands(program)
registerFeatureStoreCommands(program)
registerRegistryCommands(program)
registerRuntimeCommands(program)
registerStoreCommands(program)
registerSiteCommands(program)
configureUsageErrors(program)

await runCli(program, process.argv)
