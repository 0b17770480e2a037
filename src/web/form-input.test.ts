import { describe, expect, it } from 'vitest'
import { iris } from '../systems/index.js'
import { formToBody, parseDecimalText } from './form-input.js'

describe('parseDecimalText', () => {
  it.each([
    ['2.5', 2.5],
    ['2,5', 2.5],
    [' -0,25 ', -0.25],
    [',5', 0.5],
    ['3', 3],
    ['3.', 3],
    ['0,125', 0.125],
    ['1e3', 1000],
    ['12345', 12345],
  ])('reads %j as %d', (text, value) => expect(parseDecimalText(text)).toEqual({ ok: true, value }))

  it.each([
    ['1,2,3', /one decimal separator and no thousands separators/],
    ['1,234.5', /no thousands separators/],
    ['1.234,5', /no thousands separators/],
    ['1,234', /ambiguous.*write 1\.234 or 1234/],
    ['0x10', /must be a number, got "0x10"/],
    ['Infinity', /must be a number/],
    ['2 5', /must be a number/],
    ['abc', /must be a number, got "abc"/],
  ])('refuses %j', (text, reason) => {
    const r = parseDecimalText(text)
    expect(r.ok).toBe(false)
    expect((r as { reason: string }).reason).toMatch(reason)
  })
})

describe('formToBody', () => {
  it('turns form text into the JSON body and reports unreadable numbers by field, never as another number', () => {
    expect(formToBody(iris, { sepal_length: '5,1', sepal_width: '3.5', petal_length: '1,4', petal_width: '0,2', other: 'x' })).toEqual({
      body: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
      issues: {},
    })
    const r = formToBody(iris, { sepal_length: '1,2,3', sepal_width: '3.5', petal_length: '', petal_width: '0.2' })
    expect(r.body).toEqual({ sepal_width: 3.5, petal_width: 0.2 })
    expect(Object.keys(r.issues)).toEqual(['sepal_length'])
  })
})
