import { readdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Child } from 'hono/jsx'
import { svgToPng } from '../../charts/index.js'
import { makeDirectory, makeDirectoryReason } from '../../support/make-directory.js'
import { ConflictError, ValidationError } from '../../errors/index.js'
import { Document } from '../layout.js'
import { PageModeContext } from '../links.js'
import { dashboardSystems, modelPageData, monitorPageProps } from '../page-data.js'
import { DashboardPage } from '../pages/dashboard.js'
import { ModelPage } from '../pages/model.js'
import { MonitorPage } from '../pages/monitor.js'
import { ModelsPage } from '../pages/ops.js'
import type { WebServices } from '../services.js'
import { StaticSiteMap } from './static-mode.js'
import { plural } from '../../support/plural.js'

export interface ExportSiteOptions {
  /** The folder to write; created when missing. */
  readonly out: string
  /** Write into a folder that already has files (ours are overwritten, nothing is deleted). Default false. */
  readonly force?: boolean
  /** The export's clock, ms since the epoch (ages and "made at" are as of it). Default `Date.now()`. */
  readonly now?: number
  /** Called after each file is written, with the count so far and the total planned. */
  readonly onProgress?: (done: number, total: number, file: string) => void
}

export interface SiteFile {
  /** Relative to the export folder, `/`-separated: `index.html`, `iris/monitor.html`, `iris/charts/confusion.png`. */
  readonly path: string
  readonly kind: 'page' | 'chart' | 'artifact' | 'other'
  readonly bytes: number
}

export interface SiteReport {
  /** The export folder, absolute. */
  readonly out: string
  readonly files: readonly SiteFile[]
}

// Artifact names become file names on disk and in URLs: only plain ones are exported (every built-in one is).
const PLAIN_FILE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/

/**
 * Writes the dashboard, each system's dashboard and monitor, and the model registry pages as a static site in
 * `options.out`: plain HTML rendered by the same page components as the live app in their static mode (relative
 * links, no forms, no scripts), each monitor chart inline as SVG and also as `<system>/charts/<chart>.svg` and
 * `.png`, model artifacts as files, `index.html` at the root and a `.nojekyll` so GitHub Pages serves it as is.
 * A system with no model yet gets pages that say so. Every monitor chart the page renders (whatever the system's
 * task) is saved, so a new kind of chart needs nothing here.
 *
 * @throws ConflictError when `out` exists and is not empty and `force` is not set (nothing is written).
 * @throws ValidationError when `out` (or a file in it) cannot be a folder or written: a file, no permission.
 */
export async function exportSite(services: WebServices, options: ExportSiteOptions): Promise<SiteReport> {
  const out = resolve(options.out)
  const now = options.now ?? Date.now()
  if (!options.force) {
    const existing = await outFs(options.out, () => readdir(out).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e))))
    if (existing.length > 0) throw new ConflictError(`${options.out} is not empty (${plural(existing.length, 'entry', 'entries')}); choose an empty or new folder, or pass --force to write into it`, [{ path: 'out', reason: 'not empty' }])
  }
  await outFs(options.out, async () => makeDirectory(out))

  // First read everything, so the map of pages is complete before any page is drawn (links need all targets).
  const systems = services.systems
  const [dashboard, monitors, models] = await Promise.all([
    dashboardSystems(services, systems, now),
    Promise.all(systems.map((s) => monitorPageProps(services, s, now))),
    services.registry.list().then((list) => Promise.all(list.map(async (m) => ({ name: m.name, list: await services.registry.listVersions(m.name), page: await modelPageData(services, m.name) })))),
  ])
  const site = new StaticSiteMap()
  site.add('/', 'index.html')
  for (const s of systems) {
    site.add(`/${s.name}`, `${s.name}/index.html`)
    site.add(`/${s.name}/monitor`, `${s.name}/monitor.html`)
  }
  site.add('/models', 'models/index.html')
  const artifacts: { name: string; version: number; file: string; path: string }[] = []
  for (const m of models) {
    site.add(`/models/${m.name}`, `models/${m.name}.html`)
    for (const v of m.list)
      for (const a of v.artifacts) {
        if (!PLAIN_FILE.test(a.file)) continue
        const path = `models/${m.name}/v${v.version}/${a.file}`
        site.add(`/api/models/${m.name}/versions/${v.version}/artifacts/${a.file}`, path)
        artifacts.push({ name: m.name, version: v.version, file: a.file, path })
      }
  }
  const charts: { svg: string; path: string }[] = []
  monitors.forEach((props, i) => {
    for (const [key, svg] of Object.entries(props.charts)) {
      if (typeof svg !== 'string' || svg === '') continue
      const base = `${systems[i].name}/charts/${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
      charts.push({ svg, path: `${base}.svg` }, { svg, path: `${base}.png` })
      site.addChart(`${systems[i].name}/monitor.html`, svg, { svg: `${base}.svg`, png: `${base}.png` })
    }
  })

  const files: SiteFile[] = []
  const total = 1 + 1 + systems.length * 2 + 1 + models.length + charts.length + artifacts.length
  const write = async (path: string, kind: SiteFile['kind'], data: string | Uint8Array) => {
    const target = join(out, ...path.split('/'))
    await outFs(options.out, async () => {
      makeDirectory(dirname(target))
      await writeFile(target, data)
    })
    files.push({ path, kind, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength })
    options.onProgress?.(files.length, total, path)
  }
  const page = async (path: string, title: string, active: string | undefined, content: Child) => {
    const html = await (
      <PageModeContext.Provider value={site.modeFor(path)}>
        <Document systems={systems} title={title} active={active}>
          {content}
        </Document>
      </PageModeContext.Provider>
    ).toString()
    await write(path, 'page', `<!DOCTYPE html>${html}`)
  }

  // GitHub Pages would otherwise run Jekyll over the folder (and drop files starting with "_").
  await write('.nojekyll', 'other', '')
  await page('index.html', 'Dashboard', '/', <DashboardPage systems={dashboard} now={now} />)
  for (const [i, s] of systems.entries()) {
    await page(`${s.name}/index.html`, s.title, `/${s.name}`, <DashboardPage systems={[dashboard[i]]} now={now} heading={s.title} />)
    await page(`${s.name}/monitor.html`, `${s.title}: monitor`, `/${s.name}/monitor`, <MonitorPage {...monitors[i]} />)
  }
  await page('models/index.html', 'Models', '/models', <ModelsPage models={models} />)
  for (const m of models) await page(`models/${m.name}.html`, `Model ${m.name}`, undefined, <ModelPage name={m.name} versions={m.page.versions} serving={m.page.serving} />)
  for (const c of charts) await write(c.path, 'chart', c.path.endsWith('.png') ? svgToPng(c.svg) : c.svg)
  for (const a of artifacts) await write(a.path, 'artifact', await services.registry.readArtifact(a.name, a.version, a.file))
  return { out, files }
}

// The folder's own faults (a file in the way, no permission, a read-only disk, a file system that allows no folder
// there such as /proc) are the caller's choice of --out: one clear line naming the path and the reason, not a stack.
const OUT_FAULTS: Record<string, string> = {
  EEXIST: 'a file is where a folder of the export goes',
  EISDIR: 'a folder is where a file of the export goes',
}

const OUT_VERBS: Record<string, string> = { mkdir: 'create', scandir: 'write into', open: 'write', write: 'write' }

async function outFs<T>(out: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    const reason = OUT_FAULTS[err.code ?? ''] ?? makeDirectoryReason(e)
    if (!reason) throw e
    throw new ValidationError(`cannot ${OUT_VERBS[err.syscall ?? ''] ?? 'write'} ${err.path ?? out}: ${reason}`, [{ path: 'out', reason }], { cause: e })
  }
}
