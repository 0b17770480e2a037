import type { Command } from 'commander'
import { commandConfig } from '../config.js'
import { formatTable, print, printJson } from '../output.js'
import { plural } from '../../support/plural.js'

/** `sml site`: the dashboard and every system's monitor as a static site (GitHub Pages, any file server, `file://`). */
export function registerSiteCommands(program: Command): void {
  program
    .command('site')
    .description('write the dashboard, each system’s dashboard and monitor and the model pages as static HTML with their charts (SVG and PNG) to a folder: relative links, no server, no JavaScript (GitHub Pages ready)')
    .requiredOption('--out <dir>', 'the folder to write (created; must be empty unless --force)')
    .option('--force', 'write into a non-empty folder (files of the export are overwritten, nothing is deleted)')
    .option('--json', 'print the files written as JSON')
    .action(async (opts, cmd: Command) => {
      const config = await commandConfig(cmd)
      const [{ openDatabase }, web, { createProgress }] = await Promise.all([import('../../db/index.js'), import('../../web/index.js'), import('../../runtime/index.js')])
      // Reads a store `sml start` (or the pipelines) made; it does not make one.
      const db = await openDatabase({ ...config.store, create: false })
      const services = web.createServices(db, { systems: config.systems, pipelines: config.pipelines })
      try {
        const started = performance.now()
        // The bar is made at the first file, when the total is known (a refused folder draws none).
        const bar: { progress?: ReturnType<typeof createProgress> } = {}
        const report = await web.exportSite(services, {
          out: opts.out,
          force: Boolean(opts.force),
          onProgress: (done, total, file) => (bar.progress ??= createProgress('site', total)).update(done, file),
        })
        bar.progress?.stop()
        const seconds = ((performance.now() - started) / 1000).toFixed(1)
        if (opts.json) return printJson(report)
        const kinds = ['page', 'chart', 'artifact', 'other'] as const
        print(formatTable(['kind', 'files', 'bytes'], kinds.map((k) => [k, report.files.filter((f) => f.kind === k).length, report.files.filter((f) => f.kind === k).reduce((a, f) => a + f.bytes, 0)])))
        print(`wrote ${plural(report.files.length, 'file')} (${config.systems.map((s) => s.name).join(', ')}) to ${report.out} in ${seconds} s; open ${report.out}/index.html, or publish the folder (e.g. GitHub Pages)`)
      } finally {
        await services.requestLog.close()
        await db.close()
      }
    })
}
