import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDialectNames, type TestDatabase } from '../../db/test-support/dialects.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { iris, runDemo, titanic } from '../../systems/index.js'
import { runSml } from '../test-support/run-sml.js'

describe.each(testDialectNames())('sml site on %s', (dialect) => {
  let tdb: TestDatabase
  let env: Record<string, string>
  const dir = mkdtempSync(join(tmpdir(), 'sml-site-cli-'))
  beforeAll(async () => {
    tdb = createTestDatabase(dialect)
    const db = await tdb.open()
    try {
      await runDemo(db, [iris, titanic], { days: 2, until: new Date('2026-05-03T12:00:00Z'), settings: { source: { dataDir: DATA_DIR } } })
    } finally {
      await db.close()
    }
    env = { ...tdb.env, SML_DATA_DIR: DATA_DIR }
  })
  afterAll(async () => {
    await tdb?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes the site, prints a summary, and refuses a non-empty folder in one line unless --force', async () => {
    const out = join(dir, 'site')
    const first = await runSml(['site', '--out', out], env)
    expect(first.code, first.stderr).toBe(0)
    // The built-in config's three systems; air quality has no model in this store, so no charts.
    expect(first.stdout).toMatch(/^page +10 +\d+$/m)
    expect(first.stdout).toMatch(/^chart +8 +\d+$/m) // confusion matrix and accuracy of two systems, SVG and PNG
    expect(first.stdout).toMatch(new RegExp(`wrote \\d+ files \\(iris, titanic, air_quality\\) to ${out} in [\\d.]+ s`))
    for (const f of ['.nojekyll', 'index.html', 'iris/monitor.html', 'titanic/index.html', 'titanic/charts/confusion.png']) expect(existsSync(join(out, f)), f).toBe(true)
    const before = readdirSync(out).length
    const refused = await runSml(['site', '--out', out], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim().split('\n')).toEqual([`error: ${out} is not empty (${before} entries); choose an empty or new folder, or pass --force to write into it`])
    const forced = await runSml(['site', '--out', out, '--force', '--json'], env)
    expect(forced.code, forced.stderr).toBe(0)
    const report = JSON.parse(forced.stdout) as { out: string; files: { path: string; kind: string; bytes: number }[] }
    expect(report.out).toBe(out)
    expect(report.files.filter((f) => f.kind === 'page')).toHaveLength(10)
  })

  it('--out is required; a missing store is one line', async () => {
    const missing = await runSml(['site'], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^error: required option '--out <dir>' not specified/)
    const none = createTestDatabase(dialect)
    try {
      const r = await runSml(['site', '--out', join(dir, 'none')], { ...none.env, SML_DATA_DIR: DATA_DIR })
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(existsSync(join(dir, 'none'))).toBe(false)
    } finally {
      await none.drop()
    }
  })
  it('an --out that cannot be created or written is one line naming the path and the reason, at once', async () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, 'x')
    const cases: [string, string][] = [
      [file, `cannot write into ${file}: it is a file (or under one), not a folder`],
      [join(file, 'site'), `cannot write into ${join(file, 'site')}: it is a file (or under one), not a folder`],
    ]
    // /proc answers ENOENT to mkdir under an existing parent: Node's recursive mkdir spun there at 100% CPU forever.
    if (process.platform === 'linux') {
      cases.push(['/proc/nope', 'cannot create /proc/nope: this file system allows no folder there (no such file or directory)'])
      cases.push(['/proc/nope/deeper', 'cannot create /proc/nope: this file system allows no folder there (no such file or directory)'])
    }
    for (const [out, line] of cases) {
      const r = await runSml(['site', '--out', out], env)
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr.trim().split('\n')).toEqual([`error: ${line}`])
    }
  })
})
