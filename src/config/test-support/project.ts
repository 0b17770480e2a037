import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DATA_DIR } from '../../featurestore/test-support/data.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const WINE_CONFIG = readFileSync(fileURLToPath(new URL('./wine.config.mjs', import.meta.url)), 'utf8')

/**
 * A user's project in a temp directory: `node_modules/serverless-ml` links to this package (its built
 * dist/, as an installed user has it), `wine.csv` beside the config. `files` are written into it.
 */
export function tempProject(files: Record<string, string> = {}): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sml-project-'))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(ROOT, join(dir, 'node_modules', 'serverless-ml'), 'dir')
  copyFileSync(join(DATA_DIR, 'wine.csv'), join(dir, 'wine.csv'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
