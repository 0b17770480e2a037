import { posix } from 'node:path'
import type { PageMode } from '../links.js'

/**
 * The set of files a static export writes, keyed by the app path each stands for ("/iris/monitor" →
 * "iris/monitor.html"), and the PNG copies of charts keyed by their SVG text. `modeFor(file)` is the PageMode of
 * the page written at `file`: links become paths relative to it (so the site works from any folder, over
 * `file://` and on GitHub Pages alike), and links to paths not in the set have no href.
 */
export class StaticSiteMap {
  readonly #files = new Map<string, string>()
  /** Per page: the PNG of each chart (by its SVG text) drawn on it; two pages may draw the same SVG. */
  readonly #pngs = new Map<string, Map<string, string>>()

  /** Records that the app path `appPath` (no query, no hash) is the file `file` (relative to the site's root, `/`-separated). */
  add(appPath: string, file: string): void {
    this.#files.set(appPath, file)
  }

  /** Records that the chart whose SVG text is `svg`, drawn on the page `page`, is also the PNG `file`. */
  addChartPng(page: string, svg: string, file: string): void {
    const charts = this.#pngs.get(page) ?? new Map<string, string>()
    charts.set(svg, file)
    this.#pngs.set(page, charts)
  }

  /** The file an app path is written to, or undefined when the export does not contain it. */
  fileOf(appPath: string): string | undefined {
    return this.#files.get(appPath)
  }

  modeFor(file: string): PageMode {
    const from = posix.dirname(`/${file}`)
    const rel = (to: string) => encodeURI(posix.relative(from, `/${to}`) || posix.basename(to))
    return {
      static: true,
      href: (path) => {
        const hashAt = path.indexOf('#')
        const hash = hashAt < 0 ? '' : path.slice(hashAt)
        const beforeHash = hashAt < 0 ? path : path.slice(0, hashAt)
        // A query selects something a static page cannot (a version, a page of rows, a filter): not exported.
        if (beforeHash.includes('?')) return null
        let decoded: string
        try {
          decoded = decodeURIComponent(beforeHash)
        } catch {
          return null
        }
        const target = this.#files.get(decoded)
        return target === undefined ? null : `${rel(target)}${hash}`
      },
      chartPng: (svg) => {
        const png = this.#pngs.get(file)?.get(svg)
        return png === undefined ? null : rel(png)
      },
    }
  }
}
