import { describe, expect, it } from 'vitest'
import { ValidationError } from '../errors/index.js'
import { bytesForStdout } from './output.js'

describe('bytesForStdout', () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])
  const text = new TextEncoder().encode('{"accuracy": 0.97, "note": "é"}\n')

  it('refuses binary bytes to a terminal, naming the file and the redirect', () => {
    expect(() => bytesForStdout(png, 'confusion_matrix.png', true, 'sml models artifact m confusion_matrix.png > confusion_matrix.png')).toThrow(ValidationError)
    expect(() => bytesForStdout(png, 'confusion_matrix.png', true, 'x > y')).toThrow('confusion_matrix.png is binary (12 bytes), not written to the terminal: redirect it to a file, e.g. x > y')
    // invalid UTF-8 without a NUL is binary too
    expect(() => bytesForStdout(Uint8Array.from([0xff, 0xfe, 0x41]), 'f', true, 'r')).toThrow(/binary/)
  })

  it('passes text to a terminal, and anything to a pipe or file', () => {
    expect(bytesForStdout(text, 'metrics.json', true, 'r')).toBe(text)
    expect(bytesForStdout(png, 'confusion_matrix.png', false, 'r')).toBe(png)
  })
})
