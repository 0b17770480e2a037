import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { DATA_DIR } from '../src/featurestore/test-support/data.js'

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
      env: { ...process.env, SML_HOME: join(dir, '.sml'), DATABASE_URL: '', SML_DATA_DIR: DATA_DIR },
    })
    // Pipelines log progress to stderr; a non-zero exit rejects above, and no error may be printed.
    expect(stderr).not.toMatch(/Error|error:|\n\s+at /)
  })
  it('has examples', () => expect(examples.length).toBeGreaterThan(0))
})

// The init flow of "Your own system", as written: the first `sml init` command, run in a checkout whose
// `../shared/data` holds the CSV (here a temporary folder laid out the same way).
describe('README sml init', () => {
  it('scaffolds the project the README describes', async () => {
    const line = /^node dist\/bin\/main\.js init (.+?)\s+#/m.exec(readme)
    expect(line).not.toBeNull()
    const args = line![1].trim().split(/\s+/)
    expect(args.slice(0, 3)).toEqual(['../wine', '--from', '../shared/data/wine.csv'])
    const top = mkdtempSync(join(tmpdir(), 'sml-readme-init-'))
    mkdirSync(join(top, 'shared', 'data'), { recursive: true })
    mkdirSync(join(top, 'checkout'))
    copyFileSync(join(DATA_DIR, 'wine.csv'), join(top, 'shared', 'data', 'wine.csv'))
    // tsx by its path: the directory is outside this package, so `--import tsx` would not resolve there.
    const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), 'init', ...args], { cwd: join(top, 'checkout') })
    expect(stdout).toContain('classification of cultivar')
    expect(stdout).toContain('next: cd ../wine && npm install && npm start')
    const project = join(top, 'wine')
    expect(readdirSync(project).sort()).toEqual(['.gitignore', 'README.md', 'package.json', 'sml.config.ts', 'systems', 'tsconfig.json', 'wine.csv'])
    expect(readdirSync(join(project, 'systems'))).toEqual(['wine.ts'])
    // Run from a checkout without --package, the project depends on that checkout, as the README says.
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).toEqual({ 'serverless-ml': `file:${root.replace(/\/$/, '')}` })
  })
})
