import { CommanderError, type Command } from 'commander'

const KNOWN_ERRORS = new Set(['ValidationError', 'NotFoundError', 'PipelineFailedError', 'ChecksumError'])

/** Exit code of a usage mistake (unknown option, missing or malformed argument), as in POSIX utilities. */
export const USAGE_EXIT_CODE = 2

/** Runs the program; usage mistakes exit 2 with commander's one line, known errors print one clear line (no stack) and exit 1. */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  // Commander would exit 1 itself; thrown instead, its errors (already printed as one line) get exit code 2.
  const overrideExit = (c: Command): void => {
    c.exitOverride()
    c.commands.forEach(overrideExit)
  }
  overrideExit(program)
  // `sml … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0)
    throw e
  })
  try {
    await program.parseAsync(argv)
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : USAGE_EXIT_CODE
      return
    }
    const err = e as Error & { issues?: unknown[] }
    // Errors about the user's input or data explain themselves; anything else is our bug and keeps its stack.
    const known = KNOWN_ERRORS.has(err.name)
    process.stderr.write(`error: ${known ? err.message : (err.stack ?? String(e))}\n`)
    process.exitCode = 1
  }
}
