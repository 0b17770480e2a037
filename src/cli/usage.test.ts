import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runSml } from './test-support/run-sml.js'
import { usageLine } from './usage.js'

describe('usageLine', () => {
  it('drops commander’s preamble when our message names the option, and adds the command’s help as the hint', () => {
    expect(usageLine(`error: option '--limit <n>' argument 'abc' is invalid. --limit must be a positive integer, got "abc"\n`, 'sml runs')).toBe(
      'error: --limit must be a positive integer, got "abc" (see sml runs --help)',
    )
    // commander's own choices() message does not name the option: its preamble stays
    expect(usageLine(`error: option '--trigger <trigger>' argument 'x' is invalid. Allowed choices are manual, schedule.\n`, 'sml run')).toBe(
      `error: option '--trigger <trigger>' argument 'x' is invalid. Allowed choices are manual, schedule (see sml run --help)`,
    )
  })

  it('joins a suggestion onto the same line and keeps a hint already given', () => {
    expect(usageLine("error: unknown command 'lst'\n(Did you mean list?)\n", 'sml fg')).toBe("error: unknown command 'lst' (Did you mean list?)")
    expect(usageLine('error: port 80 on 127.0.0.1 is in use (choose another with --port)\n', 'sml serve')).toBe('error: port 80 on 127.0.0.1 is in use (choose another with --port)')
  })
})

describe('ordinary mistakes on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sml-usage-'))
  // A home that does not exist: a usage mistake must not create it.
  const home = join(dir, 'absent', '.sml')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const cases: [string[], string][] = [
    [['runs', '--limit', 'abc'], 'error: --limit must be a positive integer, got "abc" (see sml runs --help)'],
    [['demo', '--days', '0'], 'error: --days must be a positive integer, got "0" (see sml demo --help)'],
    [['demo', '--until', '2026-02-30'], 'error: --until must be a day as YYYY-MM-DD, got "2026-02-30" (see sml demo --help)'],
    [['fg', 'read', 'iris', '--format', 'xml'], 'error: --format must be one of csv, json, got "xml" (see sml fg read --help)'],
    [['serve', '--port', '99999'], 'error: --port must be an integer from 0 to 65535, got "99999" (see sml serve --help)'],
    [['start', '--port', 'http'], 'error: --port must be an integer from 0 to 65535, got "http" (see sml start --help)'],
    [['runs', '--status', 'bogus'], 'error: --status must be one of running, succeeded, failed, timed-out, abandoned, got "bogus" (see sml runs --help)'],
    [['runs', 'show', 'abc'], 'error: the run id must be a positive integer, got "abc" (see sml runs show --help)'],
    [['runs', 'show', '99999999999999999999999'], 'error: the run id must be a positive integer, got "99999999999999999999999" (see sml runs show --help)'],
    [['models', 'promote', 'iris_model', 'latest'], 'error: VERSION must be a positive integer, got "latest" (see sml models promote --help)'],
    [['fg', 'lst'], "error: unknown command 'lst' (Did you mean list?)"],
    [['runs', '--limt', '3'], "error: unknown option '--limt' (Did you mean --limit?)"],
    [['fg', 'show'], "error: missing required argument 'name' (see sml fg show --help)"],
  ]
  it.each(cases)('sml %j: one line with a hint, exit code 2, nothing created', async (args, line) => {
    const r = await runSml(args, { SML_HOME: home, DATABASE_URL: '' })
    expect(r.stderr).toBe(`${line}\n`)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect([r.code, r.stdout]).toEqual([2, ''])
    expect(existsSync(join(dir, 'absent'))).toBe(false)
  })

  const badPorts: [string, string][] = [
    ['serve', 'abc'],
    ['serve', '-1'],
    ['serve', '70000'],
    ['serve', '1.5'],
    ['start', 'abc'],
    ['start', '70000'],
  ]
  it.each(badPorts)('PORT for sml %s is validated like --port: PORT=%j is one line naming PORT, exit code 2, nothing created', async (command, value) => {
    const r = await runSml([command], { SML_HOME: home, DATABASE_URL: '', PORT: value })
    expect(r.stderr).toBe(`error: PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)} (see sml ${command} --help)\n`)
    expect([r.code, r.stdout]).toEqual([2, ''])
    expect(existsSync(join(dir, 'absent'))).toBe(false)
  })

  it('a bad PORT troubles no command that serves nothing, and --port wins over it', async () => {
    const r = await runSml(['runs', '--limit', 'abc'], { SML_HOME: home, DATABASE_URL: '', PORT: 'abc' })
    expect(r.stderr).toBe('error: --limit must be a positive integer, got "abc" (see sml runs --help)\n')
    const flag = await runSml(['serve', '--port', 'http'], { SML_HOME: home, DATABASE_URL: '', PORT: 'abc' })
    expect(flag.stderr).toBe('error: --port must be an integer from 0 to 65535, got "http" (see sml serve --help)\n')
  })

  it('sml start refuses a port in use before touching the store', async () => {
    const held = createServer()
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve))
    const { port } = held.address() as { port: number }
    try {
      const r = await runSml(['start', '--port', String(port)], { SML_HOME: home, DATABASE_URL: '' })
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `error: port ${port} on 127.0.0.1 is in use (choose another with --port, or stop what holds it)\n`])
      expect(existsSync(join(dir, 'absent'))).toBe(false)
    } finally {
      await new Promise((resolve) => held.close(resolve))
    }
  })

  it('sml --version prints the package version', async () => {
    const { version } = JSON.parse(await (await import('node:fs/promises')).readFile(new URL('../../package.json', import.meta.url), 'utf8'))
    const r = await runSml(['--version'])
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `${version}\n`, ''])
  })
})
