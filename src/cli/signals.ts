import { constants } from 'node:os'
/** The signals that ask a long-running command (`sml start`, `serve`, `worker`) to stop cleanly. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
export type StopSignal = (typeof STOP_SIGNALS)[number]

/** The shell's exit code for a process ended by `signal`: 128 + its number (SIGINT 130, SIGTERM 143, SIGHUP 129). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal]
}

/**
 * Repeats of a stop signal within this long of the first are the same request: `npm start` passes the
 * signal it gets on to its child, so a Ctrl-C in a terminal, or a SIGTERM to the process group (systemd's
 * default KillMode, `kill -- -PGID`), reaches the server twice at once.
 */
export const REPEAT_WINDOW_MS = 1_000

/**
 * Runs `stop` on the first SIGINT, SIGTERM or SIGHUP (a closed terminal, or npm exiting as a session
 * leader). Signals within REPEAT_WINDOW_MS of it are ignored rather than left to Node's default, which
 * ended the process mid-stop and lost the request log's queued rows; one after that is a deliberate second
 * Ctrl-C and ends the process at once (exit 1) with `onForce`'s last word.
 */
export function onStopSignals(stop: (signal: StopSignal) => void, onForce: (signal: StopSignal) => void, now: () => number = Date.now): () => void {
  let first: number | null = null
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => {
      if (first === null) {
        first = now()
        stop(signal)
      } else if (now() - first > REPEAT_WINDOW_MS) {
        onForce(signal)
        process.exit(1)
      }
    }
    process.on(signal, handler)
    return [signal, handler] as const
  })
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}
