import { serve, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'

export interface ServeOptions {
  readonly port?: number
  /** Default 127.0.0.1: not reachable from other machines unless asked for. */
  readonly host?: string
}

/** Binds the app to a port; resolves once it listens. */
export function listen(app: Hono, options: ServeOptions = {}): Promise<{ server: ServerType; url: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1'
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 3000, hostname: host }, (info) => {
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`
      resolve({ server, url, close: () => new Promise<void>((r) => server.close(() => r())) })
    })
    server.once('error', reject)
  })
}
