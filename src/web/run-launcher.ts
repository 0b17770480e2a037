import { spawn } from 'node:child_process'
import type { RunLauncher } from './services.js'

/**
 * Run now as a fresh `sml run NAME --trigger manual` process, as the worker runs a tick: the server stays
 * responsive, and the run records itself (status, logs) in the store like any other. `command` starts the
 * CLI, e.g. `[process.execPath, ...process.execArgv, process.argv[1]]`.
 */
export function childProcessLauncher(command: readonly string[], env: NodeJS.ProcessEnv = process.env): RunLauncher {
  return (pipeline) =>
    new Promise((resolve, reject) => {
      const child = spawn(command[0], [...command.slice(1), 'run', pipeline, '--trigger', 'manual'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
      child.once('spawn', () => {
        child.unref()
        resolve({ pid: child.pid! })
      })
      child.once('error', reject)
    })
}
