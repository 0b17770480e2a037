// Checks of an exported static site read from disk, shared by the export's tests and the browser test.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b) || Buffer.from(bytes.subarray(12, 16)).toString('latin1') !== 'IHDR') return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

/** Every file under `dir`, relative and `/`-separated. */
export function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
}

const attr = (html: string, name: string) => [...html.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1].replaceAll('&amp;', '&'))

/**
 * Every href and src of every exported page, as [page, target]: a data: URL is in the page itself; anything else
 * must be a relative path to a file of the export (with, for a "#id", that id in the target page).
 */
export function brokenLinks(out: string, pages: readonly string[]): string[] {
  const broken: string[] = []
  for (const page of pages) {
    const html = readFileSync(join(out, page), 'utf8')
    for (const href of [...attr(html, 'href'), ...attr(html, 'src')]) {
      if (href.startsWith('data:')) continue
      const [path, hash] = href.split('#')
      if (/^[a-z]+:|^\/|\?/i.test(path) || path === '') {
        broken.push(`${page}: ${href} (not a relative file path)`)
        continue
      }
      const target = posix.normalize(posix.join(posix.dirname(page), decodeURI(path)))
      if (target.startsWith('..') || !existsSync(join(out, target)) || !statSync(join(out, target)).isFile()) broken.push(`${page}: ${href} (no file ${target})`)
      else if (hash && !readFileSync(join(out, target), 'utf8').includes(`id="${hash}"`)) broken.push(`${page}: ${href} (no id ${hash} in ${target})`)
    }
  }
  return broken
}
