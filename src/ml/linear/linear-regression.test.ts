import { describe, expect, it } from 'vitest'
import { runRegressorContract } from '../regressor.contract.js'
import { friedmanLike, loadDiabetes } from '../test-support/datasets.js'
import { LinearRegression, Ridge } from './linear-regression.js'

runRegressorContract('LinearRegression', () => new LinearRegression(), friedmanLike())
runRegressorContract('Ridge', () => new Ridge(), friedmanLike())
runRegressorContract('Ridge (alpha 0.1, no intercept)', () => new Ridge({ alpha: 0.1, fitIntercept: false }), friedmanLike())

// scikit-learn 1.2.1 (/usr/bin/python3) on the raw diabetes.csv (all 442 rows):
//   LinearRegression(), LinearRegression(fit_intercept=False), Ridge(), Ridge(alpha=10.0), Ridge(fit_intercept=False)
const SKLEARN: Record<string, { coef: number[]; intercept: number }> = {
  "ols": {
    "coef": [
      -0.03636122422362255,
      -22.859648090498364,
      5.602962091923711,
      1.116807993318186,
      -1.0899963340632204,
      0.7464504555142105,
      0.37200471508913646,
      6.533831935990337,
      68.48312496478826,
      0.28011698932149776
    ],
    "intercept": -334.5671385187875
  },
  "olsNoIntercept": {
    "coef": [
      0.022296429852863845,
      -26.07278858449584,
      5.3537259175668686,
      1.0177970496721362,
      1.263585906379277,
      -1.2849362113535077,
      -3.0682781661189344,
      -5.508041676893495,
      5.5033814628575275,
      0.1233851795651068
    ],
    "intercept": 0.0
  },
  "ridge": {
    "coef": [
      -0.03285239685543128,
      -22.607045432279946,
      5.640405234365652,
      1.1189975700485097,
      -0.914673484269887,
      0.5849098252881728,
      0.17788523837880965,
      6.250441778661596,
      63.179080873617295,
      0.28776690289978574
    ],
    "intercept": -316.07711860428867
  },
  "ridge10": {
    "coef": [
      -0.018830389044549416,
      -20.52921775635909,
      5.833733494532217,
      1.1235145909941417,
      -0.05053690274315613,
      -0.2086218219658253,
      -0.7751985454926791,
      4.68430028990742,
      37.25873173188646,
      0.32299468120514063
    ],
    "intercept": -226.2542352259634
  },
  "ridgeNoIntercept": {
    "coef": [
      0.02146006534436846,
      -25.77335985516499,
      5.361632305397407,
      1.0164972599550215,
      1.2708613229777759,
      -1.2931827696563145,
      -3.0674916795214378,
      -5.45031614106077,
      5.250924240446581,
      0.12325165667070319
    ],
    "intercept": 0.0
  }
}

function expectRel(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length)
  for (let j = 0; j < expected.length; j++) expect(Math.abs(actual[j] - expected[j])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[j])))
}

describe('linear regressors equal scikit-learn’s coefficients (1e-8, relative)', () => {
  const { x, y } = loadDiabetes()
  const cases = {
    ols: new LinearRegression(),
    olsNoIntercept: new LinearRegression({ fitIntercept: false }),
    ridge: new Ridge(),
    ridge10: new Ridge({ alpha: 10 }),
    ridgeNoIntercept: new Ridge({ fitIntercept: false }),
  }
  for (const [name, est] of Object.entries(cases)) {
    it(name, () => {
      est.fit(x, y)
      expectRel(est.coef_, SKLEARN[name].coef, 1e-8)
      expectRel([est.intercept_], [SKLEARN[name].intercept], 1e-8)
    })
  }

  it('Ridge with alpha 0 is ordinary least squares', () => {
    expectRel(new Ridge({ alpha: 0 }).fit(x, y).coef_, SKLEARN.ols.coef, 1e-8)
  })

  it('a duplicated column: least squares keeps one, predictions unchanged', () => {
    const xd = x.map((r) => [...r, r[2]])
    const m = new LinearRegression().fit(xd, y)
    const p = m.predict(x.map((r) => [...r, r[2]]))
    const ref = new LinearRegression().fit(x, y).predict(x)
    for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo(ref[i], 8)
    expect(m.coef_[2] === 0 || m.coef_[10] === 0).toBe(true)
  })

  it('more features than rows still fits (minimum-norm limit)', () => {
    const small = x.slice(0, 6)
    const m = new LinearRegression().fit(small, y.slice(0, 6))
    const p = m.predict(small)
    for (let i = 0; i < 6; i++) expect(p[i]).toBeCloseTo(y[i], 4)
  })

  it('rejects bad hyperparameters at fit', () => {
    expect(() => new Ridge({ alpha: -1 }).fit(x, y)).toThrow('alpha must be a finite number ≥ 0, got -1')
    expect(() => new LinearRegression({ fitIntercept: 'yes' as unknown as boolean }).fit(x, y)).toThrow(/fitIntercept must be true or false/)
  })
})

describe('offsets far larger than the spread, nearly collinear columns', () => {
  // Columns around 1e6 (and −3e5) varying by less than 10; x2 = x0 + 1e-4·c, so the centred,
  // column-scaled x has condition number 2.0e4 (numpy). Exact rationals: identical inputs on both
  // sides. The Gram matrix of the raw x would lose every digit of the spread; centring first keeps it.
  // scikit-learn 1.2.1: LinearRegression().fit(x, y), Ridge(alpha=1e-6).fit(x, y).
  const x: number[][] = []
  const y: number[] = []
  for (let i = 0; i < 300; i++) {
    const [a, b, c, d] = [((i * 37) % 101) / 101, ((i * 53) % 97) / 97, ((i * 19) % 89) / 89, ((i * 11) % 83) / 83]
    const x0 = 1e6 + a
    x.push([x0, -3e5 + 10 * b, x0 + 1e-4 * c, 1e6 + d])
    y.push(3 * a - 2 * b + 5 * c + 0.7 * d + (0.01 * ((i * 7) % 79)) / 79 + 42)
  }

  it('LinearRegression: scikit-learn’s coefficients to 1e-9 (relative)', () => {
    const m = new LinearRegression().fit(x, y)
    expectRel(m.coef_, [-49993.16312483678, -0.19993249398248736, 49996.162809189926, 0.7008300102756948], 1e-9)
    expect(Math.abs(m.intercept_ - -3760452.1070724963)).toBeLessThanOrEqual(1e-9 * 3760452.1070724963)
  })

  it('Ridge (alpha 1e-6): scikit-learn’s coefficients to 1e-6 (relative)', () => {
    const m = new Ridge({ alpha: 1e-6 }).fit(x, y)
    expectRel(m.coef_, [-5557.255093407949, -0.1885724641921693, 5560.341572506383, 0.6864833708508814], 1e-6)
    expect(Math.abs(m.intercept_ - -3829490.092931618)).toBeLessThanOrEqual(1e-6 * 3829490.092931618)
  })
})

describe('batch predict checks its outputs instead of scanning x first', () => {
  const { x, y } = loadDiabetes()
  const m = new LinearRegression().fit(x, y)
  const p = x[0].length
  const matrix = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), nRows: rows.length, nCols: p })

  it('names the first non-finite cell of a Matrix, as checkMatrix does', () => {
    const rows = x.slice(0, 9).map((r) => r.slice())
    rows[7][4] = Infinity
    rows[5][3] = NaN
    expect(() => m.predict(matrix(rows))).toThrow('x[5][3] is NaN: feature column 3 has a missing value')
    rows[5][3] = 1
    expect(() => m.predict(matrix(rows))).toThrow('x[7][4] is Infinity: feature column 4 must hold finite numbers')
  })

  it('a wrong width is reported before any value is read', () => {
    expect(() => m.predict([[...x[0], NaN]])).toThrow(`${p + 1} features, but the model was fitted with ${p}`)
  })

  it('finite x whose output overflows is returned, not refused', () => {
    // 68.5 · 1e307 (feature 8) overflows
    const out = m.predict([new Array<number>(p).fill(1e307)])
    expect(Number.isFinite(out[0])).toBe(false)
  })

  it('fit refuses a non-finite cell found through the column sums, with checkMatrix’s message', () => {
    const rows = x.map((r) => r.slice())
    rows[300][9] = -Infinity
    expect(() => new Ridge().fit(matrix(rows), y)).toThrow('x[300][9] is -Infinity: feature column 9 must hold finite numbers')
    rows[300][9] = 0
    expect(() => new LinearRegression().fit(matrix(rows), y.map((v, i) => (i === 17 ? NaN : v)))).toThrow('y[17] is NaN')
  })
})
