import { describe, expect, it } from 'vitest'
import { classify, ValidationError } from '../errors/index.js'
import { KNeighborsClassifier } from './knn.js'
import { HistGradientBoostingRegressor } from './boosting/hist-gradient-boosting-regressor.js'
import { loadModel } from './load-model.js'

/** The error loadModel throws for `json`, classified as the API and CLI would. */
function refusal(json: unknown) {
  let err: unknown
  try {
    loadModel(json)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(ValidationError)
  const c = classify(err)
  expect([c.kind, c.httpStatus]).toEqual(['invalid', 400])
  return (err as ValidationError).message
}

describe('loadModel refuses what is not a model JSON as invalid input, never as a bug', () => {
  const knn = new KNeighborsClassifier({ nNeighbors: 1 }).fit([[0], [1]], ['a', 'b']).toJSON()

  it('says the text is not JSON', () => {
    expect(refusal('nope')).toMatch(/^model JSON is not JSON: Unexpected token/)
  })

  it('names an unknown or missing kind and lists the known ones', () => {
    expect(refusal('{"kind":"nope"}')).toMatch(/^unknown model kind "nope"; expected one of KNeighborsClassifier, .*HistGradientBoostingRegressor$/)
    expect(refusal({})).toMatch(/^unknown model kind \(none\); expected one of KNeighborsClassifier/)
    expect(refusal({ kind: 'toString' })).toMatch(/^unknown model kind "toString"/)
    expect(refusal('[1]')).toBe('model JSON must be an object with a kind, got an array')
    expect(refusal(null)).toBe('model JSON must be an object with a kind, got null')
  })

  it('names a top-level field of the wrong shape', () => {
    expect(refusal({ ...knn, version: 2 })).toBe('model JSON version 2 is not supported (expected 1)')
    expect(refusal({ ...knn, params: undefined })).toBe('model JSON params must be an object, got nothing')
    expect(refusal({ ...knn, learned: 'x' })).toBe('model JSON learned must be an object (null when unfitted), got "x"')
  })

  it('refuses a learned state of the wrong shape, keeping the cause', () => {
    const msg = refusal({ ...knn, learned: { ...(knn.learned as object), x: undefined } })
    expect(msg).toMatch(/^model JSON of kind KNeighborsClassifier is malformed: /)
    const hgb = new HistGradientBoostingRegressor({ maxIter: 2 }).fit([[0], [1], [2], [3]], [0, 1, 2, 3]).toJSON()
    expect(refusal({ ...hgb, learned: { ...(hgb.learned as object), trees: 'x' } })).toBe('model JSON learned state needs trees and a baseline')
  })

  it('still loads what toJSON wrote, fitted or not', () => {
    expect(loadModel(JSON.stringify(knn)).predict([[0.9]])).toEqual(['b'])
    expect(loadModel(new KNeighborsClassifier().toJSON()).isFitted()).toBe(false)
  })
})
