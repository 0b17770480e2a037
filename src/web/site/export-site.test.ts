import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqlDialect } from '../../db/index.js'
import { testDialectNames, useTestDatabase } from '../../db/test-support/dialects.js'
import { ConflictError, ValidationError } from '../../errors/index.js'
import { DATA_DIR } from '../../featurestore/test-support/data.js'
import { LinearRegression } from '../../ml/index.js'
import { iris, runDemo, titanic, type SystemDescription } from '../../systems/index.js'
import { diabetes } from '../../systems/test-support/diabetes.js'
import { monitorPageProps } from '../page-data.js'
import { createServices, type WebServices } from '../services.js'
import { exportSite, type SiteReport } from './index.js'
import { brokenLinks, listFiles, PNG_SIGNATURE, pngSize } from './test-support/site-files.js'

// The export's clock is now: the runs the demo records carry the real time of the test.
const NOW = Date.now()
describe.each(testDialectNames())('static site export on %s', (dialect) => {
  let db: SqlDialect
  let services: WebServices
  let out: string
  let report: SiteReport
  const root = mkdtempSync(join(tmpdir(), 'sml-site-'))
  const read = (path: string) => readFileSync(join(out, path), 'utf8')

  useTestDatabase(dialect, async (_tdb, database) => {
    db = database
    await runDemo(db, [iris, titanic], { days: 3, until: new Date('2026-05-03T12:00:00Z'), settings: { source: { dataDir: DATA_DIR } } })
    services = createServices(db, { systems: [iris, titanic] })
  })
  beforeAll(async () => {
    out = join(root, 'site')
    report = await exportSite(services, { out, now: NOW })
  })
  afterAll(async () => {
    await services.requestLog.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('writes the dashboard, each system’s dashboard and monitor, the model pages, charts and a .nojekyll', () => {
    const pages = report.files.filter((f) => f.kind === 'page').map((f) => f.path)
    expect(pages.sort()).toEqual(['index.html', 'iris/index.html', 'iris/monitor.html', 'models/index.html', 'models/iris_model.html', 'models/titanic_model.html', 'titanic/index.html', 'titanic/monitor.html'])
    // The report is what is on disk, byte for byte.
    expect(listFiles(out).sort()).toEqual(report.files.map((f) => f.path).sort())
    for (const f of report.files) expect(statSync(join(out, f.path)).size, f.path).toBe(f.bytes)
    expect(read('.nojekyll')).toBe('')
    expect(read('index.html').startsWith('<!DOCTYPE html>')).toBe(true)
    expect(read('index.html')).toContain('Iris flowers')
    expect(read('index.html')).toContain('Titanic survival')
    expect(read('iris/index.html')).toContain('<h1>Iris flowers</h1>')
    expect(read('iris/index.html')).not.toContain('Titanic survival')
    // Ages are as of the export's clock, and the page says when that was.
    expect(read('index.html')).toContain(`A static copy made at ${new Date(NOW).toISOString().slice(0, 16).replace('T', ' ')}Z`)
  })

  it('needs no server and no JavaScript: no script, no form, no absolute or API link', () => {
    for (const page of report.files.filter((f) => f.kind === 'page').map((f) => f.path)) {
      const html = read(page)
      expect(html, page).not.toMatch(/<script|<form|<button|<input/)
      expect(html, page).not.toMatch(/(href|src|action)="\/(?!\/)/)
      expect(html, page).not.toContain('/api/')
    }
  })

  it('every link and image resolves to an exported file (and every #anchor to an element)', () => {
    const pages = report.files.filter((f) => f.kind === 'page').map((f) => f.path)
    expect(brokenLinks(out, pages)).toEqual([])
    // Pages not exported (runs, feature groups, predict) keep their text without a link.
    expect(read('index.html')).toMatch(/<span title="[^"]*">iris v1<\/span>/)
    expect(read('iris/monitor.html')).toContain('href="../models/iris_model.html" id="serving-model"')
    expect(read('iris/monitor.html')).toContain('<a href="index.html">Iris flowers →</a>')
  })

  it('every chart the monitor renders is inline as SVG, and saved as .svg and a valid .png linked from it', async () => {
    for (const system of [iris, titanic]) {
      const { charts } = await monitorPageProps(services, system, NOW)
      const keys = Object.entries(charts).filter(([, svg]) => typeof svg === 'string' && svg !== '')
      expect(keys.length, system.name).toBeGreaterThanOrEqual(2) // confusion matrix and accuracy over time
      const html = read(`${system.name}/monitor.html`)
      for (const [key] of keys) {
        const base = `${system.name}/charts/${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
        const svg = read(`${base}.svg`)
        expect(svg.startsWith('<svg')).toBe(true)
        expect(html).toContain(svg) // the same chart inline
        expect(html).toContain(`href="charts/${base.split('/').pop()}.png"`)
        expect(html).toContain(`href="charts/${base.split('/').pop()}.svg"`)
        const size = pngSize(readFileSync(join(out, `${base}.png`)))
        expect(size, `${base}.png`).not.toBeNull()
        expect(size!.width).toBeGreaterThan(100)
        expect(size!.height).toBeGreaterThan(100)
      }
    }
  })

  it('model pages are read-only with their artifacts as files', () => {
    const html = read('models/iris_model.html')
    expect(html).not.toContain('Promote')
    expect(html).toContain('href="iris_model/v1/model.json" download="model.json"')
    expect(readFileSync(join(out, 'models/iris_model/v1/confusion_matrix.png')).subarray(0, 8)).toEqual(Buffer.from(PNG_SIGNATURE))
    expect(JSON.parse(read('models/iris_model/v1/model.json'))).toBeTypeOf('object')
  })

  it('refuses a non-empty folder without --force, writing nothing; with force overwrites its own files and keeps others', async () => {
    const dir = join(root, 'busy')
    await exportSite(services, { out: dir, now: NOW })
    writeFileSync(join(dir, 'CNAME'), 'example.org\n')
    writeFileSync(join(dir, 'index.html'), 'old')
    const error = await exportSite(services, { out: dir, now: NOW }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect((error as Error).message).toMatch(/busy is not empty .*--force/)
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe('old')
    await exportSite(services, { out: dir, now: NOW, force: true })
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<!DOCTYPE html>')
    expect(readFileSync(join(dir, 'CNAME'), 'utf8')).toBe('example.org\n')
  })

  it('an --out that cannot be a folder is one clear ValidationError', async () => {
    const file = join(root, 'a-file')
    writeFileSync(file, 'x')
    const error = await exportSite(services, { out: file, now: NOW }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as Error).message).toBe(`cannot write into ${file}: it is a file (or under one), not a folder`)
    const under = await exportSite(services, { out: join(file, 'site'), now: NOW, force: true }).catch((e: unknown) => e)
    expect(under).toBeInstanceOf(ValidationError)
    expect((under as Error).message).toBe(`cannot create ${join(file, 'site')}: it is a file (or under one), not a folder`)
  })

  it('a system with no model yet exports pages that say so', async () => {
    const bare = createServices(db, { systems: [diabetes] })
    try {
      const dir = join(root, 'bare')
      const progress: string[] = []
      const r = await exportSite(bare, { out: dir, now: NOW, onProgress: (done, total, file) => progress.push(`${done}/${total} ${file}`) })
      expect(progress.at(-1)).toBe(`${r.files.length}/${r.files.length} ${r.files.at(-1)!.path}`)
      const monitor = readFileSync(join(dir, 'diabetes/monitor.html'), 'utf8')
      expect(monitor).toContain('No batch predictions yet')
      expect(monitor).toContain('No model yet, so nothing to compare against.')
      expect(readFileSync(join(dir, 'diabetes/index.html'), 'utf8')).toContain('No model trained yet.')
      expect(r.files.filter((f) => f.kind === 'chart')).toEqual([])
      expect(brokenLinks(dir, r.files.filter((f) => f.kind === 'page').map((f) => f.path))).toEqual([])
    } finally {
      await bare.requestLog.close()
    }
  })
})

// A regression monitor draws other charts (error over time, predicted and actual, their scatter): the export saves
// whatever the page draws, with nothing per chart or per task.
describe.each(testDialectNames())('static site export of a regression system on %s', (dialect) => {
  const linear: SystemDescription = { ...diabetes, model: { ...diabetes.model, name: 'diabetes_linear', create: () => new LinearRegression() } }
  let services: WebServices
  const root = mkdtempSync(join(tmpdir(), 'sml-site-regression-'))
  useTestDatabase(dialect, async (_tdb, db) => {
    await runDemo(db, [linear], { days: 3, until: new Date('2026-05-03T12:00:00Z'), settings: { source: { dataDir: DATA_DIR } } })
    services = createServices(db, { systems: [linear] })
  })
  afterAll(async () => {
    await services.requestLog.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('saves and links every chart of the regression monitor, and every link resolves', async () => {
    const out = join(root, 'site')
    const r = await exportSite(services, { out, now: NOW })
    const { charts } = await monitorPageProps(services, linear, NOW)
    const drawn = Object.entries(charts).filter(([, svg]) => typeof svg === 'string' && svg !== '').map(([k]) => k)
    expect(drawn.sort()).toEqual(['error', 'predictedOverTime', 'scatter'])
    expect(r.files.filter((f) => f.kind === 'chart').map((f) => f.path).sort()).toEqual(
      ['error', 'predicted-over-time', 'scatter'].flatMap((k) => [`diabetes/charts/${k}.png`, `diabetes/charts/${k}.svg`]),
    )
    const html = readFileSync(join(out, 'diabetes/monitor.html'), 'utf8')
    for (const k of ['error', 'predicted-over-time', 'scatter']) {
      expect(html).toContain(readFileSync(join(out, `diabetes/charts/${k}.svg`), 'utf8'))
      expect(html).toContain(`href="charts/${k}.png"`)
      expect(pngSize(readFileSync(join(out, `diabetes/charts/${k}.png`)))).not.toBeNull()
    }
    expect(brokenLinks(out, r.files.filter((f) => f.kind === 'page').map((f) => f.path))).toEqual([])
  })
})
