import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])

// Every TypeScript example in the README runs as written (against the sources, in a fresh store).
describe('README examples', () => {
  it.each(examples.map((code, i) => [i + 1, code]))('example %i runs', async (_i, code) => {
    const dir = mkdtempSync(join(tmpdir(), 'sml-readme-'))
    const file = join(dir, 'example.mts')
    writeFileSync(file, String(code).replaceAll("from 'serverless-ml'", `from '${join(root, 'src/index.ts')}'`))
    const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, SML_HOME: join(dir, '.sml'), DATABASE_URL: '' },
    })
    expect(stderr).toBe('')
  })
  it('has examples', () => expect(examples.length).toBeGreaterThan(0))
})
