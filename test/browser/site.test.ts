/**
 * The static export (`sml site`) in a real browser with JavaScript off: Debian's chromium (playwright-core) opens
 * the exported files over file://, no server. It crawls every link from index.html, so every page and file the
 * site links to is opened (a broken relative link fails to load), every chart on every page is drawn (inline
 * SVG with a size, images decoded), and every PNG opens as an image. Screenshots go to test-results/site-*.png.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { iris, titanic } from '../../src/systems/index.js'
import { exportSite, type SiteReport } from '../../src/web/index.js'
import { pngSize } from '../../src/web/site/test-support/site-files.js'
import { hasChromium, useBrowserApp } from '../support/browser-app.js'

/** The little of the DOM that code run in the page uses (the project's types have no DOM lib). */
type El = { getBoundingClientRect(): { width: number; height: number }; naturalWidth?: number; complete?: boolean; getAttribute(n: string): string | null }

describe.skipIf(!hasChromium)('static site in chromium over file:// with JavaScript off', () => {
  const app = useBrowserApp({ days: 5, shotPrefix: 'site-', timeoutMs: 10_000, javaScriptEnabled: false })
  let page: Page
  let out: string
  let report: SiteReport
  let root: URL
  beforeAll(async () => {
    page = app.page
    out = mkdtempSync(join(tmpdir(), 'sml-site-browser-'))
    report = await exportSite(app.services, { out, force: true })
    root = pathToFileURL(`${out}/`)
  })
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true })
  })

  /** Opens a file of the export; a missing file throws (net::ERR_FILE_NOT_FOUND). */
  const open = async (p: Page, url: string) => {
    await p.goto(url)
    expect(p.url()).toBe(url)
  }

  it('page scripts are off, and the pages carry none', async () => {
    await open(page, new URL('index.html', root).href)
    // The live layout marks <html class="js"> from a script: neither the mark nor any script is here.
    expect(await page.locator('script').count()).toBe(0)
    expect(await page.locator('html.js').count()).toBe(0)
    expect(await page.locator('form, button, input').count()).toBe(0)
    await app.shot('index')
  })

  it('every link from index.html resolves to an exported file; every page is reached and draws its charts', async () => {
    const seen = new Set<string>()
    const queue = [new URL('index.html', root).href]
    const files = new Set<string>()
    const broken: string[] = []
    while (queue.length) {
      const url = queue.shift()!
      if (seen.has(url)) continue
      seen.add(url)
      await open(page, url)
      // Inline SVG charts are drawn with a size; images (model confusion matrices) decode.
      for (const chart of await page.locator('.chart svg').all()) {
        const box = await chart.evaluate((el: El) => el.getBoundingClientRect())
        expect(box.width, `${url}: a chart`).toBeGreaterThan(100)
        expect(box.height, `${url}: a chart`).toBeGreaterThan(100)
      }
      for (const img of await page.locator('img').all()) expect(await img.evaluate((el: El) => el.complete && (el.naturalWidth ?? 0) > 0), `${url}: an image`).toBe(true)
      for (const a of await page.locator('a[href]').all()) {
        const href = (await a.getAttribute('href'))!
        if (href.startsWith('data:')) continue
        const target = new URL(href, url)
        if (target.protocol !== 'file:' || !target.href.startsWith(root.href)) {
          broken.push(`${url}: ${href} leaves the export`)
          continue
        }
        target.hash = ''
        const path = fileURLToPath(target)
        if (!existsSync(path)) broken.push(`${url}: ${href} (no ${path})`)
        else if (path.endsWith('.html')) queue.push(target.href)
        else files.add(target.href)
      }
    }
    expect(broken).toEqual([])
    const pages = report.files.filter((f) => f.kind === 'page').map((f) => new URL(f.path, root).href)
    expect([...seen].sort()).toEqual(pages.sort()) // every page is reachable from the index, and only those
    // Every chart file and artifact is linked from some page.
    expect([...files].sort()).toEqual(report.files.filter((f) => f.kind === 'chart' || f.kind === 'artifact').map((f) => new URL(f.path, root).href).sort())
  })

  it('monitors: every chart inline and as a PNG that opens as an image', async () => {
    for (const system of [iris, titanic]) {
      await open(page, new URL(`${system.name}/monitor.html`, root).href)
      const charts = page.locator('.chart')
      expect(await charts.count(), system.name).toBeGreaterThanOrEqual(2)
      const pngs = await page.locator('.chart a.png').evaluateAll((els: El[]) => els.map((e) => e.getAttribute('href')!))
      expect(pngs.length).toBe(await charts.count())
      await app.shot(`${system.name}-monitor`)
      for (const href of pngs) {
        const url = new URL(href, page.url()).href
        const size = pngSize(readFileSync(fileURLToPath(url)))
        expect(size, url).not.toBeNull()
        const tab = await app.ctx.newPage()
        try {
          await open(tab, url)
          // Chromium shows an image file as a document with one <img>: decoded at the PNG's own size.
          const shown = await tab.locator('img').evaluate((el: El) => el.naturalWidth ?? 0)
          expect(shown, url).toBe(size!.width)
        } finally {
          await tab.close()
        }
      }
    }
  })

  it('a system page and a model page read the same as live, without actions', async () => {
    await open(page, new URL('iris/index.html', root).href)
    expect(await page.textContent('h1')).toBe('Iris flowers')
    expect(await page.textContent('#static-note')).toMatch(/need the live app/)
    await app.shot('iris')
    await page.click('text=Monitor')
    expect(page.url()).toBe(new URL('iris/monitor.html', root).href)
    await page.click('#serving-model')
    expect(page.url()).toBe(new URL('models/iris_model.html', root).href)
    expect(await page.locator('text=Promote').count()).toBe(0)
    await app.shot('iris-model')
    // At a phone's width too.
    await page.setViewportSize({ width: 390, height: 844 })
    await open(page, new URL('titanic/monitor.html', root).href)
    await app.shot('titanic-monitor-phone')
    await page.setViewportSize({ width: 1280, height: 900 })
  })
})
