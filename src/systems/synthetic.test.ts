import { beforeAll, describe, expect, it } from 'vitest'
import { ValidationError } from '../db/index.js'
import type { Row } from '../featurestore/index.js'
import { DATA_DIR } from '../featurestore/test-support/data.js'
import { Random } from '../ml/index.js'
import { iris } from './iris/index.js'
import { loadSource } from './source.js'
import { conditionalResampler, type ResampledSystem } from './synthetic.js'
import type { SyntheticSpec, SystemDescription } from './system.js'
import { titanic } from './titanic/index.js'

async function cleaned(system: SystemDescription): Promise<Row[]> {
  return system.clean((await loadSource(system, { dataDir: DATA_DIR })).table)
}

function draws(system: ResampledSystem, real: readonly Row[], n: number, seed: number): Row[] {
  const draw = conditionalResampler(system, real)
  const rng = new Random(seed)
  return Array.from({ length: n }, () => draw(rng))
}

const count = (rows: readonly Row[], column: string, value: unknown) => rows.filter((r) => r[column] === value).length

let irisRows: Row[]
let titanicRows: Row[]
beforeAll(async () => {
  irisRows = await cleaned(iris)
  titanicRows = await cleaned(titanic)
})

describe('conditionalResampler', () => {
  it('is deterministic given the seed, and a different seed draws different rows', () => {
    expect(draws(titanic, titanicRows, 50, 7)).toEqual(draws(titanic, titanicRows, 50, 7))
    expect(draws(titanic, titanicRows, 50, 8)).not.toEqual(draws(titanic, titanicRows, 50, 7))
    expect(draws(iris, irisRows, 50, 7)).toEqual(draws(iris, irisRows, 50, 7))
  })

  it('draws the label uniformly over the classes, whatever their share of the real rows', () => {
    // 549 died and 340 survived among real passengers; synthetic days are 50/50 (binomial sd ≈ 35 in 4,000).
    const t = draws(titanic, titanicRows, 4000, 1)
    expect(Math.abs(count(t, 'survived', 1) - 2000)).toBeLessThan(105)
    const i = draws(iris, irisRows, 3000, 1)
    for (const v of ['Setosa', 'Versicolor', 'Virginica']) expect(Math.abs(count(i, 'variety', v) - 1000)).toBeLessThan(80)
  })

  it('keeps every synthetic flower within its variety’s documented ranges, in tenths of a cm, with no key or time', () => {
    const bounds = (iris.daily as { synthetic: SyntheticSpec }).synthetic.bounds!
    for (const r of draws(iris, irisRows, 2000, 2)) {
      expect(Object.keys(r).sort()).toEqual(['petal_length', 'petal_width', 'sepal_length', 'sepal_width', 'variety'])
      for (const [m, [lo, hi]] of Object.entries(bounds[r.variety as string])) {
        const v = r[m] as number
        expect(v).toBeGreaterThanOrEqual(lo)
        expect(v).toBeLessThanOrEqual(hi)
        expect(v).toBe(Number(v.toFixed(1)))
      }
    }
  })

  it('keeps a real passenger’s class, sex, family and port, and an age such passengers have, in whole years', () => {
    const codes = ['pclass', 'sex', 'sibsp', 'parch', 'embarked']
    const stratum = (r: Row) => JSON.stringify(codes.map((c) => r[c]))
    const ages = new Map<string, number[]>()
    const labelled = new Set<string>()
    for (const r of titanicRows) {
      ages.set(stratum(r), [...(ages.get(stratum(r)) ?? []), r.age as number])
      labelled.add(JSON.stringify([r.survived, stratum(r)]))
    }
    const synthetic = draws(titanic, titanicRows, 2000, 3)
    for (const r of synthetic) {
      expect(Object.keys(r).sort()).toEqual(['age', 'embarked', 'parch', 'pclass', 'sex', 'sibsp', 'survived'])
      expect(labelled.has(JSON.stringify([r.survived, stratum(r)]))).toBe(true)
      const seen = ages.get(stratum(r))!
      const age = r.age as number
      expect(Number.isInteger(age)).toBe(true)
      // Rounding to whole years may step half a year past the real range (an infant of 0.42 becomes 0).
      expect(age).toBeGreaterThanOrEqual(Math.min(...seen) - 0.5)
      expect(age).toBeLessThanOrEqual(Math.max(...seen) + 0.5)
    }
    // The ages are spread, not copies of real ones: a mean age (29.699…) filled in for a missing one becomes whole years around it.
    expect(new Set(synthetic.map((r) => r.age)).size).toBeGreaterThan(40)
  })

  it('an integer field of many values (a measurement in whole units) does not stratify: continuous features are still jittered', () => {
    // a unique whole number per passenger: as a stratum it would make every stratum one row and every age a copy
    const withTicket = { ...titanic, fields: [...titanic.fields, { kind: 'number', name: 'ticket_no', label: 'Ticket', min: 0, max: 10_000, step: 1, default: 0, integer: true }] } as ResampledSystem
    const rows = titanicRows.map((r, i) => ({ ...r, ticket_no: i + 1 }))
    const byTicket = new Map(rows.map((r) => [r.ticket_no, r]))
    const synthetic = draws(withTicket, rows, 2000, 3)
    // the integer is kept with its real row; the age moves
    const moved = synthetic.filter((r) => r.age !== (byTicket.get(r.ticket_no as number) as Row).age).length
    expect(moved).toBeGreaterThan(1000)
    expect(new Set(synthetic.map((r) => r.age)).size).toBeGreaterThan(40)
  })

  it('with no jitter resamples real rows as they are (apart from rounding to the field step)', () => {
    const exact = { ...iris, daily: { synthetic: { jitter: 0 } } }
    const real = new Set(irisRows.map((r) => JSON.stringify([r.sepal_length, r.sepal_width, r.petal_length, r.petal_width, r.variety])))
    for (const r of draws(exact, irisRows, 300, 4)) expect(real.has(JSON.stringify([r.sepal_length, r.sepal_width, r.petal_length, r.petal_width, r.variety]))).toBe(true)
  })

  it('refuses a class with no real row, a negative jitter and bounds naming no class or field, naming each', () => {
    const noSurvivors = titanicRows.filter((r) => r.survived === 0)
    expect(() => conditionalResampler(titanic, noSurvivors)).toThrow(ValidationError)
    expect(() => conditionalResampler(titanic, noSurvivors)).toThrow(/column "survived": no real row of class 1 to resample: run the titanic feature pipeline first/)
    expect(() => conditionalResampler({ ...titanic, daily: { synthetic: { jitter: -1 } } }, titanicRows)).toThrow(/column "daily.synthetic.jitter": must be a finite number ≥ 0, got -1/)
    const bad = { ...iris, daily: { synthetic: { jitter: 0.1, bounds: { Rose: { sepal_length: [5, 6] as const }, Setosa: { stem: [1, 2] as const, petal_width: [3, 1] as const } } } } }
    let error: ValidationError | undefined
    try {
      conditionalResampler(bad, irisRows)
    } catch (e) {
      error = e as ValidationError
    }
    expect(error?.issues.map((i) => i.column)).toEqual(['daily.synthetic.bounds.Rose', 'daily.synthetic.bounds.Setosa.stem', 'daily.synthetic.bounds.Setosa.petal_width'])
    expect(error?.message).toMatch(/"Rose" is not a class of variety/)
  })
})
