import { fileURLToPath } from 'node:url'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { splitCsv, startCsvFeed, type CsvFeed } from '../../systems/scaffold/test-support/csv-feed.js'
import { runSml } from '../test-support/run-sml.js'
import { dependencySpec } from './init.js'

const root = mkdtempSync(join(tmpdir(), 'sml-init-cli-'))
const WINE = join(DATA_DIR, 'wine.csv')

describe('sml init', () => {
  it('prints what it inferred per column, what it wrote and what to review', async () => {
    const r = await runSml(['init', join(root, 'cellar'), '--from', WINE, '--label', 'cultivar', '--name', 'wine', '--package', 'file:/tmp/x.tgz'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = r.stdout.split('\n')
    expect(out[0]).toBe('wine: 178 rows of wine.csv; classification of cultivar: "cultivar" holds 3 distinct whole numbers (--task regression if it is a quantity)')
    expect(out).toContain('  alcohol                       float   number 11.03–14.83 (field 10.6–15.3, step 0.01)')
    expect(out).toContain('  cultivar                      int     label, classes 1, 2, 3')
    expect(r.stdout).toContain(`wrote ${join(root, 'cellar')}: package.json, sml.config.ts, systems/wine.ts, tsconfig.json, .gitignore, README.md, wine.csv`)
    expect(r.stdout).toContain('  - class names and colours')
    expect(r.stdout).toMatch(/next: cd .*cellar && npm install && npm start\n$/)
    expect(JSON.parse(readFileSync(join(root, 'cellar', 'package.json'), 'utf8')).dependencies).toEqual({ 'serverless-ml': 'file:/tmp/x.tgz' })
  })

  it('run from a checkout (not from a node_modules folder), depends on that checkout by default, and says so', async () => {
    const r = await runSml(['init', join(root, 'checkout'), '--from', WINE, '--label', 'cultivar', '--name', 'wine'])
    expect(r.code, r.stderr).toBe(0)
    const checkout = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '')
    expect(JSON.parse(readFileSync(join(root, 'checkout', 'package.json'), 'utf8')).dependencies).toEqual({ 'serverless-ml': `file:${checkout}` })
    expect(r.stdout).toContain(`serverless-ml comes from this checkout (file:${checkout}): build it first (npm run build), or name another with --package`)
  })

  const full = join(root, 'full')
  mkdirSync(full)
  writeFileSync(join(full, 'notes.txt'), '')
  writeFileSync(join(root, 'bad.csv'), 'a,b\n1,2\n3\n')
  writeFileSync(join(root, 'one.csv'), 'a,b\n1,x\n2,x\n')
  const refusals: [string, string[], RegExp][] = [
    ['a missing file', ['--from', join(root, 'nope.csv'), '--label', 'x'], /^error: --from .*nope\.csv: no such file\n$/],
    ['a label that is not a column', ['--from', WINE, '--label', 'colour'], /^error: .*wine\.csv: has no column "colour" for the label \(columns: alcohol, .*, cultivar\)\n$/],
    ['an unparsable CSV', ['--from', join(root, 'bad.csv'), '--label', 'b'], /^error: .*bad\.csv is not valid CSV \(line 3\): .*\n$/],
    ['a label with one class', ['--from', join(root, 'one.csv'), '--label', 'b'], /^error: .*one\.csv: the label "b" has one class \("x"\): a classifier needs at least two\n$/],
    ['a reserved name', ['--from', WINE, '--label', 'cultivar', '--name', 'api'], /^error: system name "api" is a route of the web app .*\(choose one with --name\)\n$/],
  ]
  it.each(refusals)('refuses %s in one line, exit 1, writing nothing', async (_what, args, message) => {
    const dir = join(root, `refused-${Math.random().toString(36).slice(2)}`)
    const r = await runSml(['init', dir, ...args])
    expect(r.stderr).toMatch(message)
    expect(r.code).toBe(1)
    expect(existsSync(dir)).toBe(false)
  })

  it('refuses a directory that is not empty, and usage mistakes with exit 2', async () => {
    const notEmpty = await runSml(['init', full, '--from', WINE, '--label', 'cultivar'])
    expect(notEmpty.stderr).toMatch(/^error: .*full is not empty \(notes\.txt\): choose a new or empty directory\n$/)
    expect(notEmpty.code).toBe(1)
    const noLabel = await runSml(['init', join(root, 'x'), '--from', WINE])
    expect(noLabel.stderr).toBe("error: required option '--label <column>' not specified (see sml init --help)\n")
    expect(noLabel.code).toBe(2)
    const task = await runSml(['init', join(root, 'x'), '--from', WINE, '--label', 'cultivar', '--task', 'ranking'])
    expect(task.stderr).toBe('error: --task must be one of classification, regression, got "ranking" (see sml init --help)\n')
    expect(task.code).toBe(2)
  })
})

describe('the dependency sml init writes', () => {
  it('names the checkout, the tarball or folder npm installed from (by absolute path), or the registry range', () => {
    const project = mkdtempSync(join(tmpdir(), 'sml-dep-'))
    const root = join(project, 'node_modules', 'serverless-ml')
    mkdirSync(root, { recursive: true })
    expect(dependencySpec('/work/serverless-ml', '0.1.0')).toBe('file:/work/serverless-ml')
    expect(dependencySpec(root, '0.1.0')).toBe('^0.1.0') // no hidden lockfile
    const lock = (resolved: string) => writeFileSync(join(project, 'node_modules', '.package-lock.json'), JSON.stringify({ packages: { 'node_modules/serverless-ml': { version: '0.1.0', resolved } } }))
    lock('file:../pkgs/serverless-ml-0.1.0.tgz')
    expect(dependencySpec(root, '0.1.0')).toBe(`file:${join(dirname(project), 'pkgs', 'serverless-ml-0.1.0.tgz')}`)
    lock('https://registry.npmjs.org/serverless-ml/-/serverless-ml-0.1.0.tgz')
    expect(dependencySpec(root, '0.1.0')).toBe('^0.1.0')
    expect(dependencySpec(root, 'unknown')).toBeUndefined()
    rmSync(project, { recursive: true, force: true })
  })
})

describe('sml init --from URL', () => {
  let feed: CsvFeed
  let closedPort: number
  beforeAll(async () => {
    feed = await startCsvFeed('passengers.csv', splitCsv(readFileSync(join(DATA_DIR, 'titanic.csv'), 'utf8'), 300).head)
    // A port that was free a moment ago: nothing listens there.
    const s = createServer()
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    closedPort = (s.address() as { port: number }).port
    await new Promise((r) => s.close(r))
  })
  afterAll(() => feed.close())

  it('downloads the CSV, keeps a copy, and says the daily pipeline fetches what arrives after the id', async () => {
    const dir = join(root, 'voyage')
    const r = await runSml(['init', dir, '--from', feed.url, '--label', 'survived', '--package', 'file:/tmp/x.tgz'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe(`voyage: 300 rows of voyage.csv (from ${feed.url}); classification of survived: "survived" holds 2 distinct whole numbers (--task regression if it is a quantity)`)
    expect(r.stdout).toContain("  passengerid  int     key, the daily fetch's position")
    expect(r.stdout).toContain('  - the daily pipeline re-reads the URL and adds rows whose passengerid is larger than the largest stored')
    expect(readFileSync(join(dir, 'voyage.csv'), 'utf8')).toBe(feed.text)
    expect(readFileSync(join(dir, 'systems', 'voyage.ts'), 'utf8')).toContain("daily: { fetch: newSourceRows({ after: 'passengerid' }) },")
  })

  const refusals: [string, () => string, (f: CsvFeed) => void, RegExp][] = [
    ['a closed port', () => `http://127.0.0.1:${closedPort}/x.csv`, () => {}, /^error: --from http:\/\/127\.0\.0\.1:\d+\/x\.csv: cannot download \(ECONNREFUSED\)\n$/],
    ['an HTTP error', () => feed.url, (f) => (f.status = 404), /^error: --from http:\/\/.*passengers\.csv: HTTP 404 Not Found\n$/],
    ['a web page', () => feed.url, (f) => (f.contentType = 'text/html; charset=utf-8'), /^error: --from http:\/\/.*passengers\.csv: answered text\/html, not CSV\n$/],
    ['text that is not CSV', () => feed.url, (f) => (f.text = 'a,b\n1,2\n3\n'), /^error: http:\/\/.*passengers\.csv is not valid CSV \(line 3\): .*\n$/],
    ['an --event-time that is not a time', () => feed.url, () => {}, /^error: http:\/\/.*passengers\.csv: --event-time "fare" is not a timestamp column .*\n$/],
  ]
  it.each(refusals)('refuses %s in one line, exit 1, writing nothing', async (what, url, setUp, message) => {
    const saved = { text: feed.text, status: feed.status, contentType: feed.contentType }
    setUp(feed)
    try {
      const dir = join(root, `refused-url-${Math.random().toString(36).slice(2)}`)
      const r = await runSml(['init', dir, '--from', url(), '--label', 'survived', ...(what.includes('event') ? ['--event-time', 'fare'] : [])])
      expect(r.stderr).toMatch(message)
      expect(r.code).toBe(1)
      expect(existsSync(dir)).toBe(false)
    } finally {
      Object.assign(feed, saved)
    }
  })
})
