import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Database suites create their own temp files and PostgreSQL schemas, so files run in parallel safely.
    pool: 'forks',
  },
})
