import { describe, expect, it } from 'vitest'
import { corsOriginsSetting, DEFAULT_PORT, portSetting } from './options.js'

describe('portSetting', () => {
  it('takes --port first, then PORT, then 3000', () => {
    expect(portSetting(8080, { PORT: '9000' })).toBe(8080)
    expect(portSetting(undefined, { PORT: '9000' })).toBe(9000)
    expect(portSetting(undefined, { PORT: '0' })).toBe(0)
    expect(portSetting(undefined, {})).toBe(DEFAULT_PORT)
    expect(portSetting(undefined, { PORT: '' })).toBe(DEFAULT_PORT)
  })

  it.each(['abc', '-1', '70000', '1.5', ' '])('refuses PORT=%j naming PORT and the value', (v) => {
    expect(() => portSetting(undefined, { PORT: v })).toThrow(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(v)}`)
  })
})

describe('corsOriginsSetting', () => {
  it('reads SML_CORS_ORIGINS as origins (or *), and refuses what is not one, naming it', () => {
    expect(corsOriginsSetting({})).toBeUndefined()
    expect(corsOriginsSetting({ SML_CORS_ORIGINS: ' ' })).toBeUndefined()
    expect(corsOriginsSetting({ SML_CORS_ORIGINS: 'https://app.example.org, http://localhost:5173/' })).toEqual(['https://app.example.org', 'http://localhost:5173'])
    expect(corsOriginsSetting({ SML_CORS_ORIGINS: '*' })).toEqual(['*'])
    for (const bad of ['app.example.org', 'https://app.example.org/path', 'ftp://x.org'])
      expect(() => corsOriginsSetting({ SML_CORS_ORIGINS: bad })).toThrow(`SML_CORS_ORIGINS must list origins like https://app.example.org (scheme, host and port only) or *, got ${JSON.stringify(bad)}`)
  })
})
