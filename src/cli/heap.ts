import { setFlagsFromString } from 'node:v8'

/**
 * Lets V8's young generation (its semi-spaces) reach its full size at the first growth rather than by doublings.
 * Called first by the long-running commands (`sml start`, `sml serve`), before they load and open anything,
 * so that growth happens during startup.
 *
 * Why: V8 starts the young generation at 1 MB per semi-space and doubles it (to 16 MB on a 64-bit machine,
 * or `--max-semi-space-size`) each time enough objects have survived a collection. A server's start reaches
 * 8 MB; the last doubling then came under the first minute of load, at a moment that depends on the traffic:
 * a one-time step of 16 MB of resident memory (measured in `bench/load`: RSS 119 MB for 15 s, then 135 MB and
 * flat). Sized at start, the young generation is what it will be under load, and resident memory is flat from
 * the first request. `--semi-space-growth-factor` is read by V8 at each growth, so setting it at run time
 * takes effect (unlike `--max-semi-space-size`, fixed when the heap is set up); the maximum stays V8's or the
 * one given on node's command line.
 */
export function growYoungGenerationAtOnce(): void {
  setFlagsFromString('--semi-space-growth-factor=16')
}
