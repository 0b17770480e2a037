import { describe, expect, it } from 'vitest'
import { iris, titanic } from '../systems/index.js'
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
