import prettyMs from 'pretty-ms'
import { ValidationError } from '../errors/index.js'
/** Prints rows as an aligned text table for people. */
export function formatTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(cellText))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z')
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6)
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** JSON for scripts: Dates as ISO strings, typed arrays as arrays. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v), 2) + '\n')
}

export function print(text: string): void {
  process.stdout.write(text + '\n')
}

/** A duration for people (pretty-ms: `850ms`, `12.3s`, `10m`, `2h 5s`); the JSON outputs keep milliseconds. */
export function formatDuration(ms: number): string {
  return prettyMs(ms)
}

/**
 * Raw bytes for stdout, refused when stdout is a terminal and they are not text (a NUL byte or invalid UTF-8):
 * a PNG or a model file printed there garbles the terminal and is lost, as curl refuses binary output to a terminal.
 * @throws ValidationError naming the file and the redirect to use.
 */
export function bytesForStdout(bytes: Uint8Array, what: string, toTerminal: boolean, redirect: string): Uint8Array {
  if (toTerminal && !isText(bytes)) throw new ValidationError(`${what} is binary (${bytes.length.toLocaleString('en')} bytes), not written to the terminal: redirect it to a file, e.g. ${redirect}`, 'stdout')
  return bytes
}

function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}
