/**
 * Local time zones the time tests run under: UTC, one with daylight saving behind UTC, one a half
 * hour off the hour, and one whose daylight saving shifts by half an hour.
 */
export const TEST_TIME_ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'] as const

/**
 * Runs `fn` as if the machine were in `zone` (Node applies a change of `process.env.TZ` at once to
 * every local-time Date method), then restores the zone the process had.
 */
export async function withTimeZone<T>(zone: string, fn: () => T | Promise<T>): Promise<T> {
  const saved = process.env.TZ
  process.env.TZ = zone
  try {
    return await fn()
  } finally {
    if (saved === undefined) delete process.env.TZ
    else process.env.TZ = saved
  }
}
