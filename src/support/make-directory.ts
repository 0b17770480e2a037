import { mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/**
 * `mkdir -p` that fails instead of spinning. Node's `mkdir(…, { recursive: true })` loops forever (at 100% CPU)
 * when the kernel answers ENOENT for a folder whose parent exists, as /proc and other pseudo file systems do
 * (`mkdir /proc/x`); here each missing folder is made once, outermost first, and the first refusal is thrown as
 * it came. Synchronous: a few stat and mkdir calls, made before writing.
 *
 * @throws the `mkdir` error (ENOENT, EACCES, EPERM, EROFS, ENOTDIR, EEXIST for a file at `dir`, ENOSPC, …) of the
 *   first folder that cannot be made, its `path` naming that folder.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = []
  for (let p = resolve(dir); ; ) {
    let code: string | undefined
    try {
      if (statSync(p).isDirectory()) break
      code = 'EEXIST' // a file: mkdir says so (at `dir` itself; below it, the child's mkdir says ENOTDIR first)
    } catch (e) {
      code = (e as NodeJS.ErrnoException).code
    }
    missing.unshift(p)
    const parent = dirname(p)
    // Only a missing folder sends us up; any other answer (a file, no permission) is mkdir's to report.
    if (code !== 'ENOENT' || parent === p) break
    p = parent
  }
  for (const d of missing) {
    try {
      mkdirSync(d)
    } catch (e) {
      // Another process made it in between: fine when it is a folder.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !isDirectory(d)) throw e
    }
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

const REASONS: Record<string, string> = {
  ENOTDIR: 'it is a file (or under one), not a folder',
  EEXIST: 'a file is in the way',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'this file system allows no folder there (no such file or directory)',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
}

/** Why makeDirectory failed, in words for a one-line message (`cannot create <path>: <reason>`); undefined for an error that is not a file-system refusal. */
export function makeDirectoryReason(e: unknown): string | undefined {
  return REASONS[(e as NodeJS.ErrnoException)?.code ?? '']
}
