import type { Child } from 'hono/jsx'
import { createContext, useContext } from 'hono/jsx'

/**
 * How a page's links and server-only parts are drawn: by the live app (absolute app paths, forms, scripts) or
 * for a static export (`sml site`: relative file paths, no forms, no scripts). Pages say where a link goes in
 * the app's own paths ("/iris/monitor", "/models/iris_model#v2"); the mode decides what the href becomes, or
 * that there is none (a page the export does not contain), so one set of page components serves both.
 */
export interface PageMode {
  /** True for a static export: no server behind the page, no client JavaScript. */
  readonly static: boolean
  /** The href of an app path (query and hash kept), or null when this rendering has no such page. */
  href(path: string): string | null
  /** Where a rendered chart (its SVG text) is also saved as files for sharing, as hrefs; null when it is not. */
  chartFiles(svg: string): ChartFiles | null
}

/** A chart saved beside the page: its SVG and a PNG rendering of it. */
export interface ChartFiles {
  readonly svg: string
  readonly png: string
}

/** The live app: every path is its own href; charts are inline only. */
export const LIVE_MODE: PageMode = { static: false, href: (path) => path, chartFiles: () => null }

export const PageModeContext = createContext<PageMode>(LIVE_MODE)

/** The mode of the page being rendered (live unless a static export provides one). */
export const usePageMode = (): PageMode => useContext(PageModeContext)

/**
 * A link to an app path; in a rendering without that page (a static export that did not write it), its text
 * alone, so a table keeps its content and no link is broken.
 */
export function Link(props: { href: string; title?: string; id?: string; class?: string; download?: string; children?: Child }) {
  const href = usePageMode().href(props.href)
  if (href === null) return <span title={props.title} id={props.id} class={props.class}>{props.children}</span>
  return (
    <a href={href} title={props.title} id={props.id} class={props.class} download={props.download}>
      {props.children}
    </a>
  )
}
