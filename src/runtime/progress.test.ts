import { describe, expect, it } from 'vitest'
import { createProgress } from './progress.js'

/** A pipe, not a terminal, that keeps what is written. */
const pipe = () => {
  const lines: string[] = []
  return { lines, stream: { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream }
}

describe('progress on a pipe', () => {
  it('writes a line per quarter reached once the job has run a second, nothing for a job done sooner', () => {
    let t = 0
    const long = pipe()
    const p = createProgress('insert x', 100, long.stream, 1000, () => t)
    p.update(30) // 0.0 s: quiet
    t = 1500
    p.update(55)
    p.update(60) // the same quarter: no new line
    p.update(100, 'done')
    p.stop('inserted 100 rows')
    expect(long.lines).toEqual(['insert x: 50% (55/100)\n', 'insert x: 100% (100/100) done\n', 'inserted 100 rows\n'])

    const short = pipe()
    const q = createProgress('insert y', 1, short.stream, 1000, () => 0)
    q.update(1)
    q.stop()
    expect(short.lines).toEqual([])
  })
})
