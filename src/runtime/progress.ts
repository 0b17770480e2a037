import { createRequire } from 'node:module'

export interface Progress {
  update(done: number, phase?: string): void
  stop(summary?: string): void
}

// cli-progress is loaded only when a bar is drawn, so `sml run` on a pipe or in CI never pays for it.
const require = createRequire(import.meta.url)

/**
 * A bar on a terminal; on a pipe or in CI, a plain line per quarter so logs stay readable — once the job has run
 * `quietMs` (default 1 s): a job done sooner, like the one-row inserts of a daily run, would only add noise.
 */
export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr, quietMs = 1000, now: () => number = Date.now): Progress {
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
  const started = now()
  return {
    update(done, phase = '') {
      if (total <= 0 || done < (nextQuarter * total) / 4 || now() - started < quietMs) return
      const quarter = Math.min(4, Math.floor((done * 4) / total))
      stream.write(`${label}: ${quarter * 25}% (${done}/${total})${phase ? ` ${phase}` : ''}\n`)
      nextQuarter = quarter + 1
    },
    stop(summary) {
      if (summary) stream.write(`${summary}\n`)
    },
  }
}
