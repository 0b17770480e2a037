import type { Command } from 'commander'

/** Runs the program; known errors print one clear line (no stack) and exit 1. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv)
  } catch (e) {
    const err = e as Error & { issues?: unknown[] }
    const known = err.name === 'ValidationError' || err.name === 'NotFoundError'
    process.stderr.write(`error: ${known ? err.message : (err.stack ?? String(e))}\n`)
    process.exitCode = 1
  }
}
