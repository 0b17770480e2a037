/**
 * Operating the app in a real browser (Debian's chromium via playwright-core): the server is reachable as if
 * exposed (not loopback) with an admin token; Run now starts a real `sml run` process, Promote moves production.
 * Covers the refusal without the token, a wrong token, signing in, Run now with the live log tail, Promote,
 * at 1280 and 390 px. Screenshots go to test-results/operate-*.png.
 */
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { DATA_DIR } from '../../src/featurestore/test-support/data.js'
import { childProcessLauncher, type WebServices } from '../../src/web/index.js'
import { sha256Hex } from '../../src/web/admin-access.js'
import { hasChromium, useBrowserApp } from '../support/browser-app.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const TOKEN = 'browser-admin-token-0123456789'


describe.skipIf(!hasChromium)('operating in chromium', () => {
  const app = useBrowserApp({
    days: 3,
    shotPrefix: 'operate-',
    timeoutMs: 15_000,
    services: (home) => ({
      // As when bound beyond loopback: actions need the token.
      access: { adminTokenSha256: sha256Hex(TOKEN), loopback: false },
      predictRateLimit: null,
      launchRun: childProcessLauncher([process.execPath, '--import', 'tsx', MAIN], { ...process.env, SML_HOME: home, DATABASE_URL: '', SML_DATA_DIR: DATA_DIR }),
    }),
  })
  let services: WebServices
  let ctx: BrowserContext
  let page: Page
  beforeAll(() => void ({ services, ctx, page } = app))
  const { shot, url } = app

  it('Run now without the token is refused with the reason, in place', async () => {
    await page.goto(url('/pipelines'))
    await shot('pipelines-locked')
    await page.click('#run-iris-training button[type=submit]')
    await page.waitForSelector('#run-iris-training .action-msg:text("needs the admin token")')
    expect(page.url()).toBe(url('/pipelines'))
  })

  it('a wrong token is refused; the right one signs in (HttpOnly SameSite=Strict cookie)', async () => {
    await page.goto(url('/admin'))
    await page.fill('input[name=token]', 'wrong')
    await page.click('#sign-in button[type=submit]')
    await page.waitForSelector('#sign-in .action-msg:text("the admin token is wrong")')
    await shot('admin-wrong-token')
    await page.fill('input[name=token]', TOKEN)
    await Promise.all([page.waitForURL(url('/admin')), page.click('#sign-in button[type=submit]')])
    await page.waitForSelector('#admin-state:has-text("signed in")')
    const cookie = (await ctx.cookies(url(''))).find((c) => c.name === 'sml_admin')!
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain('sml_admin')
    await shot('admin-signed-in')
  })

  it('Run now starts `sml run` as its own process; its run page tails the log until it ends', { timeout: 120_000 }, async () => {
    const before = (await services.runs.list({ pipeline: 'iris-training' })).length
    await page.goto(url('/pipelines'))
    await Promise.all([page.waitForURL(/\/runs\?pipeline=iris-training&launched=\d+&pid=\d+/), page.click('#run-iris-training button[type=submit]')])
    // The page says the run is starting and reloads itself until the child has recorded it (a loaded machine
    // can take seconds to start the child), then links it.
    const link = page.locator('#launch-notice a[href^="/runs/"]')
    await link.waitFor({ timeout: 60_000 })
    expect(await page.textContent('#launch-notice')).toMatch(/^\s*Run now started run #\d+ of iris-training/)
    expect(await page.locator('#runs tbody tr').count()).toBe(before + 1)
    await shot('runs-after-run-now')
    await Promise.all([page.waitForURL(/\/runs\/\d+$/), link.click()])
    await page.waitForSelector('#run-status:has-text("succeeded")', { timeout: 50_000 }) // the live tail reloads the page when the run ends
    expect(await page.textContent('#run-log')).toMatch(/registered iris_model v2/)
    expect(await page.textContent('#run')).toMatch(/manual/)
    await shot('run')
  })

  it('Promote moves production to another version and the model page says so', async () => {
    await page.goto(url('/models/iris_model'))
    const form = page.locator('form[id^="promote-v"]').first()
    const id = (await form.getAttribute('id'))!
    const version = id.replace('promote-v', '')
    await shot('model-before-promote')
    await form.locator('button').click()
    await page.waitForSelector(`#v${version} .badge:text-is("production")`) // after the page reloads
    expect((await services.registry.getByAlias('iris_model', 'production')).version).toBe(Number(version))
    await shot('model-after-promote')
  })

  it('runs, pipelines, models, feature groups and views, admin read at 1280 px and at 390 px without sideways scrolling', async () => {
    const [run] = await services.runs.list({ limit: 1 })
    const paths = ['/runs', `/runs/${run.id}`, '/pipelines', '/models', '/models/iris_model', '/feature-groups', '/feature-groups/iris?page=2', '/feature-views', '/feature-views/iris', '/feature-views/iris/training-datasets/1', '/admin']
    for (const path of paths) {
      await page.goto(url(path))
      await shot(`desktop${path.replace(/[/?=]/g, '-')}`)
    }
    const p = await ctx.newPage()
    await p.setViewportSize({ width: 390, height: 844 })
    for (const path of paths) {
      await p.goto(url(path))
      const overflow = await p.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement
        return root.scrollWidth - root.clientWidth
      })
      expect(overflow, path).toBeLessThanOrEqual(0)
      await shot(`phone${path.replace(/[/?=]/g, '-')}`, p)
    }
    await p.close()
  })
})
