import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url))

export interface SmlResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the `sml` CLI from source in a child process with the given environment (e.g. a TestDatabase's). */
export function runSml(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Promise<SmlResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env }, cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}
