import { getRequestListener, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fastPaths } from './app.js'

export interface ServeOptions {
  readonly port?: number
  /** Default 127.0.0.1: not reachable from other machines unless asked for. */
  readonly host?: string
}

/**
 * Binds the app to a port (node:http with @hono/node-server's request listener, as its `serve` does); resolves
 * once it listens. An app createApp made with a fast path (the predict API's plain success, fast-predict.ts) has
 * it tried first on each request; the app answers everything else.
 */
export function listen(app: Hono, options: ServeOptions = {}): Promise<{ server: ServerType; url: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1'
  const listener = getRequestListener(app.fetch, { hostname: host })
  const fast = fastPaths.get(app)
  const server: Server = createServer(fast ? (req, res) => fast(req, res, () => void listener(req, res)) : (req, res) => void listener(req, res))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 3000, host, () => {
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`
      resolve({ server, url, close: () => new Promise<void>((r) => server.close(() => r())) })
    })
  })
}
