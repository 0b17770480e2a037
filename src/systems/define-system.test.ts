import { describe, expect, it } from 'vitest'
import { ValidationError } from '../db/index.js'
import { KNeighborsClassifier } from '../ml/index.js'
import { defineSystem, systemSetIssues, RESERVED_SYSTEM_NAMES } from './define-system.js'
import { iris, titanic } from './index.js'
import type { SystemDescription } from './system.js'

const valid: SystemDescription = {
  name: 'points',
  title: 'Points',
  description: 'Which side of a line a point lies on',
  source: { file: 'points.csv', url: 'https://example.org/points.csv', requiredColumns: ['x', 'y', 'side'] },
  featureGroup: {
    name: 'points',
    version: 1,
    description: 'points',
    primaryKey: ['id'],
    eventTime: 'ts',
    schema: [
      { name: 'id', type: 'int' },
      { name: 'ts', type: 'timestamp' },
      { name: 'x', type: 'float' },
      { name: 'colour', type: 'int' },
      { name: 'side', type: 'string' },
    ],
    expectations: [{ column: 'side', allowed: ['left', 'right'], strict: true }],
  },
  clean: () => [],
  label: {
    column: 'side',
    classes: [
      { value: 'left', name: 'Left', color: '#000' },
      { value: 'right', name: 'Right', color: '#fff' },
    ],
  },
  fields: [
    { kind: 'number', name: 'x', label: 'x', min: 0, max: 1, step: 0.1, default: 0.5 },
    { kind: 'choice', name: 'colour', label: 'Colour', choices: [{ value: 'red', code: 0, label: 'Red' }, { value: 'blue', code: 1, label: 'Blue' }], default: 'red' },
  ],
  training: { testSize: 0.2, seed: 1 },
  model: { name: 'points_model', description: 'knn', create: () => new KNeighborsClassifier() },
  daily: { synthetic: { jitter: 0.1 } },
  schedules: { daily: '0 6 * * *', batchInference: '15 6 * * *' },
}

/** The issues defineSystem reports for `valid` changed by `change`. */
function issuesOf(change: (d: any) => void): { column?: string; reason: string }[] {
  const d = structuredClone({ ...valid, clean: undefined, model: { ...valid.model, create: undefined } }) as any
  d.clean = valid.clean
  d.model.create = valid.model.create
  change(d)
  try {
    defineSystem(d)
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError)
    return (e as ValidationError).issues.map((i) => ({ column: i.column, reason: i.reason }))
  }
  return []
}

describe('defineSystem', () => {
  it('accepts a valid description and the shipped systems', () => {
    expect(issuesOf(() => {})).toEqual([])
    expect(defineSystem({ ...iris }).name).toBe('iris')
    expect(defineSystem({ ...titanic }).name).toBe('titanic')
  })

  it('refuses a key a system description does not have (a misspelt optional key was ignored)', () => {
    expect(issuesOf((d) => ((d.timeseries = {}), (d.bogusKey = 1)))).toEqual([
      { column: 'timeseries', reason: expect.stringMatching(/^unknown key: a system description has name, title, .*timeSeries$/) },
      { column: 'bogusKey', reason: expect.stringMatching(/^unknown key/) },
    ])
  })

  it('refuses a name that is not an identifier or is a route of the web app', () => {
    expect(issuesOf((d) => (d.name = 'Wine Cellar'))).toEqual([{ column: 'name', reason: expect.stringMatching(/lowercase letters/) }])
    expect(RESERVED_SYSTEM_NAMES).toEqual(expect.arrayContaining(['api', 'models', 'feature-groups', 'runs', 'health', 'docs']))
    for (const name of ['api', 'models', 'runs', 'health', 'docs']) expect(issuesOf((d) => (d.name = name))).toEqual([{ column: 'name', reason: expect.stringMatching(/route/) }])
  })

  it('refuses a feature group named like one of its own tables', () => {
    expect(issuesOf((d) => (d.featureGroup.name = 'points_predictions'))).toEqual([{ column: 'featureGroup.name', reason: expect.stringMatching(/own tables/) }])
  })

  it('requires every model input to have a field and every field to be a model input', () => {
    expect(issuesOf((d) => d.fields.pop())).toEqual([{ column: 'fields', reason: 'model input "colour" has no field description' }])
    expect(issuesOf((d) => (d.fields[0].name = 'side'))).toEqual([
      { column: 'fields[0].name', reason: '"side" is not a model input (inputs: x, colour)' },
      { column: 'fields', reason: 'model input "x" has no field description' },
    ])
    expect(issuesOf((d) => d.fields.reverse())).toEqual([{ column: 'fields', reason: "must follow the schema's column order: x, colour" }])
  })

  it('requires label classes to match the values the label expectation allows', () => {
    expect(issuesOf((d) => (d.label.classes[1].value = 'up'))).toEqual([
      { column: 'label.classes[1].value', reason: expect.stringMatching(/"up" is not allowed by the expectation on "side"/) },
      { column: 'label.classes', reason: 'allowed value "right" of "side" has no class' },
    ])
    expect(issuesOf((d) => (d.label.classes[1].value = 1))).toContainEqual({ column: 'label.classes[1].value', reason: '1 must be text: column "side" is a string' })
    expect(issuesOf((d) => (d.label.column = 'colour_name'))).toContainEqual({ column: 'label.column', reason: '"colour_name" is not a column of the schema' })
  })

  it('requires the primary key and event time to be columns of the schema', () => {
    expect(issuesOf((d) => (d.featureGroup.primaryKey = ['key']))).toContainEqual({ column: 'featureGroup.primaryKey[0]', reason: '"key" is not a column of the schema' })
    expect(issuesOf((d) => (d.featureGroup.schema[1].type = 'int'))).toEqual([{ column: 'featureGroup.eventTime', reason: 'column "ts" must have type timestamp, not int' }])
  })

  it('refuses a schema column of an unknown type or with a bad name when defined, not when a pipeline first runs', () => {
    expect(issuesOf((d) => ((d.featureGroup.schema[2] as { type: string }).type = 'integer'))).toEqual([
      { column: 'featureGroup.schema[2].type', reason: 'column "x" has type "integer": a column type is one of int, float, string, bool, timestamp' },
    ])
    expect(issuesOf((d) => ((d.featureGroup.schema[3] as { nullable?: unknown }).nullable = 'yes'))).toEqual([{ column: 'featureGroup.schema[3].nullable', reason: 'must be true or false' }])
    expect(issuesOf((d) => (d.featureGroup.schema[0] = null as never))).toContainEqual({ column: 'featureGroup.schema[0]', reason: 'must be a column { name, type }' })
  })

  it('makes the model once: a create that throws (a misspelt import) or returns no estimator is one issue', () => {
    const Missing = undefined as unknown as new () => object
    expect(issuesOf((d) => (d.model = { ...d.model, create: () => new Missing() }))).toEqual([{ column: 'model.create', reason: expect.stringMatching(/^threw TypeError: .*is not a constructor$/) }])
    expect(issuesOf((d) => (d.model = { ...d.model, create: () => ({}) }))).toEqual([{ column: 'model.create', reason: 'must return an estimator (an object with fit), got an object without fit' }])
    expect(issuesOf((d) => (d.model = { ...d.model, create: () => undefined }))).toEqual([{ column: 'model.create', reason: 'must return an estimator (an object with fit), got undefined' }])
  })

  it('refuses numbers written as text, quoting them', () => {
    expect(issuesOf((d) => ((d as { training: unknown }).training = { testSize: '0.2', seed: '42' }))).toEqual([
      { column: 'training.testSize', reason: 'must be a number between 0 and 1 (exclusive), got "0.2"' },
      { column: 'training.seed', reason: 'must be an integer, got "42"' },
    ])
    const field = (d: { fields: unknown[] }) => d.fields[0] as Record<string, unknown>
    expect(issuesOf((d) => Object.assign(field(d), { min: '4' }))).toEqual([{ column: 'fields[0]', reason: expect.stringMatching(/^min "4" and max [\d.]+ must be numbers with min ≤ max$/) }])
    expect(issuesOf((d) => Object.assign(field(d), { default: '5', step: '0.1' }))).toEqual([
      { column: 'fields[0].default', reason: expect.stringMatching(/^"5" is not a number in /) },
      { column: 'fields[0].step', reason: 'must be a positive number, got "0.1"' },
    ])
  })

  it('lists every problem in one error naming the system', () => {
    const d = { ...valid, name: 'api', schedules: { daily: 'daily', batchInference: '15 6 * * *' }, training: { testSize: 2, seed: 1 } }
    expect(() => defineSystem(d)).toThrow(
      'invalid system "api": name: "api" is a route of the web app (reserved: api, models, feature-groups, runs, pipelines, health, docs, openapi, openapi.json, static, assets, admin, login, logout, site, favicon.ico); training.testSize: must be a number between 0 and 1 (exclusive), got 2; schedules.daily: "daily" is not a cron expression',
    )
  })

  it('refuses a schedule croner cannot read, naming the key and croner’s reason', () => {
    expect(issuesOf((d) => (d.schedules = { daily: '61 6 * * *', batchInference: { cron: '15 6 32 * *', timezone: 'UTC' } }))).toEqual([
      { column: 'schedules.daily', reason: '"61 6 * * *": CronPattern: Invalid value for minute: 61' },
      { column: 'schedules.batchInference.cron', reason: expect.stringMatching(/^"15 6 32 \* \*": CronPattern: Invalid value for day/) },
    ])
  })

  it('finds clashes between systems served together', () => {
    const other = { ...valid, name: 'other', featureGroup: { ...valid.featureGroup, name: 'points_requests' }, model: { ...valid.model, name: 'other_model' } }
    expect(systemSetIssues([valid, other])).toEqual([{ column: 'systems[1]', reason: 'table "points_requests" is also a table of systems[0] (points)' }])
    expect(systemSetIssues([iris, { ...iris }]).map((i) => i.column)).toEqual(['systems[1].name', 'systems[1].model.name', 'systems[1]', 'systems[1]', 'systems[1]'])
    expect(systemSetIssues([iris, titanic])).toEqual([])
  })
})
