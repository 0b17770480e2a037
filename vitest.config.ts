import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Database suites create their own temp files and PostgreSQL schemas, so files run in parallel safely.
    pool: 'forks',
    // At least two files at a time: most of the suite waits on child processes, PostgreSQL and chromium, and
    // vitest's default (cores − 1) ran one file at a time on the 2-core machines CI uses (990 s; two at a time,
    // 721 s, every test passing).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
})
