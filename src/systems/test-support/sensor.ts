import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { csvToRows, type FeatureSpec, type Row } from '../../featurestore/index.js'
import { LinearRegression } from '../../ml/index.js'
import { defineSystem } from '../define-system.js'
import type { DailyDescription, SourceDescription, SystemDescription } from '../system.js'

/**
 * A small regression system for source and fetch tests (not shipped): sensor readings `x1`, `x2` and a label
 * `y = 2·x1 − x2 + small noise`, one reading a day from 2026-01-01, served as JSON by a local HTTP server.
 */
export const SENSOR_SCHEMA: FeatureSpec[] = [
  { name: 'id', type: 'int' },
  { name: 'ts', type: 'timestamp' },
  { name: 'x1', type: 'float', nullable: false },
  { name: 'x2', type: 'float', nullable: false },
  { name: 'y', type: 'float', nullable: false },
]

/** Reading `i` (1-based): deterministic, its event time day i−1 of 2026. */
export function reading(i: number): Record<string, unknown> {
  const x1 = ((i * 7) % 13) - 6
  const x2 = ((i * 5) % 11) - 5
  return { id: i, ts: new Date(Date.UTC(2026, 0, i)).toISOString(), x1, x2, y: 2 * x1 - x2 + 0.1 * ((i * 3) % 5) }
}

export function sensorSystem(source: SourceDescription, daily: DailyDescription, name = 'sensor'): SystemDescription {
  return defineSystem({
    name,
    title: 'Sensor',
    description: 'Predicts y from two sensor readings (linear regression).',
    source,
    featureGroup: {
      name,
      version: 1,
      description: 'Sensor readings',
      primaryKey: ['id'],
      eventTime: 'ts',
      schema: SENSOR_SCHEMA,
      expectations: [{ column: 'x1', min: -100, max: 100, strict: true }],
    },
    clean: (table) => csvToRows(table, SENSOR_SCHEMA, name),
    label: { column: 'y', unit: 'units' },
    fields: [
      { kind: 'number', name: 'x1', label: 'x1', min: -100, max: 100, step: 0.1, default: 0 },
      { kind: 'number', name: 'x2', label: 'x2', min: -100, max: 100, step: 0.1, default: 0 },
    ],
    training: { testSize: 0.2, seed: 42 },
    model: { name: `${name}_model`, description: 'linear regression', create: () => new LinearRegression() },
    daily,
    schedules: { daily: '0 6 * * *', batchInference: '15 6 * * *' },
  })
}

/** What the feed answers: readings, or a failure. */
export type FeedMode = 'ok' | 'http-500' | 'bad-json' | 'not-an-array' | 'bad-row'

/**
 * A local JSON feed on an ephemeral port: `GET /readings.json` (needs `authorization: Bearer good`) answers
 * `{ data: readings }`; `GET /feed?after=N` answers `{ rows, last }`, the readings with id > N (at most 5).
 */
export interface Feed {
  readonly url: string
  /** Readings 1..count are published. */
  count: number
  mode: FeedMode
  /** Requests answered, by path. */
  readonly hits: Record<string, number>
  close(): Promise<void>
}

export async function startFeed(count: number): Promise<Feed> {
  const state = { count, mode: 'ok' as FeedMode, hits: {} as Record<string, number> }
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    state.hits[url.pathname] = (state.hits[url.pathname] ?? 0) + 1
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(body)
    }
    if (url.pathname === '/readings.json' && req.headers.authorization !== 'Bearer good') return send(401, '{"error":"bad token"}')
    if (state.mode === 'http-500') return send(500, '{"error":"down"}')
    if (state.mode === 'bad-json') return send(200, '<html>maintenance</html>')
    const readings: Row[] = Array.from({ length: state.count }, (_, i) => reading(i + 1) as Row)
    if (state.mode === 'bad-row') readings[readings.length - 1] = { ...readings[readings.length - 1], x1: 'high' }
    if (url.pathname === '/readings.json') return send(200, JSON.stringify(state.mode === 'not-an-array' ? { data: { id: 1 } } : { data: readings }))
    if (url.pathname === '/feed') {
      const after = Number(url.searchParams.get('after') ?? '0')
      const rows = readings.filter((r) => (r.id as number) > after).slice(0, 5)
      return send(200, JSON.stringify({ rows, last: rows.length ? rows[rows.length - 1].id : after }))
    }
    send(404, '{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}
