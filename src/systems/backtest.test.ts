import { describe, expect, it } from 'vitest'
import type { Row } from '../featurestore/index.js'
import { rollingOriginBacktest } from './backtest.js'

const DAY_MS = 86_400_000
const at = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * DAY_MS)

describe('rolling-origin backtest', () => {
  // Day n has value n (days 0 … 9), day 6 not measured.
  const history: Row[] = Array.from({ length: 10 }, (_, n) => ({ date: at(n), y: n === 6 ? null : n }))
  const features = (h: readonly Row[], day: Date) => {
    const before = h.filter((r) => (r.date as Date) < day && r.y !== null).map((r) => r.date as Date)
    const last = h.find((r) => (r.date as Date).getTime() === Math.max(...before.map((d) => d.getTime())))
    return { last: last?.y ?? null, seen: h.length }
  }

  it('forecasts from every measured issue day with only the days before, and scores measured targets beside persistence', () => {
    const seen: number[] = []
    // "the last value plus one": exact on this series wherever the last value is the day before.
    const predict = (rows: readonly Row[]) => rows.map((r) => (seen.push(r.seen as number), (r.last as number) + 1))
    const errors = rollingOriginBacktest({ history, time: 'date', label: 'y', from: at(5), horizon: 2, lookbackDays: 3, features, predict })
    // Issue days 4, 5, 7, 8 (6 is not measured, 9 is the newest). Targets ≥ day 5 and measured:
    // h1: 4→5, 5→6 (unmeasured), 7→8, 8→9 — all exact; persistence off by 1 each.
    // h2: 4→6 (unmeasured), 5→7 (forecast 7, exact), 7→9 (exact); persistence off by 2.
    expect(errors).toEqual([
      { horizon: 1, n: 3, mae: 0, persistenceMae: 1 },
      { horizon: 2, n: 2, mae: 0, persistenceMae: 2 },
    ])
    // Each origin hands over the 3 days up to it (fewer at a gap), then the forecast day joins.
    expect(Math.max(...seen)).toBeLessThanOrEqual(4)
  })

  it('scores a forecast that drifts worse than persistence, and gives NaN where nothing is scored', () => {
    const drift = (rows: readonly Row[]) => rows.map((r) => (r.last as number) + 3)
    const errors = rollingOriginBacktest({ history, time: 'date', label: 'y', from: at(8), horizon: 3, lookbackDays: 7, features, predict: drift })
    // h1: 7→8 (forecast 10, error 2), 8→9 (11, 2); h2: 7→9 (forecast 13, error 4); h3: nothing measured after day 9.
    expect(errors[0]).toEqual({ horizon: 1, n: 2, mae: 2, persistenceMae: 1 })
    expect(errors[1]).toEqual({ horizon: 2, n: 1, mae: 4, persistenceMae: 2 })
    expect(errors[2].n).toBe(0)
    expect(errors[2].mae).toBeNaN()
  })
})
