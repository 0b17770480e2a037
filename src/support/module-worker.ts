import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** How to start a worker thread from one of our modules: a file URL, or code to evaluate. */
export type ModuleWorkerSpec = { readonly url: URL } | { readonly code: string }

/**
 * How to start the worker module `name` that sits beside the module at `base` (its `import.meta.url`):
 * the compiled `name.js` (dist/, and the esbuild bundle, which emits each worker as an entry of its own),
 * else the `name.ts` source through tsx's loader (vitest, tsx), else null (the caller works in-thread).
 */
export function moduleWorkerSpec(base: string, name: string): ModuleWorkerSpec | null {
  try {
    const js = new URL(`./${name}.js`, base)
    const ts = new URL(`./${name}.ts`, base)
    if (js.protocol === 'file:' && existsSync(fileURLToPath(js))) return { url: js }
    if (ts.protocol !== 'file:' || !existsSync(fileURLToPath(ts))) return null
    const tsxDir = fileURLToPath(new URL('.', pathToFileURL(createRequire(base).resolve('tsx/package.json'))))
    const api = pathToFileURL(tsxDir + 'dist/esm/api/index.mjs').href
    if (!existsSync(fileURLToPath(api))) return null
    return { code: `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(ts.href)}, ${JSON.stringify(ts.href)}))` }
  } catch {
    return null
  }
}
