// Bundles the `sml` command and the package entry into dist/bin/: a few ESM files (entries plus shared
// and lazily loaded chunks) instead of the ~600 modules tsc emits and the packages import. Node spends
// most of a cold start resolving and reading module files, so this is what brings `sml run` near a bare
// `node` start. Both entries share chunks, so pipelines a user module defines with the package's
// definePipeline and the CLI's registry are one module graph. tsc still emits dist/**/*.d.ts for types.
import { build } from 'esbuild'

// Native addons and packages that must stay files of their own (native code, or loaded only on demand).
const external = ['jiti', 'better-sqlite3', 'pg', 'pg-boss', 'pg-copy-streams', '@resvg/resvg-js', 'vega', 'vega-lite', 'cli-progress', 'playwright-core', 'autocannon', 'tsx']

import { rmSync } from 'node:fs'

// Stale chunks from an earlier bundle would otherwise pile up beside the new ones.
rmSync('dist/bin', { recursive: true, force: true })

await build({
  entryPoints: { main: 'src/cli/main.ts', index: 'src/index.ts', 'forest-worker': 'src/ml/forest/forest-worker.ts', 'boosting-worker': 'src/ml/boosting/boosting-worker.ts', 'request-log-worker': 'src/web/request-log-worker.ts' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS packages (commander) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __smlCreateRequire } from 'node:module'; const require = __smlCreateRequire(import.meta.url);" },
})
