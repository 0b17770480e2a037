import { describe, expect, it } from 'vitest'
import type { FittedTransformation } from './types.js'
import { applyTransformation, fitTransformation } from './transformations.js'

const apply = (t: FittedTransformation | undefined, values: (number | string | null)[]) =>
  values.map((v) => {
    const out = new Float64Array(t?.kind === 'one_hot_encoder' ? t.categories.length : 1)
    applyTransformation('x', t, v, out, 0)
    return Array.from(out)
  })

// Expected numbers from scikit-learn 1.2.1 (/usr/bin/python3, sklearn.preprocessing), kept as literals.
describe('transformations as scikit-learn', () => {
  it('MinMaxScaler and StandardScaler, constant training columns included', () => {
    const all = Float64Array.from([1, 3, 4])
    const idx = [0, 1, 2]
    // MinMaxScaler().fit([[1],[3],[4]]).transform([[2],[5]]) → [0.33333333, 1.33333333]
    expect(apply(fitTransformation('min_max_scaler', 'x', all, idx), [2, 5]).flat()).toEqual([expect.closeTo(1 / 3, 15), expect.closeTo(4 / 3, 15)])
    // StandardScaler().fit([[1],[3],[4]]).transform([[2],[5]]) → [-0.5345224838248487, 1.8708286933869709]
    expect(apply(fitTransformation('standard_scaler', 'x', all, idx), [2, 5]).flat()).toEqual([expect.closeTo(-0.5345224838248487, 15), expect.closeTo(1.8708286933869709, 15)])
    // A constant column scales by 1: MinMaxScaler().fit([[2],[2]]).transform([[5],[2],[1]]) → [3, 0, -1]; StandardScaler → [3, 0].
    const flat = Float64Array.from([2, 2])
    expect(apply(fitTransformation('min_max_scaler', 'x', flat, [0, 1]), [5, 2, 1]).flat()).toEqual([3, 0, -1])
    expect(apply(fitTransformation('standard_scaler', 'x', flat, [0, 1]), [5, 2]).flat()).toEqual([3, 0])
  })

  it('encodes missing as missing: OrdinalEncoder gives NaN, one-hot all zeros, scalers NaN', () => {
    // OrdinalEncoder().fit([["b"],["a"],[nan]]).transform([["a"],[nan],["b"]]) → [0, nan, 1]
    const le = fitTransformation('label_encoder', 'x', ['b', 'a', null], [0, 1, 2])
    expect(le).toEqual({ kind: 'label_encoder', classes: ['a', 'b'] })
    expect(apply(le, ['a', null, 'b']).flat()).toEqual([0, NaN, 1])
    expect(apply(fitTransformation('label_encoder', 'x', Float64Array.from([1, NaN, 0]), [0, 1, 2]), [NaN, 1]).flat()).toEqual([NaN, 1])
    expect(apply({ kind: 'one_hot_encoder', categories: [0, 1] }, [NaN, 1, 7])).toEqual([[0, 0], [0, 1], [0, 0]])
    expect(apply({ kind: 'standard_scaler', mean: 1, std: 2 }, [NaN]).flat()).toEqual([NaN])
  })

  it('refuses what it cannot fit or take, naming the column', () => {
    expect(() => fitTransformation('standard_scaler', 'x', Float64Array.from([1e200, -1e200]), [0, 1])).toThrow(/column "x": cannot fit standard_scaler: the values are too large \(their variance overflows\)/)
    expect(() => fitTransformation('min_max_scaler', 'x', ['a'], [0])).toThrow(/column "x": min_max_scaler needs a numeric column/)
    expect(() => apply({ kind: 'label_encoder', classes: ['a'] }, ['b'])).toThrow(/column "x": value "b" was not seen in training \(known: a\)/)
    expect(() => apply(undefined, ['b'])).toThrow(/column "x": text value "b" needs a label_encoder or one_hot_encoder/)
  })
})
