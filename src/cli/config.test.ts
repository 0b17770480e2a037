import { Command } from 'commander'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Config } from '../config/index.js'
import { tempProject, WINE_CONFIG } from '../config/test-support/project.js'
import { commandConfig, configArgs } from './config.js'

describe('commandConfig', () => {
  const project = tempProject({ 'wine.mjs': WINE_CONFIG })
  afterAll(() => project.remove())

  it('reads --config and --data-dir from the global flags, and gives a child sml the same ones', async () => {
    let config: Config | undefined
    const program = new Command().option('--config <file>').option('--data-dir <dir>')
    program.command('x').action(async (_opts, cmd: Command) => {
      config = await commandConfig(cmd)
    })
    const file = join(project.dir, 'wine.mjs')
    await program.parseAsync(['node', 'sml', '--config', file, '--data-dir', project.dir, 'x'])
    expect(config!.file).toBe(file)
    expect(config!.dataDir).toBe(project.dir)
    expect(config!.systems.map((s) => s.name)).toEqual(['wine'])
    expect(configArgs(config!)).toEqual(['--config', file, '--data-dir', project.dir])
  })
})
