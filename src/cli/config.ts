import type { Command } from 'commander'
import type { Config } from '../config/index.js'

/**
 * The configuration a command runs with, read once here at the edge: the config file (`--config`, SML_CONFIG,
 * or sml.config.* in the working directory; the built-in iris, titanic and air-quality config when there is none), then
 * `--data-dir` and the environment. A bad config is one ValidationError line naming the file.
 */
export async function commandConfig(cmd: Command): Promise<Config> {
  const { loadConfig, settingsFromEnv } = await import('../config/index.js')
  const flags = cmd.optsWithGlobals() as { config?: string; dataDir?: string }
  const settings = settingsFromEnv(process.env)
  return loadConfig(flags.config, flags.dataDir ? { ...settings, dataDir: flags.dataDir } : settings)
}

/** The global flags a child `sml` process needs to load the same configuration (the worker's `sml run`). */
export function configArgs(config: Config): string[] {
  return [...(config.file ? ['--config', config.file] : []), ...(config.dataDir ? ['--data-dir', config.dataDir] : [])]
}
