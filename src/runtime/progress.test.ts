import { describe, expect, it } from 'vitest'
import { createProgress } from './progress.js'

/** A pipe, not a terminal, that keeps what is written. */
const pipe = () => {
  const lines: string[] = []
  return { lines, stream: { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream }
}

describe('progress on a pipe', () => {
  it('writes a line per quarter reached for a job of 1,000 items or more, nothing but the summary for a smaller one', () => {
    const long = pipe()
    const p = createProgress('insert x', 1000, long.stream)
    p.update(300)
    p.update(550)
    p.update(600) // the same quarter: no new line
    p.update(1000, 'done')
    p.stop('inserted 1000 rows')
    expect(long.lines).toEqual(['insert x: 25% (300/1000)\n', 'insert x: 50% (550/1000)\n', 'insert x: 100% (1000/1000) done\n', 'inserted 1000 rows\n'])

    const short = pipe()
    const q = createProgress('insert y', 999, short.stream)
    q.update(999)
    q.stop('inserted 999 rows')
    expect(short.lines).toEqual(['inserted 999 rows\n'])
  })
})
