// One harness for the browser tests: a fresh SQLite store with simulated days, the app on an ephemeral
// loopback port, and Debian's chromium driven by playwright-core (never a downloaded browser) in a fresh
// profile. Screenshots go to test-results/; a failing test leaves one named after it.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { openDatabase, type SqlDialect } from '../../src/db/index.js'
import { DATA_DIR } from '../../src/featurestore/test-support/data.js'
import { iris, runDemo, titanic, type SystemDescription } from '../../src/systems/index.js'
import { createApp, createServices, listen, type ServicesOptions, type WebServices } from '../../src/web/index.js'

export const CHROMIUM = '/usr/bin/chromium'
export const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url))
/** Flags for Debian's chromium: headless, no sandbox (root in CI), nothing fetched in the background. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
export const hasChromium = existsSync(CHROMIUM)

/** What a browser suite works with, filled in by its beforeAll. */
export interface BrowserApp {
  home: string
  db: SqlDialect
  services: WebServices
  server: Awaited<ReturnType<typeof listen>>
  ctx: BrowserContext
  page: Page
  /** Screenshot of `p` (default the suite's page) to test-results/<prefix><name>.png. */
  shot(name: string, p?: Page): Promise<Buffer>
  url(path: string): string
}

/**
 * Registers the suite's hooks and returns the object they fill: `systems` (iris and titanic) with `days` simulated days,
 * services made by `services(home)` (extra options), chromium at 1280 × 900 with `timeoutMs` per action (and page
 * scripts off when `javaScriptEnabled` is false).
 */
export function useBrowserApp(options: {
  days: number
  shotPrefix?: string
  timeoutMs: number
  services?: (home: string) => ServicesOptions
  javaScriptEnabled?: boolean
  /** The systems simulated and served (default iris and titanic). */
  systems?: readonly SystemDescription[]
}): BrowserApp {
  const app = {} as BrowserApp
  let profile: string | undefined
  app.shot = (name, p = app.page) => p.screenshot({ path: join(RESULTS, `${options.shotPrefix ?? ''}${name}.png`), fullPage: true })
  app.url = (path) => app.server.url + path
  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true })
    app.home = mkdtempSync(join(tmpdir(), 'sml-browser-'))
    profile = mkdtempSync(join(tmpdir(), 'sml-chromium-'))
    app.db = await openDatabase({ home: app.home })
    await runDemo(app.db, options.systems ?? [iris, titanic], { days: options.days, settings: { source: { dataDir: DATA_DIR } } })
    app.services = createServices(app.db, { ...(options.systems ? { systems: options.systems } : {}), ...options.services?.(app.home) })
    app.server = await listen(createApp(app.services), { port: 0 })
    app.ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 }, javaScriptEnabled: options.javaScriptEnabled ?? true })
    app.page = app.ctx.pages()[0] ?? (await app.ctx.newPage())
    app.page.setDefaultTimeout(options.timeoutMs)
  })
  afterAll(async () => {
    await app.ctx?.close()
    await app.server?.close()
    await app.services?.requestLog.close()
    await app.db?.close()
    if (app.home) rmSync(app.home, { recursive: true, force: true })
    if (profile) rmSync(profile, { recursive: true, force: true })
  })
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      await app.shot(`failed-${task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {})
    })
  })
  return app
}
