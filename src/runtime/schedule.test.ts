import { describe, expect, it } from 'vitest'
import { ValidationError } from '../db/index.js'
import { definePipeline } from './pipeline.js'
import { canonicalTimeZone, formatSchedule } from './schedule.js'

describe('schedules in definePipeline', () => {
  it('reads a bare cron in UTC, never in the machine’s zone', () => {
    const p = definePipeline({ name: 'daily', schedule: ' 0 6 * * * ', run() {} })
    expect(p.schedule).toEqual({ cron: '0 6 * * *', timezone: 'UTC' })
    expect(formatSchedule(p.schedule!)).toBe('0 6 * * * UTC')
  })

  it('takes { cron, timezone } and names the zone canonically', () => {
    expect(definePipeline({ name: 'ny', schedule: { cron: '0 6 * * *', timezone: 'america/new_york' }, run() {} }).schedule).toEqual({ cron: '0 6 * * *', timezone: 'America/New_York' })
    expect(definePipeline({ name: 'utc', schedule: { cron: '0 6 * * *' }, run() {} }).schedule).toEqual({ cron: '0 6 * * *', timezone: 'UTC' })
    expect(definePipeline({ name: 'manual', run() {} }).schedule).toBeNull()
  })

  it('refuses an unknown time zone or a malformed schedule, naming the field', () => {
    const err = (schedule: unknown) => {
      try {
        definePipeline({ name: 'x', schedule: schedule as string, run() {} })
      } catch (e) {
        return e as ValidationError
      }
      throw new Error('accepted')
    }
    const zone = err({ cron: '0 6 * * *', timezone: 'Mars/Olympus' })
    expect(zone).toBeInstanceOf(ValidationError)
    expect(zone.issues).toEqual([{ path: 'schedule.timezone', column: 'schedule.timezone', reason: expect.stringMatching(/"Mars\/Olympus" is not an IANA time zone/) }])
    expect(err({ cron: '0 6 * * *', timezone: 5 }).issues[0].column).toBe('schedule.timezone')
    expect(err({ cron: 'daily', timezone: 'UTC' }).issues).toEqual([{ path: 'schedule.cron', column: 'schedule.cron', reason: '"daily" is not a cron expression' }])
    expect(err(42).message).toMatch(/column "schedule": 42 is neither a cron expression nor \{ cron, timezone \}/)
    expect(err(null).issues[0].column).toBe('schedule')
  })

  it('refuses a cron croner cannot read, with croner’s reason, in either form', () => {
    const issues = (schedule: unknown) => {
      try {
        definePipeline({ name: 'x', schedule: schedule as string, run() {} })
      } catch (e) {
        return (e as ValidationError).issues
      }
      throw new Error('accepted')
    }
    expect(issues('61 * * * *')).toEqual([{ path: 'schedule', column: 'schedule', reason: '"61 * * * *": CronPattern: Invalid value for minute: 61' }])
    expect(issues({ cron: '0 25 * * *', timezone: 'Europe/Stockholm' })).toEqual([{ path: 'schedule.cron', column: 'schedule.cron', reason: expect.stringMatching(/^"0 25 \* \* \*": CronPattern: .*hour.*25/) }])
    expect(issues('0 6 * * * * * *')[0].reason).toMatch(/^"0 6 \* \* \* \* \* \*": CronPattern: invalid configuration format/)
    // What croner reads is still accepted: seconds first, names, ranges.
    expect(definePipeline({ name: 'y', schedule: '30 0 6 * * MON-FRI', run() {} }).schedule?.cron).toBe('30 0 6 * * MON-FRI')
  })

  it('knows IANA zones through Intl', () => {
    expect(canonicalTimeZone('Europe/Stockholm')).toBe('Europe/Stockholm')
    expect(canonicalTimeZone('Etc/UTC')).toBe('UTC')
    expect(canonicalTimeZone('Nowhere/Special')).toBeNull()
  })
})
