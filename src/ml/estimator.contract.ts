import { describe, expect, it } from 'vitest'
import { NotFittedError, ValidationError } from './errors.js'
import { argmax, type Classifier } from './estimator.js'
import type { Label } from './labels.js'
import { loadModel } from './load-model.js'
import { Random } from './random.js'

/** Three noisy blobs in 4 features with string labels, deterministic. */
export function blobs(n = 90, seed = 1): { x: number[][]; y: string[] } {
  const r = new Random(seed)
  const names = ['gamma', 'alpha', 'beta']
  const x: number[][] = []
  const y: string[] = []
  for (let i = 0; i < n; i++) {
    const c = i % 3
    x.push([c + r.uniform(-0.9, 0.9), 2 * c + r.uniform(-1.5, 1.5), r.uniform(0, 1), Math.round(r.uniform(0, 3))])
    y.push(names[c])
  }
  return { x, y }
}

/**
 * The options check every estimator makes (estimatorParams): its own params are accepted back as
 * options, an option it does not have is refused naming it, and options must be an object. Shared by
 * the classifier and regressor contracts.
 */
export function expectOptionsChecked(est: { readonly params: object }): void {
  const Estimator = est.constructor as new (options: unknown) => { readonly params: object }
  expect(JSON.stringify(new Estimator({ ...est.params }).params)).toBe(JSON.stringify(est.params))
  expect(() => new Estimator({ ...est.params, maxIters: 5 })).toThrow(ValidationError)
  expect(() => new Estimator({ maxIters: 5 })).toThrow(/has no option "maxIters" \(its options: /)
  expect(() => new Estimator(5)).toThrow(/options must be an object, got number/)
}

export interface EstimatorContractOptions {
  /** The estimator routes NaN features itself (gradient boosting), so NaN in x is not an error. */
  readonly acceptsNaN?: boolean
  /** Whether a y with one class fits (default) or is refused. */
  readonly singleClass?: 'fit' | 'refuse'
}

/**
 * The estimator contract (sklearn's estimator_checks, trimmed): every classifier's test calls this.
 * `factory(seed)` returns a fresh, unfitted estimator with fixed hyperparameters. `singleClass`:
 * whether a y with one class fits (trees, KNN: every prediction is that class) or is refused (models
 * that need two classes, like sklearn's LogisticRegression).
 */
export function runEstimatorContract(name: string, factory: (seed: number) => Classifier, options: EstimatorContractOptions = {}): void {
  describe(`${name} estimator contract`, () => {
    const { x, y } = blobs()

    it('refuses an option it does not have, naming it, and takes its own params back (as scikit-learn)', () => expectOptionsChecked(factory(7)))

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
      expect(() => est.predictProba(x)).toThrow(NotFittedError)
      expect(() => est.predictOne(x[0])).toThrow(NotFittedError)
      expect(() => est.classes_).toThrow(NotFittedError)
      expect(est.toJSON().learned).toBeNull()
    })

    it('predict is pure: inputs unchanged, same answer twice', () => {
      const est = factory(7).fit(x, y)
      const xCopy = JSON.stringify(x)
      const a = est.predict(x)
      const b = est.predict(x)
      expect(JSON.stringify(x)).toBe(xCopy)
      expect(a).toEqual(b)
    })

    it('fit does not mutate x or y', () => {
      const xs = x.map((r) => r.slice())
      const ys = y.slice()
      factory(7).fit(xs, ys)
      expect(xs).toEqual(x)
      expect(ys).toEqual(y)
    })

    it('predictProba rows sum to 1 in classes_ order and predict is their argmax', () => {
      const est = factory(7).fit(x, y)
      expect(est.classes_).toEqual(['alpha', 'beta', 'gamma'])
      const k = est.classes_.length
      const proba = est.predictProba(x)
      expect(proba).toBeInstanceOf(Float64Array)
      expect(proba.length).toBe(x.length * k)
      const pred = est.predict(x)
      for (let i = 0; i < x.length; i++) {
        let s = 0
        for (let c = 0; c < k; c++) {
          expect(proba[i * k + c]).toBeGreaterThanOrEqual(0)
          s += proba[i * k + c]
        }
        expect(s).toBeCloseTo(1, 12)
        expect(pred[i]).toBe(est.classes_[argmax(proba, i * k, k)])
      }
      // the model learned something: training accuracy well above chance
      expect(pred.filter((p, i) => p === y[i]).length / y.length).toBeGreaterThan(0.7)
    })

    it('predictOne / predictProbaOne agree with the batch methods', () => {
      const est = factory(7).fit(x, y)
      const k = est.classes_.length
      const proba = est.predictProba(x)
      const pred = est.predict(x)
      const out = new Float64Array(k)
      for (let i = 0; i < x.length; i++) {
        expect(est.predictOne(x[i])).toBe(pred[i])
        expect(est.predictProbaOne(x[i], out)).toBe(out)
        expect(Array.from(out)).toEqual(Array.from(proba.subarray(i * k, i * k + k)))
      }
    })

    it('same seed gives the same JSON', () => {
      const a = JSON.stringify(factory(3).fit(x, y))
      const b = JSON.stringify(factory(3).fit(x, y))
      expect(a).toBe(b)
    })

    it('round-trips through JSON to identical predictions', () => {
      const est = factory(7).fit(x, y)
      const json = JSON.stringify(est)
      const back = loadModel(JSON.parse(json)) as Classifier
      expect(back.constructor).toBe(est.constructor)
      expect(back.params).toEqual(est.params)
      expect(back.classes_).toEqual(est.classes_)
      expect(Array.from(back.predictProba(x))).toEqual(Array.from(est.predictProba(x)))
      expect(JSON.stringify(back)).toBe(json)
    })

    it('numeric labels are sorted numerically and returned as numbers', () => {
      const yn = y.map((l) => ({ alpha: 10, beta: 2, gamma: 1 })[l] as number)
      const est = factory(7).fit(x, yn)
      expect(est.classes_).toEqual([1, 2, 10])
      for (const p of est.predict(x)) expect(typeof p).toBe('number')
    })

    it('refitting replaces what was learned', () => {
      const est = factory(7).fit(x, y)
      est.fit(x.map((r) => [r[0], r[1]]), y.map((l) => (l === 'alpha' ? 'a' : 'b')))
      expect(est.classes_).toEqual(['a', 'b'])
      expect(est.nFeaturesIn_).toBe(2)
    })

    it.runIf(options.singleClass === 'refuse')('a single class is refused with a clear error', () => {
      expect(() => factory(7).fit(x.slice(0, 10), new Array<Label>(10).fill('only'))).toThrow(/single class \("only"\)/)
    })

    it.runIf(options.singleClass !== 'refuse')('a single class is fine', () => {
      const est = factory(7).fit(x.slice(0, 10), new Array<Label>(10).fill('only'))
      expect(est.classes_).toEqual(['only'])
      expect(Array.from(est.predictProba([x[0]]))).toEqual([1])
      expect(est.predictOne(x[50])).toBe('only')
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
      bad[3][1] = Infinity
      expect(() => est.fit(bad, y)).toThrow(ValidationError)
      expect(() => est.fit(bad, y)).toThrow('x[3][1] is Infinity')
      const ragged = x.map((r) => r.slice())
      ragged[5].pop()
      expect(() => est.fit(ragged, y)).toThrow(/x\[5\] has 3 values, expected 4/)
      expect(() => est.fit([], [])).toThrow(/empty/)
      expect(() => est.fit(x, y.slice(1))).toThrow(/y has 89 labels but x has 90 rows/)
      expect(() => est.fit(x, y.map((l, i) => (i === 4 ? 1 : l)) as Label[])).toThrow(/mixes string and number/)
      est.fit(x, y)
      expect(() => est.predict([[1, 2, 3]])).toThrow(/3 features, but the model was fitted with 4/)
      if (options.acceptsNaN) expect(y).toContain(est.predictOne([1, 2, NaN, 4]))
      else {
        expect(() => est.predictOne([1, 2, NaN, 4])).toThrow('row[2] is NaN: feature column 2 has a missing value')
        expect(() => est.predict([[1, 2, 3, NaN]])).toThrow('x[0][3] is NaN: feature column 3')
      }
      expect(() => est.predictOne([1, 2, Infinity, 4])).toThrow('row[2] is Infinity')
      expect(est.predict([])).toEqual([])
    })
  })
}
