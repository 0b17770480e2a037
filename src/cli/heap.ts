import { availableParallelism } from 'node:os'
import { setFlagsFromString } from 'node:v8'

/**
 * Sets V8's garbage collector up for a long-running server. Called first by the long-running commands
 * (`sml start`, `sml serve`), before they load and open anything. Both flags are read by V8 at run time, so
 * setting them here takes effect; they hold for every thread of the process (the request log's writer too).
 *
 * The young generation (its semi-spaces) reaches its full size at the first growth rather than by doublings.
 * V8 starts it at 1 MB per semi-space and doubles it (to 16 MB on a 64-bit machine, or `--max-semi-space-size`)
 * each time enough objects have survived a collection. A server's start reaches 8 MB; the last doubling then
 * came under the first minute of load, at a moment that depends on the traffic: a one-time step of 16 MB of
 * resident memory (measured in `bench/load`: RSS 119 MB for 15 s, then 135 MB and flat). Sized at start, the
 * young generation is what it will be under load, and resident memory is flat from the first request
 * (`--max-semi-space-size`, unlike the growth factor, is fixed when the heap is set up: the maximum stays V8's
 * or the one given on node's command line).
 *
 * On a machine of at most SERIAL_SCAVENGE_CORES cores, young-generation collections (scavenges) run on the
 * thread that needs them alone (`--no-parallel-scavenge`), not also on V8's helper threads: under load the
 * server's own threads (event loop, request-log writer) and its clients hold both cores, and a parallel
 * scavenge waits for helpers that are not scheduled. Measured under `bench/api`'s 32-connection load on
 * 2 cores, 10 s of titanic predictions (`node --trace-gc`): scavenges took 359 ms in all, pauses up to 30 ms,
 * in parallel; 130 ms, none above 3.8 ms, on one thread; the API answered 15.1k/s against 17.0k/s. With more
 * cores the helpers have cores of their own, and V8's default stays.
 */
export function tuneHeapForServing(cores = availableParallelism()): void {
  setFlagsFromString('--semi-space-growth-factor=16')
  if (cores <= SERIAL_SCAVENGE_CORES) setFlagsFromString('--no-parallel-scavenge')
}

/** The most cores on which tuneHeapForServing makes scavenges serial. */
export const SERIAL_SCAVENGE_CORES = 2
