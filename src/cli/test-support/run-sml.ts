import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url))
// tsx by path: `--import tsx` resolves from the working directory, which a test may set to a folder without node_modules
const TSX = new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href

/**
 * The time a test of a sequence of `sml` processes gets (each one ~1–2 s through tsx: ~30 s for twenty on a quiet
 * 2-core machine, 49–60 s while other test files run beside it), over the suite's 60 s default.
 */
export const CLI_SEQUENCE_TIMEOUT = 180_000

export interface SmlResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the `sml` CLI from source in a child process with the given environment (e.g. a TestDatabase's). */
export function runSml(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Promise<SmlResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, MAIN, ...args], { env: { ...process.env, ...env }, cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}
