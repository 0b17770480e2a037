import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The package's version, from its package.json: two directories up from both `src/cli/` (tsx) and `dist/bin/`
 * (the bundle), and from `node_modules/serverless-ml/dist/bin/` when installed. One small synchronous read at
 * start (well under a millisecond), instead of a build step that tests from source would not have.
 */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** The package's folder (where its package.json is), found as `packageVersion` finds the file. */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '')
}
