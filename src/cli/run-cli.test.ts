import { Command } from 'commander'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ConflictError, NotFoundError, validationError } from '../errors/index.js'
import { KNeighborsClassifier } from '../ml/index.js'
import { positiveInt } from './options.js'
import { runCli, USAGE_EXIT_CODE } from './run-cli.js'

/** Runs one command in-process; returns what it wrote to stderr and its exit code. */
async function run(action: () => void, args: string[] = []): Promise<{ stderr: string; code: number }> {
  const lines: string[] = []
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true))
  const program = new Command().name('sml')
  program
    .command('go')
    .option('--days <n>', 'days', positiveInt('--days'))
    .action(() => action())
  const before = process.exitCode
  try {
    await runCli(program, ['node', 'sml', 'go', ...args])
    return { stderr: lines.join(''), code: Number(process.exitCode ?? 0) }
  } finally {
    process.exitCode = before
  }
}

describe('runCli', () => {
  afterEach(() => vi.restoreAllMocks())

  it('prints our errors as one line without a stack, exit code 1', async () => {
    const bad = await run(() => {
      throw validationError([{ row: 2, column: 'age', reason: '"old" is not a valid float' }], 'titanic.csv')
    })
    expect(bad).toEqual({ stderr: 'error: invalid titanic.csv: row 2, column "age": "old" is not a valid float\n', code: 1 })
    expect(await run(() => { throw new NotFoundError('no feature group nothing_here') })).toEqual({ stderr: 'error: no feature group nothing_here\n', code: 1 })
    expect((await run(() => { throw new ConflictError('the target store is not empty') })).code).toBe(1)
  })

  it('prints an ML validation error as one line too', async () => {
    const r = await run(() => void new KNeighborsClassifier().fit([[0, NaN]], ['a']))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error: x\[0\]\[1\] is NaN: feature column 1 has a missing value/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('prints the stack of a bug, exit code 1', async () => {
    const r = await run(() => {
      throw new TypeError('boom')
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error: TypeError: boom\n\s+at /)
  })

  it("exits 2 on a usage mistake, with commander's one line", async () => {
    const r = await run(() => {}, ['--days', 'x'])
    expect(r.code).toBe(USAGE_EXIT_CODE)
    expect(r.stderr).toBe("error: option '--days <n>' argument 'x' is invalid. --days must be a positive integer, got \"x\"\n")
  })
})
