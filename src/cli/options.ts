import { InvalidArgumentError } from 'commander'

/**
 * Commander argument parsers shared by the commands: each names the option and the reason on bad input, as an
 * InvalidArgumentError so commander reports it as a usage mistake (one line, exit code 2), never a stack trace.
 */
export const positiveInt = (what: string) => (v: string) => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive integer, got ${JSON.stringify(v)}`)
  return n
}

export const port = (v: string) => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(v)}`)
  return n
}
