import { describe, expect, it } from 'vitest'
import { NotFittedError, ValidationError } from './errors.js'
import { expectOptionsChecked } from './estimator.contract.js'
import type { Regressor } from './estimator.js'
import { loadModel } from './load-model.js'
import { r2Score } from './metrics/regression.js'
import { Random } from './random.js'

/** A noisy smooth target of 4 features (one irrelevant), deterministic. */
export function regressionData(n = 120, seed = 1): { x: number[][]; y: number[] } {
  const r = new Random(seed)
  const x: number[][] = []
  const y: number[] = []
  for (let i = 0; i < n; i++) {
    const row = [r.uniform(-2, 2), r.uniform(0, 3), r.uniform(-1, 1), Math.round(r.uniform(0, 3))]
    x.push(row)
    y.push(3 * row[0] - 2 * row[1] + row[3] + r.uniform(-0.3, 0.3))
  }
  return { x, y }
}

/**
 * The estimator contract for regressors (sklearn's estimator_checks, trimmed), run by every regressor's
 * test. `factory(seed)` returns a fresh, unfitted estimator with fixed hyperparameters; `data` is a
 * learnable regression set with at least 20 rows and 2 features.
 */
export interface RegressorContractOptions {
  /** The estimator routes NaN features itself (gradient boosting), so NaN in x is not an error. */
  readonly acceptsNaN?: boolean
}

export function runRegressorContract(name: string, factory: (seed: number) => Regressor, data: { x: number[][]; y: number[] }, options: RegressorContractOptions = {}): void {
  describe(`${name} regressor contract`, () => {
    const { x, y } = data
    const p = x[0].length

    it('refuses an option it does not have, naming it, and takes its own params back (as scikit-learn)', () => expectOptionsChecked(factory(7)))

    it('fit returns this and leaves params untouched and frozen', () => {
      const est = factory(7)
      const before = JSON.stringify(est.params)
      expect(est.fit(x, y)).toBe(est)
      expect(JSON.stringify(est.params)).toBe(before)
      expect(Object.isFrozen(est.params)).toBe(true)
      expect(est.nFeaturesIn_).toBe(p)
    })

    it('throws NotFittedError before fit', () => {
      const est = factory(7)
      expect(est.isFitted()).toBe(false)
      expect(() => est.predict(x)).toThrow(NotFittedError)
      expect(() => est.predictOne(x[0])).toThrow(NotFittedError)
      expect(() => est.nFeaturesIn_).toThrow(NotFittedError)
      expect(est.toJSON().learned).toBeNull()
    })

    it('predict is pure, fit mutates neither x nor y, and the model learned something', () => {
      const xs = x.map((r) => r.slice())
      const ys = y.slice()
      const est = factory(7).fit(xs, ys)
      expect(xs).toEqual(x)
      expect(ys).toEqual(y)
      const a = est.predict(xs)
      expect(a).toBeInstanceOf(Float64Array)
      expect(a.length).toBe(x.length)
      expect(Array.from(est.predict(xs))).toEqual(Array.from(a))
      expect(xs).toEqual(x)
      expect(r2Score(y, a)).toBeGreaterThan(0.5)
    })

    it('predictOne agrees with predict', () => {
      const est = factory(7).fit(x, y)
      const pred = est.predict(x)
      for (let i = 0; i < x.length; i++) expect(est.predictOne(x[i])).toBe(pred[i])
    })

    it('same seed gives the same JSON', () => {
      expect(JSON.stringify(factory(3).fit(x, y))).toBe(JSON.stringify(factory(3).fit(x, y)))
    })

    it('round-trips through JSON to identical predictions', () => {
      const est = factory(7).fit(x, y)
      const json = JSON.stringify(est)
      const back = loadModel(JSON.parse(json)) as Regressor
      expect(back.constructor).toBe(est.constructor)
      expect(back.params).toEqual(est.params)
      expect(Array.from(back.predict(x))).toEqual(Array.from(est.predict(x)))
      expect(JSON.stringify(back)).toBe(json)
      const unfitted = loadModel(JSON.stringify(factory(7))) as Regressor
      expect(unfitted.isFitted()).toBe(false)
    })

    it('refitting replaces what was learned', () => {
      const est = factory(7).fit(x, y)
      est.fit(
        x.map((r) => r.slice(0, 2)),
        y.map((v) => -v),
      )
      expect(est.nFeaturesIn_).toBe(2)
      expect(r2Score(y.map((v) => -v), est.predict(x.map((r) => r.slice(0, 2))))).toBeGreaterThan(-0.5)
    })

    it('rejects bad input with messages naming the problem', () => {
      const est = factory(7)
      const bad = x.map((r) => r.slice())
      bad[3][1] = NaN
      if (options.acceptsNaN) expect(est.fit(bad, y)).toBe(est)
      else {
        expect(() => est.fit(bad, y)).toThrow(ValidationError)
        expect(() => est.fit(bad, y)).toThrow('x[3][1] is NaN: feature column 1 has a missing value')
      }
      bad[3][1] = -Infinity
      expect(() => est.fit(bad, y)).toThrow('x[3][1] is -Infinity')
      const ragged = x.map((r) => r.slice())
      ragged[5].pop()
      expect(() => est.fit(ragged, y)).toThrow(`x[5] has ${p - 1} values, expected ${p}`)
      expect(() => est.fit([], [])).toThrow(/empty/)
      expect(() => est.fit(x, y.slice(1))).toThrow(`y has ${y.length - 1} values but x has ${x.length} rows`)
      expect(() => est.fit(x, y.map((v, i) => (i === 4 ? NaN : v)))).toThrow('y[4] is NaN')
      expect(() => est.fit(x, y.map((v, i) => (i === 2 ? 'a' : v)) as number[])).toThrow('y[2] is a string')
      est.fit(x, y)
      expect(() => est.predict([new Array<number>(p + 1).fill(0)])).toThrow(`${p + 1} features, but the model was fitted with ${p}`)
      const row = x[0].slice()
      row[1] = NaN
      if (options.acceptsNaN) expect(Number.isFinite(est.predictOne(row))).toBe(true)
      else {
        expect(() => est.predictOne(row)).toThrow('row[1] is NaN: feature column 1')
        expect(() => est.predict([row])).toThrow('x[0][1] is NaN: feature column 1')
      }
      expect(Array.from(est.predict([]))).toEqual([])
    })
  })
}
