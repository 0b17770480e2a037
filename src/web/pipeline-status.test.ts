import { describe, expect, it } from 'vitest'
import { toSchedule } from '../runtime/index.js'
import { nextTick } from './pipeline-status.js'

describe('nextTick', () => {
  const daily = { name: 'iris-daily', schedule: toSchedule('0 6 * * *', []) }
  it('is the schedule’s next fire time (UTC) when no worker runs in this process: a web replica shows it too', async () => {
    expect((await nextTick({}, daily, new Date('2026-03-07T07:00:00Z')))?.toISOString()).toBe('2026-03-08T06:00:00.000Z')
  })
  it('is what the in-process worker plans when there is one', async () => {
    const planned = new Date('2026-03-07T09:00:00Z')
    expect(await nextTick({ nextRun: () => planned }, daily, new Date('2026-03-07T07:00:00Z'))).toBe(planned)
  })
  it('is null for a pipeline run on demand', async () => {
    expect(await nextTick({}, { name: 'x', schedule: null })).toBeNull()
  })
})
