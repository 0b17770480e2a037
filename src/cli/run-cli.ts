import type { Command } from 'commander'

const KNOWN_ERRORS = new Set(['ValidationError', 'NotFoundError', 'PipelineFailedError', 'ChecksumError'])

/** Runs the program; known errors print one clear line (no stack) and exit 1. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  // `sml … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0)
    throw e
  })
  try {
    await program.parseAsync(argv)
  } catch (e) {
    const err = e as Error & { issues?: unknown[] }
    // Errors about the user's input or data explain themselves; anything else is our bug and keeps its stack.
    const known = KNOWN_ERRORS.has(err.name)
    process.stderr.write(`error: ${known ? err.message : (err.stack ?? String(e))}\n`)
    process.exitCode = 1
  }
}
