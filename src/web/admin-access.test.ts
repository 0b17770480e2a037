import { describe, expect, it } from 'vitest'
import { isLoopbackHost, sha256Hex, tokenMatches } from './admin-access.js'

describe('admin access', () => {
  it('knows loopback addresses from exposed ones', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(h), h).toBe(true)
    for (const h of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.org', '127.0.0.1.example.org']) expect(isLoopbackHost(h), h).toBe(false)
  })

  it('matches a token by its sha256 only', () => {
    const config = { adminTokenSha256: sha256Hex('s3cret'), loopback: false }
    expect(tokenMatches(config, 's3cret')).toBe(true)
    expect(tokenMatches(config, 's3cre')).toBe(false)
    expect(tokenMatches({ adminTokenSha256: null, loopback: true }, '')).toBe(false)
  })
})
