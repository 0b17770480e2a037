import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeDirectory } from './make-directory.js'

describe('makeDirectory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sml-mkdir-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('makes every missing folder, and is a no-op on an existing one', () => {
    const deep = join(dir, 'a', 'b', 'c')
    makeDirectory(deep)
    expect(statSync(deep).isDirectory()).toBe(true)
    makeDirectory(deep)
    makeDirectory(dir)
  })

  it('throws the refusal of the first folder it cannot make, naming it', () => {
    const file = join(dir, 'file')
    writeFileSync(file, 'x')
    expect(() => makeDirectory(file)).toThrow(expect.objectContaining({ code: 'EEXIST', path: file }))
    expect(() => makeDirectory(join(file, 'x', 'y'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }))
  })

  it.runIf(process.platform === 'linux')('fails at once where the kernel answers ENOENT to a folder whose parent exists (/proc), where Node’s recursive mkdir spins forever', () => {
    expect(() => makeDirectory('/proc/sml-nope/deeper')).toThrow(expect.objectContaining({ code: 'ENOENT', path: '/proc/sml-nope' }))
  })
})
