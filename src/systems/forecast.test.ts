import { describe, expect, it } from 'vitest'
import type { Row, TrainTestSplit } from '../featurestore/index.js'
import type { SystemDescription } from './system.js'
import { withUnknownAhead } from './time-series.js'
import { windowFeatures, type DailyReading } from './air-quality/windows.js'
import { bandOf, recursiveForecast } from './forecast.js'

const day = (iso: string) => new Date(`${iso}T00:00:00Z`)

describe('recursive forecasts', () => {
  const history: Row[] = [
    { date: day('2025-03-01'), pm25: 10, pm10: 5, no2: 1 },
    { date: day('2025-03-02'), pm25: 20, pm10: 6, no2: 2 },
    { date: day('2025-03-03'), pm25: 30, pm10: 7, no2: 3 },
  ]
  const features = (h: readonly Row[], d: Date) => windowFeatures(h as unknown as DailyReading[], [d])[0]

  it('feeds each forecast day into the next day’s lags, and leaves unforecast measurements null', () => {
    const calls: Row[] = []
    // A model that says "yesterday plus 1".
    const predict = (rows: readonly Row[]) => rows.map((r) => (calls.push(r), (r.pm25_lag1 as number) + 1))
    const steps = recursiveForecast({ history, time: 'date', label: 'pm25', issued: day('2025-03-03'), horizon: 3, features, predict })
    expect(steps.map((s) => [s.date.toISOString().slice(0, 10), s.horizon, s.predicted])).toEqual([
      ['2025-03-04', 1, 31],
      ['2025-03-05', 2, 32],
      ['2025-03-06', 3, 33],
    ])
    expect(steps[1].features).toMatchObject({ pm25_lag1: 31, pm25_lag2: 30, pm25_lag3: 20, pm10_lag1: null, no2_lag1: null })
    expect(steps[2].features).toMatchObject({ pm25_lag1: 32, pm25_lag2: 31, pm25_lag3: 30 })
    expect(steps[0].features).toMatchObject({ pm10_lag1: 7, no2_lag1: 3 })
    expect(calls).toHaveLength(3)
    expect(history).toHaveLength(3)
  })

  it('issued after a gap, the first days have null lags rather than stale ones', () => {
    const steps = recursiveForecast({ history, time: 'date', label: 'pm25', issued: day('2025-03-05'), horizon: 1, features, predict: (rows) => rows.map(() => 0) })
    expect(steps[0].features).toMatchObject({ pm25_lag1: null, pm25_lag2: null, pm25_lag3: 30 })
  })
})

describe('value bands', () => {
  const bands = [
    { max: 50, name: 'Good', color: 'green' },
    { max: 100, name: 'Moderate', color: 'yellow' },
    { max: Infinity, name: 'Unhealthy', color: 'red' },
  ]
  it('puts a value in the first band whose upper bound holds it', () => {
    expect([0, 50, 50.4, 100, 101, 1e6].map((v) => bandOf(bands, v)?.name)).toEqual(['Good', 'Good', 'Moderate', 'Moderate', 'Unhealthy', 'Unhealthy'])
    expect(bandOf([], 3)).toBeNull()
    expect(bandOf(bands, Number.NaN)).toBeNull()
  })
})

describe('training for the days a recursive forecast cannot measure', () => {
  const system = { timeSeries: { unknownAhead: ['b'] } } as unknown as Pick<SystemDescription, 'timeSeries'>
  const split = {
    xTrain: { data: Float64Array.of(1, 2, 3, 4, 5, 6), nRows: 2, nCols: 3 },
    yTrain: Float64Array.of(10, 20),
    trainIndex: Int32Array.of(7, 8),
    xTest: { data: Float64Array.of(7, 8, 9), nRows: 1, nCols: 3 },
    yTest: Float64Array.of(30),
    testIndex: Int32Array.of(9),
    featureNames: ['a', 'b', 'c'],
  } as unknown as TrainTestSplit

  it('uses each training row twice, as measured and with the unknown-ahead features missing, and leaves the test rows alone', () => {
    const out = withUnknownAhead(system, split)
    expect(Array.from(out.xTrain.data)).toEqual([1, 2, 3, 4, 5, 6, 1, NaN, 3, 4, NaN, 6])
    expect(out.xTrain.nRows).toBe(4)
    expect(Array.from(out.yTrain as Float64Array)).toEqual([10, 20, 10, 20])
    expect(Array.from(out.trainIndex)).toEqual([7, 8, 7, 8])
    expect(out.xTest).toBe(split.xTest)
    expect(out.yTest).toBe(split.yTest)
    expect(Array.from(split.xTrain.data)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('is the split itself without unknown-ahead features, and names a feature that is not an input', () => {
    expect(withUnknownAhead({ timeSeries: undefined }, split)).toBe(split)
    expect(() => withUnknownAhead({ timeSeries: { unknownAhead: ['pm10'] } } as unknown as Pick<SystemDescription, 'timeSeries'>, split)).toThrow(/timeSeries\.unknownAhead names "pm10", which is not a model input \(a, b, c\)/)
  })
})
