import { createRequire } from 'node:module'
import type { Config, TopLevelSpec } from 'vega-lite'

export type ChartSpec = TopLevelSpec

// vega, vega-lite and resvg load on first use: importing the package (e.g. for a pipeline
// definition) must not pay for chart rendering, so `sml run` starts fast.
let renderer: Promise<{ vega: typeof import('vega'); compile: typeof import('vega-lite').compile }> | undefined
const require = createRequire(import.meta.url)

/** Renders a Vega-Lite spec to a standalone SVG string on the server (no browser, no canvas). */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  renderer ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, compile: vl.compile }))
  const { vega, compile } = await renderer
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** Rasterises an SVG to PNG with the system fonts (DejaVu on Debian). */
export function svgToPng(svg: string, options: { scale?: number; background?: string } = {}): Uint8Array {
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js')
  const resvg = new Resvg(svg, {
    background: options.background ?? 'white',
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
  return resvg.render().asPng()
}

/** Shared look: one font and palette for every chart, so pages and artifacts match. */
export const CHART_CONFIG: Config = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  background: 'white',
  axis: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 600, labelColor: '#333', titleColor: '#333' },
  title: { fontSize: 14, fontWeight: 600, anchor: 'start', color: '#111' },
  view: { stroke: 'transparent' },
  // Vega cuts legend labels at 160 px ("Unhealthy for sens…"); a legend is read, so it gets the width it needs.
  legend: { labelLimit: 0 },
}
