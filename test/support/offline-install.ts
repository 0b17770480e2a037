// Installing a project that depends on a tarball of this package, without the network: what `npm install` does for
// a user, with what this machine already holds. Two things differ from a user's online install, for reasons:
//
// 1. npm's cache holds the dependencies' tarballs (`npm ci` filled it from our package-lock.json) but not the
//    registry's package documents, so `npm install --offline` cannot resolve version ranges (ENOTCACHED). The
//    project gets a package-lock.json made from ours: the same versions and integrity hashes our own install
//    uses, so npm takes every tarball from its cache and asks the registry nothing.
// 2. better-sqlite3's install script downloads a prebuilt binary (prebuild-install) and else compiles SQLite
//    (3 min on this machine, measured with the load of the shared CI box). Offline the download fails, so the
//    install runs with --ignore-scripts and the binary the download would fetch is copied from our own
//    node_modules (built for this Node on this machine).
import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface LockEntry {
  readonly dev?: boolean
  readonly link?: boolean
  readonly [k: string]: unknown
}

/**
 * Writes `dir/package-lock.json` for a project whose package.json depends on serverless-ml at `file:<tarball>`:
 * the package itself, then every non-dev entry of this repository's lock (our runtime dependency tree).
 */
export function writeOfflineLockfile(dir: string, tarball: string): void {
  const project = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> }
  const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; bin: Record<string, string>; engines: Record<string, string> }
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }
  const packages: Record<string, unknown> = {
    '': { name: project.name, version: project.version, dependencies: project.dependencies },
    'node_modules/serverless-ml': { version: ours.version, resolved: `file:${tarball}`, license: 'MIT', dependencies: ours.dependencies, bin: ours.bin, engines: ours.engines },
  }
  for (const [path, entry] of Object.entries(lock.packages)) if (path.startsWith('node_modules/') && !entry.dev && !entry.link) packages[path] = entry
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: project.name, version: project.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`)
}

/** Runs a command in `cwd`, resolving with its output; rejects with its stderr when it fails. */
export function exec(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-3000)}`))
      else resolve({ stdout, stderr })
    })
  })
}

/** `npm install --offline` of the project in `dir` (see above); returns the seconds it took. */
export async function installOffline(dir: string, tarball: string): Promise<number> {
  const started = performance.now()
  writeOfflineLockfile(dir, tarball)
  await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: dir })
  const release = join(dir, 'node_modules', 'better-sqlite3', 'build', 'Release')
  mkdirSync(release, { recursive: true })
  copyFileSync(join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), join(release, 'better_sqlite3.node'))
  return (performance.now() - started) / 1000
}
