import { describe, expect, it } from 'vitest'
import { ValidationError as DbValidationError } from '../db/errors.js'
import { NotFittedError, ValidationError as MlValidationError } from '../ml/errors.js'
import { accuracyScore } from '../ml/index.js'
import { ChecksumError } from '../registry/errors.js'
import { PipelineFailedError, runDemo } from '../systems/bootstrap.js'
import { classify, ConflictError, CorruptError, ERROR_KINDS, formatIssue, NotFoundError, SmlError, validationError, ValidationError, type ErrorKind } from './index.js'

describe('one hierarchy', () => {
  it('has one ValidationError, the same class in db/ and ml/', () => {
    expect(DbValidationError).toBe(ValidationError)
    expect(MlValidationError).toBe(ValidationError)
    let thrown: unknown
    try {
      accuracyScore([1, 2], [1])
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(ValidationError)
    expect(thrown).toBeInstanceOf(SmlError)
    expect((thrown as ValidationError).kind).toBe('invalid')
    expect((thrown as ValidationError).issues).toEqual([{ path: 'yPred', reason: 'yTrue has 2 labels but yPred has 1' }])
  })

  it("gives each layer's named errors their kind and keeps their names", () => {
    const cases: [SmlError, string, ErrorKind][] = [
      [new ValidationError('bad'), 'ValidationError', 'invalid'],
      [new NotFoundError('no model m'), 'NotFoundError', 'not-found'],
      [new ConflictError('store not empty'), 'ConflictError', 'conflict'],
      [new CorruptError('bytes differ'), 'CorruptError', 'corrupt'],
      [new ChecksumError('model.json differs', 'aa', 'bb'), 'ChecksumError', 'corrupt'],
      [new NotFittedError('KNeighborsClassifier'), 'NotFittedError', 'invalid'],
      [new PipelineFailedError('iris-training failed'), 'PipelineFailedError', 'failed'],
    ]
    for (const [e, name, kind] of cases) {
      expect(e).toBeInstanceOf(SmlError)
      expect(e).toBeInstanceOf(Error)
      expect([e.name, e.kind]).toEqual([name, kind])
    }
    expect(new ChecksumError('x', 'aa', 'bb')).toBeInstanceOf(CorruptError)
    expect(String(new NotFoundError('no model m'))).toBe('NotFoundError: no model m')
  })

  it('refuses a bad option of a layer as a ValidationError naming it, not a RangeError', async () => {
    const e = await runDemo(null as never, [], { days: 4000 }).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(ValidationError)
    expect((e as ValidationError).issues).toEqual([{ path: 'days', reason: 'days must be an integer from 1 to 3650, got 4000' }])
    const future = new Date(Date.now() + 2 * 86_400_000)
    const later = await runDemo(null as never, [], { days: 1, until: future }).catch((err: unknown) => err)
    expect(later).toBeInstanceOf(ValidationError)
    expect((later as ValidationError).issues).toEqual([{ path: 'until', reason: `until ${future.toISOString().slice(0, 10)} is after today (UTC): a demo simulates days that have passed` }])
  })

  it('states every issue as { path, reason }, building the path of tabular issues from row and column', () => {
    const e = new ValidationError('bad', [{ row: 3, column: 'sepal_length', reason: 'is NaN' }, { row: 4, reason: 'empty row' }, { column: 'ts', reason: 'missing' }, { reason: 'no rows' }, { path: 'schedule.cron', reason: 'not cron' }])
    expect(e.issues.map((i) => [i.path, i.reason])).toEqual([
      ['row 3.sepal_length', 'is NaN'],
      ['row 4', 'empty row'],
      ['ts', 'missing'],
      ['', 'no rows'],
      ['schedule.cron', 'not cron'],
    ])
    expect(e.issues[0]).toEqual({ path: 'row 3.sepal_length', row: 3, column: 'sepal_length', reason: 'is NaN' })
    expect(new ValidationError('x[0][1] is NaN', 'x').issues).toEqual([{ path: 'x', reason: 'x[0][1] is NaN' }])
  })

  it('keeps the message texts of tabular issues', () => {
    expect(formatIssue({ row: 2, column: 'age', reason: '"old" is not a valid float' })).toBe('row 2, column "age": "old" is not a valid float')
    expect(formatIssue({ column: 'version', reason: 'must be a positive integer' })).toBe('column "version": must be a positive integer')
    expect(formatIssue({ path: 'schedule.cron', reason: 'not cron' })).toBe('schedule.cron: not cron')
    expect(formatIssue({ reason: 'no rows' })).toBe('no rows')
    const issues = Array.from({ length: 7 }, (_, i) => ({ row: i + 1, column: 'a', reason: 'bad' }))
    const e = validationError(issues, 'iris.csv')
    expect(e.message).toBe('invalid iris.csv: row 1, column "a": bad; row 2, column "a": bad; row 3, column "a": bad; row 4, column "a": bad; row 5, column "a": bad (and 2 more)')
    expect(e.issues).toHaveLength(7)
  })
})

describe('classify', () => {
  it('maps every kind to one HTTP status, exit code and run status, without a stack', () => {
    const expected: Record<ErrorKind, number> = { invalid: 400, 'not-found': 404, conflict: 409, corrupt: 500, failed: 500 }
    for (const kind of ERROR_KINDS) {
      const c = classify(new SmlError(kind, `a ${kind} error`, [{ path: 'p', reason: 'r' }]))
      expect(c).toEqual({ kind, httpStatus: expected[kind], exitCode: 1, runStatus: 'failed', message: `a ${kind} error`, issues: [{ path: 'p', reason: 'r' }], expected: true, stack: null })
    }
  })

  it("never answers a client's mistake with a 500", () => {
    for (const e of [new ValidationError('bad'), new NotFittedError('Ridge'), new NotFoundError('gone'), new ConflictError('taken')]) expect(classify(e).httpStatus).toBeLessThan(500)
  })

  it('treats anything else as a bug: 500, exit 1, failed run, with its stack', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')")
    const c = classify(bug)
    expect(c).toMatchObject({ kind: null, httpStatus: 500, exitCode: 1, runStatus: 'failed', message: bug.message, issues: [], expected: false })
    expect(c.stack).toBe(bug.stack)
    expect(c.stack).toMatch(/\n\s+at /)
    expect(classify('thrown text')).toMatchObject({ kind: null, httpStatus: 500, message: 'thrown text', stack: 'thrown text', expected: false })
  })

  it("takes a foreign error named like ours for a bug: instanceof decides, not the name", () => {
    const foreign = Object.assign(new Error('from a library'), { name: 'ValidationError' })
    expect(classify(foreign)).toMatchObject({ kind: null, httpStatus: 500, expected: false })
  })
})
