/**
 * The air-quality system's pages in chromium: the monitor's forecast (each day in its band), hindcast and error by
 * horizon beside persistence, and the predict form with unknown lags left empty.
 */
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { airQualitySystem } from '../../src/systems/index.js'
import { hasChromium, useBrowserApp, type BrowserApp } from '../support/browser-app.js'

describe.skipIf(!hasChromium)('the air-quality forecast in chromium', () => {
  const system = airQualitySystem()
  const app = useBrowserApp({ days: 3, timeoutMs: 10_000, systems: [system], shotPrefix: 'air-quality-' })
  let server: BrowserApp['server']
  let page: Page
  beforeAll(() => void ({ server, page } = app))

  it('monitor: the 7-day forecast with a band per day, the hindcast, and MAE per horizon beside persistence; the headline MAE says it is one day ahead', async () => {
    await page.goto(`${server.url}/air_quality/monitor`)
    expect(await page.locator('#forecast svg').count()).toBeGreaterThan(0)
    const days = page.locator('#forecast-days tbody tr')
    expect(await days.count()).toBe(7)
    expect(await page.locator('#forecast-days [data-band]').count()).toBe(7)
    expect(await page.locator('#hindcast svg').count()).toBeGreaterThan(0)
    expect(await page.locator('#horizons thead').textContent()).toContain('Persistence MAE (same as the issue day)')
    expect(await page.locator('#horizons tbody tr').count()).toBe(7)
    const kpi = await page.locator('.kpi', { has: page.locator('#mae') }).textContent()
    expect(kpi).toMatch(/one-day-ahead MAE over \d+ measured days/)
    // the headline figure is drawn as large as the KPI beside it, not as its small grey caption
    const size = (sel: string) => page.locator(sel).first().evaluate((e: any) => e.ownerDocument.defaultView.getComputedStyle(e).fontSize as string)
    expect(await size('#mae')).toBe(await size('.kpi b'))
    expect(await size('#mae')).not.toBe(await size('.kpi > span'))
    await app.shot('monitor')
  })

  it('predict: lags left empty are sent as unknown, and the answer is the JSON API’s for the same row without them', async () => {
    const input = Object.fromEntries(system.fields.filter((f) => f.name !== 'pm10_lag1' && f.name !== 'no2_lag1').map((f) => [f.name, f.name === 'pm25_lag1' ? 35 : f.default]))
    const res = await fetch(`${server.url}/api/air_quality/predict`, { method: 'POST', body: JSON.stringify(input), headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    const expected = ((await res.json()) as { prediction: number }).prediction
    const withDefaults = ((await (await fetch(`${server.url}/api/air_quality/predict`, { method: 'POST', body: JSON.stringify(Object.fromEntries(system.fields.map((f) => [f.name, f.default]))), headers: { 'content-type': 'application/json' } })).json()) as { prediction: number }).prediction
    expect(expected).not.toBe(withDefaults) // so the answer below cannot be the page's starting one
    await page.goto(`${server.url}/air_quality`)
    await page.fill('#f-pm10_lag1', '')
    await page.fill('#f-no2_lag1', '')
    await page.fill('#f-pm25_lag1', '35')
    await page.click('button[type=submit]')
    // The answer to these inputs, not the starting values' one still on the page.
    await page.waitForSelector(`#result #prediction[data-value="${String(expected)}"]`)
    expect(await page.locator('[data-field="pm10_lag1"] .help').textContent()).toContain('leave empty if not known')
    expect(await page.locator('.error').count()).toBe(0)
    await app.shot('predict-unknown-lags')
  })
})
