// From an empty directory to a predict page in a browser, as a user does it: `npm pack` this package, `sml init`
// a project from a CSV, install the tarball offline (test/support/offline-install.ts says how and why), `npm start`,
// then Debian's chromium fills a field and reads the answer. Slow (two installs and two servers): its own file.
// Needs `npm run build` first (the tarball packs dist/).
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:net'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATA_DIR } from '../../src/featurestore/test-support/data.js'
import { CHROMIUM, CHROMIUM_ARGS, hasChromium, RESULTS } from '../support/browser-app.js'
import { exec, installOffline } from '../support/offline-install.js'
import { startProcess, type Sml } from '../support/processes.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MAIN = join(ROOT, 'dist', 'bin', 'main.js')
/** The package's own directories a new system must not touch. */
const PACKAGE_DIRS = ['src/web', 'src/runtime', 'src/cli']

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

/** What git says about the package's directories (empty in a clean checkout; compared before and after). */
const gitStatus = () => execFileSync('git', ['status', '--porcelain', '--', ...PACKAGE_DIRS], { cwd: ROOT, encoding: 'utf8' })

const cases = [
  { name: 'wine', csv: 'wine.csv', label: 'cultivar', task: 'classification', field: 'alcohol', value: '14.1' },
  { name: 'diabetes', csv: 'diabetes.csv', label: 'progression', task: 'regression', field: 'bmi', value: '32.1' },
] as const

describe.skipIf(!hasChromium)('sml init → npm pack tarball → offline install → npm start → browser', () => {
  let tmp: string
  let tarball: string
  let profile: string
  let ctx: BrowserContext
  let page: Page
  let statusBefore: string
  const servers: Sml[] = []
  const timings: Record<string, number> = {}

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/bin/main.js is missing: run `npm run build` first')
    statusBefore = gitStatus()
    tmp = mkdtempSync(join(tmpdir(), 'sml-init-e2e-'))
    profile = mkdtempSync(join(tmpdir(), 'sml-chromium-'))
    mkdirSync(RESULTS, { recursive: true })
    const started = performance.now()
    // --ignore-scripts: `prepare` would rebuild dist/, which the test requires already built.
    const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], { cwd: ROOT })
    tarball = join(tmp, stdout.trim().split('\n').at(-1)!)
    timings.packSeconds = (performance.now() - started) / 1000
    timings.chromiumStartSeconds = -performance.now() / 1000
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } })
    page = ctx.pages()[0] ?? (await ctx.newPage())
    page.setDefaultTimeout(30_000)
    timings.chromiumStartSeconds += performance.now() / 1000
  }, 120_000)

  afterAll(async () => {
    const stopping = performance.now()
    // The browser first: its keep-alive connections would hold the servers' graceful close open.
    await ctx?.close()
    for (const s of servers) {
      const signal = (sig: NodeJS.Signals) => {
        try {
          process.kill(-s.child.pid!, sig)
        } catch {
          // already gone
        }
      }
      signal('SIGTERM')
      const killer = setTimeout(() => signal('SIGKILL'), 10_000)
      await s.done
      clearTimeout(killer)
    }
    timings.stopSeconds = (performance.now() - stopping) / 1000
    writeFileSync(join(RESULTS, 'init-pack-timings.json'), `${JSON.stringify(timings, null, 2)}\n`)
    console.log('sml init e2e timings (s):', JSON.stringify(timings))
    if (tmp) rmSync(tmp, { recursive: true, force: true })
    if (profile) rmSync(profile, { recursive: true, force: true })
  }, 60_000)

  it.each(cases)('$name ($task): scaffold, install offline, npm start, predict in chromium within 60 s', async (c) => {
    const init = await exec(process.execPath, [MAIN, 'init', c.name, '--from', join(DATA_DIR, c.csv), '--label', c.label, '--package', `file:${tarball}`], { cwd: tmp })
    expect(init.stdout).toContain(`${c.task} of ${c.label}`)
    expect(init.stdout).toContain(`next: cd ${c.name} && npm install && npm start`)
    const dir = join(tmp, c.name)
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', 'README.md', c.csv, 'package.json', 'sml.config.ts', 'systems', 'tsconfig.json'].sort())

    timings[`${c.name}InstallSeconds`] = await installOffline(dir, tarball)
    // A real install of the tarball, not a link to this checkout; the system lives in the project alone.
    const installed = join(dir, 'node_modules', 'serverless-ml')
    expect(lstatSync(installed).isSymbolicLink()).toBe(false)
    for (const f of readdirSync(join(installed, 'dist', 'bin')).filter((f) => f.endsWith('.js')))
      expect(readFileSync(join(installed, 'dist', 'bin', f), 'utf8'), f).not.toContain(c.label)

    // The generated code type-checks, strict, against the types the tarball ships (TypeScript is ours: the
    // project needs none to run, jiti loads it).
    await exec(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', dir], { cwd: dir })

    const port = await freePort()
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) }
    // The project's own CSV and store: no data directory, no store of the test run's.
    for (const k of ['SML_DATA_DIR', 'SML_HOME', 'DATABASE_URL', 'SML_PG_SCHEMA', 'SML_CONFIG', 'SML_PIPELINES_MODULE', 'SML_ADMIN_TOKEN']) delete env[k]
    const started = performance.now()
    const server = startProcess('npm', ['start'], { cwd: dir, env, detached: true })
    servers.push(server)
    const serving = await server.waitFor(/serving http:\/\/\S+/, 60_000)
    const url = serving.replace('serving ', '').replace(/\/$/, '')

    await page.goto(`${url}/${c.name}`)
    await page.fill(`#f-${c.field}`, c.value)
    await page.click('button[type=submit]')
    await page.waitForSelector('#result h2 >> text=/^Prediction$/')
    const shown = (await page.textContent('#prediction'))!.trim()
    timings[`${c.name}FirstPageSeconds`] = (performance.now() - started) / 1000
    await page.screenshot({ path: join(RESULTS, `init-${c.name}-predict.png`), fullPage: true })
    expect(timings[`${c.name}FirstPageSeconds`]).toBeLessThan(60)
    expect(page.url()).toContain(`${c.field}=${c.value}`)

    // The same inputs through the JSON API: the page's query (numbers as numbers).
    const input = Object.fromEntries([...new URL(page.url()).searchParams].map(([k, v]) => [k, Number.isFinite(Number(v)) ? Number(v) : v]))
    const api = (await (await fetch(`${url}/api/${c.name}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) })).json()) as { prediction: string | number }
    if (c.task === 'classification') {
      expect(['Cultivar 1', 'Cultivar 2', 'Cultivar 3']).toContain(shown)
      expect(shown).toBe(api.prediction)
    } else {
      expect(Number.isFinite(Number(shown))).toBe(true)
      expect(Number(shown)).toBeCloseTo(api.prediction as number, 2)
    }
    expect(gitStatus()).toBe(statusBefore)

    // SIGTERM to npm alone (as docker stop or systemd send it) stops the server too: the script execs it.
    process.kill(server.child.pid!, 'SIGTERM')
    await server.done
    let listening = true
    for (const until = Date.now() + 15_000; listening && Date.now() < until; ) {
      listening = await fetch(`${url}/health`).then(
        () => true,
        () => false,
      )
      if (listening) await new Promise((r) => setTimeout(r, 100))
    }
    expect(listening, 'the server still answers after npm got SIGTERM').toBe(false)
  }, 150_000)
})
