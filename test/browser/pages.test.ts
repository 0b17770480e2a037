/**
 * The pages in a real browser: Debian's chromium driven by playwright-core (never a downloaded browser),
 * against the app listening on an ephemeral port over a fresh SQLite store with 10 simulated days.
 * Screenshots of every page (desktop and phone width) go to test-results/; a failing test leaves one named after it.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { iris, titanic } from '../../src/systems/index.js'
import { requestsFeatureGroup } from '../../src/web/index.js'
import { CHROMIUM, hasChromium, useBrowserApp, type BrowserApp } from '../support/browser-app.js'

if (!hasChromium) process.stderr.write(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)\n`)


/** The little of the DOM that code run in the page uses (the project's types have no DOM lib). */
type Doc = { getElementById(id: string): { textContent: string | null } | null; querySelector(selector: string): { textContent: string | null } | null }

describe.skipIf(!hasChromium)('pages in chromium', () => {
  const app = useBrowserApp({ days: 10, timeoutMs: 10_000 })
  let server: BrowserApp['server']
  let ctx: BrowserContext
  let page: Page
  beforeAll(() => void ({ server, ctx, page } = app))
  const { shot } = app
  /**
   * Waits until the page shows the answer to `input`: the form answers as it is edited (debounced) and on submit, so
   * a "Prediction" heading can be an earlier answer's; the API snippet swapped in with the answer carries its inputs.
   */
  const answerTo = (input: Record<string, number | string>) =>
    page.waitForFunction((fragments) => {
      const doc = (globalThis as unknown as { document: Doc }).document
      const snippet = doc.getElementById('snippet-curl')?.textContent ?? ''
      return doc.querySelector('#result h2')?.textContent?.startsWith('Prediction') && fragments.every((f) => snippet.includes(f))
    }, Object.entries(input).map(([k, v]) => `"${k}":${JSON.stringify(v)}`))
  const api = async (system: string, body: unknown) =>
    (await (await fetch(`${server.url}/api/${system}/predict`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })).json()) as {
      prediction: string
      modelVersion: number
    }

  it('iris: type measurements, move a slider, predict without reload; same answer as the JSON API', async () => {
    await page.goto(`${server.url}/iris`)
    expect(await page.textContent('#prediction')).toBe('Setosa') // the starting values
    await page.fill('#f-sepal_length', '6.9')
    await page.fill('#f-sepal_width', '3.1')
    await page.fill('#f-petal_length', '5.4')
    // The slider drives its number input.
    await page.locator('input[type=range][data-for="f-petal_width"]').fill('2.1')
    expect(await page.inputValue('#f-petal_width')).toBe('2.1')
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1))
    await page.click('button[type=submit]')
    const input = { sepal_length: 6.9, sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1 }
    await answerTo(input)
    const shown = await page.textContent('#prediction')
    const expected = await api('iris', input)
    expect(shown).toBe(expected.prediction)
    expect(shown).toBe('Virginica')
    expect(await page.getAttribute('#model-version', 'data-version')).toBe(String(expected.modelVersion))
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(1) // no reload
    expect(page.url()).toContain('petal_width=2.1')
    expect(await page.locator('#result svg.picture-iris').count()).toBe(1)
    await shot('iris-predict')
  })

  it('iris: an out-of-range value shows the reason next to the field', async () => {
    await page.goto(`${server.url}/iris`)
    await page.fill('#f-petal_width', '9')
    await page.click('button[type=submit]')
    await page.waitForSelector('#f-petal_width-error')
    expect(await page.textContent('#f-petal_width-error')).toMatch(/must be at most 2.5 cm/)
    expect(await page.locator('#prediction').count()).toBe(0)
    await shot('iris-predict-error')
  })

  it('titanic: pick choices, type the age, move a slider; same answer as the JSON API', async () => {
    await page.goto(`${server.url}/titanic`)
    await page.selectOption('#f-pclass', '1')
    await page.check('input[name=sex][value=female]')
    await page.fill('#f-age', '')
    await page.type('#f-age', '30')
    await page.locator('input[type=range][data-for="f-sibsp"]').fill('1')
    await page.selectOption('#f-embarked', 'C')
    await page.click('button[type=submit]')
    const first = { pclass: 1, sex: 'female', age: 30, sibsp: 1, parch: 0, embarked: 'C' }
    await answerTo(first)
    const expected = await api('titanic', first)
    expect(await page.textContent('#prediction')).toBe(expected.prediction)
    expect(await page.locator('#result svg.picture-titanic').count()).toBe(1)
    await shot('titanic-predict')
    await page.selectOption('#f-pclass', '3')
    await page.check('input[name=sex][value=male]')
    await page.fill('#f-age', '40')
    await page.click('button[type=submit]')
    const secondInput = { pclass: 3, sex: 'male', age: 40, sibsp: 1, parch: 0, embarked: 'C' }
    await answerTo(secondInput)
    const second = await api('titanic', secondInput)
    expect(await page.textContent('#prediction')).toBe(second.prediction)
  })

  it('iris: an example fills the form and answers; typing answers again (debounced), a decimal comma included', async () => {
    await page.goto(`${server.url}/iris`)
    const example = page.locator('a.example', { hasText: 'Virginica' })
    const input = JSON.parse((await example.getAttribute('data-example'))!) as Record<string, number>
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1))
    await example.click()
    for (const [k, v] of Object.entries(input)) expect(await page.inputValue(`#f-${k}`)).toBe(String(v))
    const expected = await api('iris', input)
    await page.waitForFunction((want) => {
      const doc = (globalThis as unknown as { document: Doc }).document
      return doc.getElementById('prediction')?.textContent === want && doc.querySelector('#result h2')?.textContent?.startsWith('Prediction')
    }, expected.prediction)
    expect(await page.textContent('#snippet-curl')).toContain(JSON.stringify(input))
    await shot('iris-predict-example')
    // Typing, no button: the answer and the API snippet follow the inputs; "2,1" is read as 2.1.
    await page.fill('#f-sepal_length', '5')
    await page.fill('#f-sepal_width', '3,4')
    await page.fill('#f-petal_length', '1,5')
    await page.fill('#f-petal_width', '0,2')
    const typed = { sepal_length: 5, sepal_width: 3.4, petal_length: 1.5, petal_width: 0.2 }
    await page.waitForFunction((want) => (globalThis as unknown as { document: Doc }).document.getElementById('snippet-curl')?.textContent?.includes(want), JSON.stringify(typed))
    expect(await page.textContent('#prediction')).toBe((await api('iris', typed)).prediction)
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(1) // no reload
    expect(page.url()).toContain('petal_width=0%2C2')
    // Something that is not one number is refused next to its field, never read as another number.
    await page.fill('#f-sepal_length', '1,2,3')
    await page.waitForSelector('#f-sepal_length-error')
    expect(await page.textContent('#f-sepal_length-error')).toMatch(/one decimal separator/)
    expect(await page.locator('#prediction').count()).toBe(0)
    await shot('iris-predict-comma-error')
  })

  it('iris: type a value, leave the field, click Predict: one request and one logged row; another value: two', async () => {
    // A fresh page with the page's clock under the test's control, so the 300 ms debounce runs exactly when the
    // test says and every request the page could still send has been sent when it counts them.
    const p = await ctx.newPage()
    await p.clock.install()
    // The page's POSTs, counted in the page as they are made (a request event reaches the test later).
    await p.addInitScript(() => {
      const g = globalThis as unknown as { fetch: (url: unknown, init?: { method?: string; body?: unknown }) => Promise<unknown>; smlPosts: string[] }
      const original = g.fetch.bind(g)
      g.smlPosts = []
      g.fetch = (url, init) => {
        if (init?.method === 'POST') g.smlPosts.push(`${String(url)} ${String(init.body)}`)
        return original(url, init)
      }
    })
    const posts = () => p.evaluate(() => (globalThis as unknown as { smlPosts: string[] }).smlPosts)
    const logged = async () => {
      await app.services.requestLog.flush()
      return (await requestsFeatureGroup(app.services.featureStore, iris)).count()
    }
    await p.goto(`${server.url}/iris`)
    const before = await logged()
    for (const [i, value] of ['6.1', '6.7'].entries()) {
      await p.fill('#f-sepal_length', value)
      const answered = p.waitForResponse((r) => r.request().method() === 'POST' && r.request().postData()?.includes(`sepal_length=${value}`) === true)
      await p.clock.runFor(400) // the live update after typing
      await answered
      await p.locator('#f-sepal_length').blur() // a change event: the same inputs again
      await p.click('button[type=submit]') // and a submit of them
      await p.clock.runFor(1000) // any debounced update still pending is sent now
      const sent = await posts()
      expect(sent, sent.join(' | ')).toHaveLength(i + 1)
      expect(await p.textContent('#snippet-curl')).toContain(`"sepal_length":${value}`)
    }
    expect(await logged()).toBe(before + 2)
    await p.close()
  })

  it('the form works with JavaScript off (plain POST, server-side validation)', async () => {
    const p = await ctx.newPage()
    const cdp = await ctx.newCDPSession(p)
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
    await p.goto(`${server.url}/iris`)
    expect(await p.locator('input[type=range]').first().isVisible()).toBe(false) // sliders need JS
    await p.fill('#f-petal_length', '4.5')
    await p.fill('#f-petal_width', '1.5')
    await p.fill('#f-sepal_length', '6')
    await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')])
    expect(await p.textContent('#prediction')).toBe((await api('iris', { sepal_length: 6, sepal_width: 3.5, petal_length: 4.5, petal_width: 1.5 })).prediction)
    await p.fill('#f-sepal_length', '')
    const [res] = await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')])
    expect(res?.status()).toBe(400)
    expect(await p.textContent('#f-sepal_length-error')).toMatch(/is required/)
    await p.close()
  })

  for (const system of [iris, titanic]) {
    it(`${system.name} monitor: pictures, confusion matrix SVG, 10 history rows, accuracy, drift, pipelines`, async () => {
      await page.goto(`${server.url}/${system.name}/monitor`)
      expect(await page.locator('#confusion svg').first().isVisible()).toBe(true)
      expect(await page.locator('#confusion svg text', { hasText: 'Predicted' }).count()).toBeGreaterThan(0)
      expect(await page.locator('#accuracy svg').first().isVisible()).toBe(true)
      expect(await page.locator('#history tbody tr').count()).toBe(10)
      expect(await page.locator('#latest-predicted svg').count()).toBe(1)
      expect(await page.locator('#latest-actual svg').count()).toBe(1)
      expect(await page.locator('#drift tbody tr').count()).toBe(system.fields.length)
      expect(await page.locator('#pipelines tbody tr').count()).toBe(4)
      expect(await page.textContent('#serving-model')).toBe(`${system.model.name} v1`)
      // The recent predictions fit a 1280 px window: outcome first, the features folded into one cell.
      expect(await page.locator('#history thead th').allTextContents()).toEqual(expect.arrayContaining(['Time', 'Predicted', 'Actual', 'Correct', 'Probability']))
      expect((await page.locator('#history thead th').allTextContents()).slice(0, 5)).toEqual(['Time', 'Predicted', 'Actual', 'Correct', 'Probability'])
      const wrap = await page.locator('#history').evaluate((t) => {
        const parent = (t as unknown as { parentElement: { scrollWidth: number; clientWidth: number } }).parentElement
        return { scroll: parent.scrollWidth, client: parent.clientWidth }
      })
      expect(wrap.scroll).toBeLessThanOrEqual(wrap.client)
      await shot(`${system.name}-monitor`)
    })
  }

  it('dashboard, model and feature-group pages, and a 404', async () => {
    await page.goto(server.url)
    expect(await page.locator('#system-iris').isVisible()).toBe(true)
    expect(await page.locator('#system-titanic').isVisible()).toBe(true)
    await shot('dashboard')
    await page.click('#system-titanic a:text("Model")')
    await page.waitForURL(/\/models\/titanic_model/)
    expect(await page.locator('img[alt^="Confusion matrix"]').first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0)
    await shot('model-titanic')
    await page.goto(`${server.url}/feature-groups/iris`)
    expect(await page.locator('#commits tbody tr').count()).toBe(11)
    await shot('feature-group-iris')
    const res = await page.goto(`${server.url}/roses`)
    expect(res?.status()).toBe(404)
    expect(await page.textContent('h1')).toMatch(/404/)
    await shot('not-found')
  })

  it('/docs: every operation of /openapi.json, readable at 1280 and 390 px, linked from the footer', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> }
    await page.goto(server.url + '/')
    await page.click('footer a[href="/docs"]')
    expect(await page.textContent('h1')).toBe('JSON API')
    for (const item of Object.values(doc.paths)) for (const op of Object.values(item)) expect(await page.isVisible(`#${op.operationId}`), op.operationId).toBe(true)
    await shot('docs')
    const p = await ctx.newPage()
    await p.setViewportSize({ width: 390, height: 844 })
    await p.goto(server.url + '/docs')
    const overflow = await p.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement
      return root.scrollWidth - root.clientWidth
    })
    expect(overflow).toBeLessThanOrEqual(0)
    await shot('phone-docs', p)
    await p.close()
  })

  it('reads at phone width (390 px): no page scrolls sideways', async () => {
    const p = await ctx.newPage()
    await p.setViewportSize({ width: 390, height: 844 })
    for (const path of ['/', '/iris', '/titanic', '/iris/monitor', '/titanic/monitor', '/models/iris_model']) {
      await p.goto(server.url + path)
      const overflow = await p.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement
        return root.scrollWidth - root.clientWidth
      })
      expect(overflow, path).toBeLessThanOrEqual(0)
      // Time charts keep a readable size (their text at ≥ 85 % of its drawn size) and scroll inside their card.
      if (path.endsWith('/monitor')) expect(await p.locator('#accuracy svg').first().evaluate((svg) => (svg as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width)).toBeGreaterThanOrEqual(0.85 * 640)
      await shot(`phone${path === '/' ? '-dashboard' : path.replace(/\//g, '-')}`, p)
    }
    await p.close()
  })
})
