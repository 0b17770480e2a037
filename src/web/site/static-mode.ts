import { posix } from 'node:path'
import type { ChartFiles, PageMode } from '../links.js'

/**
 * The set of files a static export writes, keyed by the app path each stands for ("/iris/monitor" →
 * "iris/monitor.html"), and the PNG copies of charts keyed by their SVG text. `modeFor(file)` is the PageMode of
 * the page written at `file`: links become paths relative to it (so the site works from any folder, over
 * `file://` and on GitHub Pages alike), and links to paths not in the set have no href.
 */
export class StaticSiteMap {
  readonly #files = new Map<string, string>()
  /** Per page: the files of each chart (by its SVG text) drawn on it; two pages may draw the same SVG. */
  readonly #charts = new Map<string, Map<string, ChartFiles>>()

  /** Records that the app path `appPath` (no query, no hash) is the file `file` (relative to the site's root, `/`-separated). */
  add(appPath: string, file: string): void {
    this.#files.set(appPath, file)
  }

  /** Records that the chart whose SVG text is `svg`, drawn on the page `page`, is also saved as `files`. */
  addChart(page: string, svg: string, files: ChartFiles): void {
    const charts = this.#charts.get(page) ?? new Map<string, ChartFiles>()
    charts.set(svg, files)
    this.#charts.set(page, charts)
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
      chartFiles: (svg) => {
        const files = this.#charts.get(file)?.get(svg)
        return files === undefined ? null : { svg: rel(files.svg), png: rel(files.png) }
      },
    }
  }
}
