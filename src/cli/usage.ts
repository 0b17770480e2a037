import type { Command } from 'commander'

/**
 * Makes every usage mistake one line on stderr, `error: <what is wrong> (<hint>)`: commander's own messages lose
 * their "option '--limit <n>' argument 'abc' is invalid." preamble when our parser's message already names the
 * option, multi-line ones (a "Did you mean …?" suggestion) are joined, and a message with no hint of its own gets
 * `(see sml <command> --help)`. Set on each command, so the hint names the command the mistake was made in.
 * The exit code (2) is run-cli's.
 */
export function configureUsageErrors(program: Command): void {
  const visit = (c: Command): void => {
    c.configureOutput({ outputError: (str, write) => write(`${usageLine(str, commandPath(c))}\n`) })
    c.commands.forEach(visit)
  }
  visit(program)
}

/** One usage error as one line; `path` is the command it happened in, e.g. `sml runs`. */
export function usageLine(message: string, path: string): string {
  let text = message.trim().replace(/^error:\s*/, '')
  // Commander's preamble only repeats what our parsers' messages say (they name the option and the value).
  const option = /^option '(-\S+?)(?:,? [^']*)?' argument '(?:[^']*)' is invalid\.\s*(.*)$/s.exec(text)
  if (option && option[2].startsWith(option[1])) text = option[2]
  const argument = /^command-argument value '(?:[^']*)' is invalid for argument '[^']*'\.\s*(.*)$/s.exec(text)
  if (argument && argument[1]) text = argument[1]
  text = text.replace(/\s*\n\s*/g, ' ').replace(/\.$/, '')
  return `error: ${text}${/\)$/.test(text) ? '' : ` (see ${path} --help)`}`
}

function commandPath(c: Command): string {
  const names: string[] = []
  for (let x: Command | null = c; x; x = x.parent) names.unshift(x.name())
  return names.join(' ')
}

/**
 * Reports a usage mistake found inside an action (a value only the store can judge, a port in use) like commander's
 * own: one line, exit code 2. `finally` blocks still run, so the store is closed.
 */
export function usageError(cmd: Command, message: string): never {
  cmd.error(`error: ${message}`)
}
