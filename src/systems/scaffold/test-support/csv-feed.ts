import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A CSV served over HTTP on an ephemeral port (`GET /<name>`), as a data provider publishes one: tests change
 * `text` (append rows) between requests; `status` / `contentType` make it answer an error or a page instead.
 */
export interface CsvFeed {
  readonly url: string
  text: string
  status: number
  contentType: string
  /** Requests answered. */
  hits: number
  /** Appends CSV lines (without their newline) to `text`. */
  append(lines: readonly string[]): void
  close(): Promise<void>
}

export async function startCsvFeed(name: string, text: string): Promise<CsvFeed> {
  const server: Server = createServer((_req, res) => {
    feed.hits++
    res.writeHead(feed.status, { 'content-type': feed.contentType })
    res.end(feed.status === 200 ? feed.text : 'not here')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const feed: CsvFeed = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}`,
    text,
    status: 200,
    contentType: 'text/csv; charset=utf-8',
    hits: 0,
    append(lines) {
      feed.text = `${feed.text.replace(/\n?$/, '\n')}${lines.join('\n')}\n`
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  return feed
}

/** `text`'s header and its first `n` data lines, and the data lines after them (what arrives later). */
export function splitCsv(text: string, n: number): { head: string; rest: string[] } {
  const lines = text.trimEnd().split('\n')
  return { head: `${lines.slice(0, n + 1).join('\n')}\n`, rest: lines.slice(n + 1) }
}
