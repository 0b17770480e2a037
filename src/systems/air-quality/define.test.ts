import { describe, expect, it } from 'vitest'
import { systemIssues, systemSetIssues, systemTables } from '../define-system.js'
import { iris } from '../index.js'
import type { SystemDescription } from '../system.js'
import { trainingSplit } from '../system.js'
import { airQualitySystem } from './index.js'

const reasons = (d: SystemDescription) => systemIssues(d).map((i) => `${i.column}: ${i.reason}`)

describe('a time series description', () => {
  const aq = airQualitySystem()

  it('is valid, splits by time, and owns its window group', () => {
    expect(reasons(aq)).toEqual([])
    expect(trainingSplit(aq)).toBe('time')
    expect(trainingSplit(iris)).toBe('random')
    expect(systemTables(aq)).toEqual(['air_quality', 'air_quality_predictions', 'air_quality_requests', 'air_quality_windows'])
    expect(systemSetIssues([aq, iris])).toEqual([])
  })

  it('refuses a random split, saying why', () => {
    expect(reasons({ ...aq, training: { ...aq.training, split: 'random' } })).toEqual([
      'training.split: a time series is split by time: a random split would train on days after the test days and score the model on a past it has seen (leakage)',
    ])
    expect(reasons({ ...aq, training: { ...aq.training, stratify: true } })).toEqual(['training.stratify: a split by time cannot be stratified'])
  })

  it('takes its window features as the model inputs: fields describe them, not the day’s other readings', () => {
    expect(reasons({ ...aq, fields: aq.fields.slice(1) })).toEqual(['fields: model input "pm25_lag1" has no field description'])
    const withReading = { ...aq, fields: [...aq.fields, { kind: 'number' as const, name: 'pm10', label: 'PM10 today', min: 0, max: 500, step: 1, default: 1 }] }
    expect(reasons(withReading)[0]).toMatch(/^fields\[8\]\.name: "pm10" is not a model input \(inputs: pm25_lag1, .*month\)/)
  })

  it('lets a lag field be sent missing, but not a calendar field stored as never null', () => {
    expect(aq.fields.filter((f) => f.kind === 'number' && f.optional).map((f) => f.name)).toEqual(['pm25_lag1', 'pm25_lag2', 'pm25_lag3', 'pm25_mean7', 'pm10_lag1', 'no2_lag1'])
    const t = aq.timeSeries!
    const calendar = { ...aq, timeSeries: { ...t, windows: { ...t.windows, features: t.windows.features.map((f) => (f.name === 'pm10_lag1' ? { ...f, nullable: false } : f)) } } }
    expect(reasons(calendar)).toEqual(['fields[4].optional: "pm10_lag1" is stored as never null (nullable: false): it cannot be sent missing'])
  })

  it('names every problem of the timeSeries block', () => {
    const t = aq.timeSeries!
    const bad = {
      ...aq,
      featureGroup: { ...aq.featureGroup, eventTime: 'date', primaryKey: ['station'] },
      timeSeries: {
        ...t,
        windows: { ...t.windows, name: 'air_quality', lookbackDays: 0, features: [...t.windows.features, { name: 'station', type: 'string' as const }] },
        horizon: 0,
        hindcastDays: 1.5,
        bands: [t.bands![1], t.bands![0]],
        unknownAhead: ['pm10', 'pm25_lag1'],
      },
    }
    expect(reasons(bad)).toEqual(
      expect.arrayContaining([
        'featureGroup.eventTime: a time series\' day "date" must be one of the primary key columns (station)',
        'timeSeries.windows.name: "air_quality" is another of the system\'s tables',
        'timeSeries.windows.features[8].name: "station" is a key column of air_quality',
        'timeSeries.windows.features[8].type: a window feature is a number (int or float)',
        'timeSeries.windows.lookbackDays: must be a whole number of days ≥ 1',
        'timeSeries.horizon: must be a whole number of days from 1 to 60',
        'timeSeries.hindcastDays: must be a whole number of days ≥ 1',
        'timeSeries.bands[1].max: must be above the band before (100)',
        'timeSeries.unknownAhead[0]: "pm10" is not a window feature',
        'timeSeries.unknownAhead[1]: "pm25_lag1" is the label\'s previous day, which a recursive forecast knows (it feeds each forecast day forward)',
      ]),
    )
  })
})
