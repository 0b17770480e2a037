import { createRequire } from 'node:module'

export interface Progress {
  update(done: number, phase?: string): void
  stop(summary?: string): void
}

// cli-progress is loaded only when a bar is drawn, so `sml run` on a pipe or in CI never pays for it.
const require = createRequire(import.meta.url)

/**
 * A bar on a terminal; on a pipe or in CI, a plain line per quarter so logs stay readable — for jobs of at least
 * `quietBelow` items (default 1,000): a smaller one, like the one-row inserts of a daily run, is done at once and
 * its lines would only be noise. (By count, not by elapsed time, so what a log shows does not depend on load.)
 */
export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr, quietBelow = 1000): Progress {
  if (stream.isTTY) {
    const cliProgress = require('cli-progress') as typeof import('cli-progress')
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% {value}/{total} {phase}`, stream, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    )
    bar.start(total, 0, { phase: '' })
    return {
      update: (done, phase = '') => bar.update(done, { phase }),
      stop: (summary) => {
        bar.stop()
        if (summary) stream.write(`${summary}\n`)
      },
    }
  }
  let nextQuarter = 1
  return {
    update(done, phase = '') {
      if (total < quietBelow || done < (nextQuarter * total) / 4) return
      const quarter = Math.min(4, Math.floor((done * 4) / total))
      stream.write(`${label}: ${quarter * 25}% (${done}/${total})${phase ? ` ${phase}` : ''}\n`)
      nextQuarter = quarter + 1
    },
    stop(summary) {
      if (summary) stream.write(`${summary}\n`)
    },
  }
}
