import { CommanderError, type Command } from 'commander'
// errors/ alone: a leaf, so every command loads it without the database drivers.
import { classify } from '../errors/index.js'

/** Exit code of a usage mistake (unknown option, missing or malformed argument), as in POSIX utilities. */
export const USAGE_EXIT_CODE = 2

/** Runs the program; usage mistakes exit 2 with commander's one line, our errors print one clear line (no stack) and exit as `classify` says (1). */
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
    // Our errors (input, data, state) explain themselves in one line; anything else is our bug and keeps its stack.
    const c = classify(e)
    process.stderr.write(`error: ${c.expected ? c.message : c.stack}\n`)
    process.exitCode = c.exitCode
  }
}
