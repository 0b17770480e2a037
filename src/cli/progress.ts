import cliProgress from 'cli-progress'

export interface Progress {
  update(done: number, phase?: string): void
  stop(summary?: string): void
}

/** A bar on a terminal; on a pipe or in CI, a plain line per quarter so logs stay readable. */
export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
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
      if (total <= 0 || done < (nextQuarter * total) / 4) return
      const quarter = Math.min(4, Math.floor((done * 4) / total))
      stream.write(`${label}: ${quarter * 25}% (${done}/${total})${phase ? ` ${phase}` : ''}\n`)
      nextQuarter = quarter + 1
    },
    stop(summary) {
      if (summary) stream.write(`${summary}\n`)
    },
  }
}
