import { describe, expect, it } from 'vitest'
import { NotFittedError, ValidationError } from './errors.js'
import { loadModel } from './load-model.js'
import { Random } from './random.js'
import type { Regressor } from './regressor.js'

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

export interface RegressorContractOptions {
  /** The estimator routes NaN features itself (gradient boosting), so NaN in x is not an error. */
  readonly acceptsNaN?: boolean
}

function rSquared(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let mean = 0
  for (let i = 0; i < y.length; i++) mean += y[i] / y.length
  let ssRes = 0
  let ssTot = 0
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i] - pred[i]) ** 2
    ssTot += (y[i] - mean) ** 2
  }
  return 1 - ssRes / ssTot
}

/**
 * The estimator contract for regressors (sklearn's estimator_checks, trimmed), the twin of
 * runEstimatorContract. `factory(seed)` returns a fresh, unfitted estimator with fixed hyperparameters.
 */
export function runRegressorContract(name: string, factory: (seed: number) => Regressor, options: RegressorContractOptions = {}): void {
  describe(`${name} regressor contract`, () => {
    const { x, y } = regressionData()

    it('fit returns this and leaves params untouched and frozen', () => {
      const est = factory(7)
      const before = JSON.stringify(est.params)
      expect(est.fit(x, y)).toBe(est)
      expect(JSON.stringify(est.params)).toBe(before)
      expect(Object.isFrozen(est.params)).toBe(true)
    })

    it('throws NotFittedError before fit', () => {
      const est = factory(7)
      expect(est.isFitted()).toBe(false)
      expect(() => est.predict(x)).toThrow(NotFittedError)
      expect(() => est.predictOne(x[0])).toThrow(NotFittedError)
      expect(() => est.nFeaturesIn_).toThrow(NotFittedError)
      expect(est.toJSON().learned).toBeNull()
    })

    it('predict is pure and learns the target (training R² > 0.8)', () => {
      const est = factory(7).fit(x, y)
      const xCopy = JSON.stringify(x)
      const a = est.predict(x)
      const b = est.predict(x)
      expect(JSON.stringify(x)).toBe(xCopy)
      expect(a).toBeInstanceOf(Float64Array)
      expect(a.length).toBe(x.length)
      expect(Array.from(a)).toEqual(Array.from(b))
      expect(rSquared(y, a)).toBeGreaterThan(0.8)
      expect(est.nFeaturesIn_).toBe(4)
    })

    it('fit does not mutate x or y', () => {
      const xs = x.map((r) => r.slice())
      const ys = y.slice()
      factory(7).fit(xs, ys)
      expect(xs).toEqual(x)
      expect(ys).toEqual(y)
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
      const back = loadModel(JSON.parse(json)) as unknown as Regressor
      expect(back.constructor).toBe(est.constructor)
      expect(back.params).toEqual(est.params)
      expect(back.nFeaturesIn_).toBe(4)
      expect(Array.from(back.predict(x))).toEqual(Array.from(est.predict(x)))
      expect(JSON.stringify(back)).toBe(json)
    })

    it('refitting replaces what was learned', () => {
      const est = factory(7).fit(x, y)
      est.fit(
        x.map((r) => [r[0], r[1]]),
        y.map((v) => -v),
      )
      expect(est.nFeaturesIn_).toBe(2)
      expect(rSquared(y.map((v) => -v), est.predict(x.map((r) => [r[0], r[1]])))).toBeGreaterThan(0.5)
    })

    it('a constant target predicts that constant', () => {
      const est = factory(7).fit(x.slice(0, 30), new Array<number>(30).fill(2.5))
      for (const v of est.predict(x)) expect(v).toBeCloseTo(2.5, 12)
    })

    it('rejects bad input with messages naming the problem', () => {
      const est = factory(7)
      const bad = x.map((r) => r.slice())
      bad[3][1] = Infinity
      expect(() => est.fit(bad, y)).toThrow(ValidationError)
      expect(() => est.fit(bad, y)).toThrow('x[3][1] is Infinity')
      bad[3][1] = NaN
      if (options.acceptsNaN) expect(est.fit(bad, y)).toBe(est)
      else expect(() => est.fit(bad, y)).toThrow('x[3][1] is NaN')
      const ragged = x.map((r) => r.slice())
      ragged[5].pop()
      expect(() => est.fit(ragged, y)).toThrow(/x\[5\] has 3 values, expected 4/)
      expect(() => est.fit([], [])).toThrow(/empty/)
      expect(() => est.fit(x, y.slice(1))).toThrow(/y has 119 values but x has 120 rows/)
      const yBad = y.slice()
      yBad[4] = NaN
      expect(() => est.fit(x, yBad)).toThrow('y[4] is NaN')
      expect(() => est.fit(x, y.map((v, i) => (i === 2 ? 'a' : v)) as unknown as number[])).toThrow(/y\[2\] is not a number/)
      est.fit(x, y)
      expect(() => est.predict([[1, 2, 3]])).toThrow(/3 features, but the model was fitted with 4/)
      if (options.acceptsNaN) expect(Number.isFinite(est.predictOne([1, 2, NaN, 4]))).toBe(true)
      else expect(() => est.predictOne([1, 2, NaN, 4])).toThrow('row[2] is NaN')
      expect(() => est.predictOne([1, 2, Infinity, 4])).toThrow('row[2] is Infinity')
      expect(est.predict([])).toEqual(new Float64Array(0))
    })
  })
}
