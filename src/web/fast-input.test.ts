import { describe, expect, it } from 'vitest'
import { airQualitySystem, iris, titanic } from '../systems/index.js'
import { fastPredictInput } from './fast-input.js'
import { parsePredictInput } from './predict-input.js'

const flower = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }
const passenger = { pclass: 1, sex: 'female', age: 30, sibsp: 0, parch: 0, embarked: 'C' }

describe('fastPredictInput', () => {
  it('gives the same rows as parsePredictInput for well-formed bodies', () => {
    for (const [system, body] of [
      [iris, flower],
      [iris, [flower, { ...flower, petal_width: 2.5 }]],
      [titanic, passenger],
      [titanic, [passenger, { ...passenger, sex: 'male', embarked: 'S', pclass: 3 }]],
    ] as const) {
      const slow = parsePredictInput(system, body)
      expect(slow.ok).toBe(true)
      expect(fastPredictInput(system, body)).toEqual(slow)
    }
  })

  it('declines (null) everything parsePredictInput refuses, so the slow path names the issue', () => {
    const bad: [typeof iris, unknown][] = [
      [iris, null],
      [iris, 42],
      [iris, []],
      [iris, { ...flower, sepal_length: '5' }],
      [iris, { ...flower, petal_width: 99 }],
      [iris, { ...flower, petal_width: Number.NaN }],
      [iris, { ...flower, colour: 'blue' }],
      [iris, { sepal_length: 5 }],
      [iris, [flower, null]],
      [iris, Array.from({ length: 10_001 }, () => flower)],
      [titanic, { ...passenger, sex: 1 }],
      [titanic, { ...passenger, sibsp: 1.5 }],
      [titanic, { ...passenger, pclass: '1' }],
      [titanic, { ...passenger, age: -1 }],
    ]
    for (const [system, body] of bad) {
      expect(fastPredictInput(system, body)).toBeNull()
      expect(parsePredictInput(system, body).ok).toBe(false)
    }
  })
})

describe('fields the model may take as missing (optional)', () => {
  const aq = airQualitySystem()
  const day = { pm25_lag1: 30, pm25_lag2: 25, pm25_lag3: 20, pm25_mean7: 24.5, pm10_lag1: 12, no2_lag1: 7, day_of_week: 'Monday', month: 'March' }
  const { pm10_lag1: _pm10, no2_lag1: _no2, ...withoutPm10AndNo2 } = day

  it('accepts null or absence for an optional field, as null (missing) in the row, on both paths', () => {
    for (const body of [{ ...day, pm10_lag1: null, no2_lag1: null }, withoutPm10AndNo2, [day, { ...day, pm25_lag1: null, pm25_mean7: null }]]) {
      const slow = parsePredictInput(aq, body)
      expect(slow.ok).toBe(true)
      expect(fastPredictInput(aq, body)).toEqual(slow)
    }
    const r = parsePredictInput(aq, withoutPm10AndNo2)
    expect(r.ok && r.rows[0]).toEqual({ pm25_lag1: 30, pm25_lag2: 25, pm25_lag3: 20, pm25_mean7: 24.5, pm10_lag1: null, no2_lag1: null, day_of_week: 0, month: 3 })
  })

  it('still refuses a NaN text, a wrong type, a value out of range, an unknown field, and a missing required field', () => {
    const bad: [unknown, RegExp][] = [
      [{ ...day, pm10_lag1: 'NaN' }, /pm10_lag1: must be a number, got "NaN"/],
      [{ ...day, pm10_lag1: '' }, /pm10_lag1: must be a number, got ""/],
      [{ ...day, no2_lag1: true }, /no2_lag1: must be a number, got true/],
      [{ ...day, pm25_lag1: 501 }, /pm25_lag1: must be at most 500 AQI/],
      [{ ...withoutPm10AndNo2, colour: 'blue', other: 1 }, /colour: is not a field of air_quality \(fields: .*pm25_lag1.*\); other: is not a field of air_quality/],
      [{ ...day, month: null }, /month: must be one of/],
      [{ ...day, day_of_week: undefined }, /day_of_week: is required/],
    ]
    for (const [body, reason] of bad) {
      expect(fastPredictInput(aq, body)).toBeNull()
      const slow = parsePredictInput(aq, body)
      expect(slow.ok).toBe(false)
      expect(slow.ok ? '' : slow.issues.map((i) => `${i.field}: ${i.reason}`).join('; ')).toMatch(reason)
    }
  })
})
