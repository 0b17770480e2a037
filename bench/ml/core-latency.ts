/**
 * How far apart the machine's cores are: the round trip of a cache line between two threads (a
 * SharedArrayBuffer counter bumped by one thread and echoed by the other, both spinning), in ns,
 * the least of three runs of 100,000 round trips. On the 2-vCPU VMs of the benches it ranged from
 * ~150–240 ns (vCPUs close together) to 770–2,460 ns (far apart) within one session, and every
 * two-thread speed-up (ours, XGBoost's) followed it; compute alone scaled the same either way.
 */
import { Worker } from 'node:worker_threads'

const ECHO = `
const { workerData } = require('node:worker_threads')
const c = new Int32Array(workerData)
Atomics.store(c, 32, 1)
for (;;) {
  const v = Atomics.load(c, 0)
  if (v === -1) break
  if (v !== 0 && Atomics.load(c, 16) !== v) Atomics.store(c, 16, v)
}
`

export async function coreRoundTripNs(rounds = 100_000): Promise<number> {
  // slots 0 and 16 on different cache lines: one written by each thread
  const c = new Int32Array(new SharedArrayBuffer(256))
  const w = new Worker(ECHO, { eval: true, workerData: c.buffer })
  try {
    const t = performance.now()
    while (Atomics.load(c, 32) === 0) if (performance.now() - t > 10_000) throw new Error('the echo thread did not start')
    let best = Infinity
    for (let run = 0, i = 0; run < 3; run++) {
      const t0 = performance.now()
      for (let k = 0; k < rounds; k++) {
        Atomics.store(c, 0, ++i)
        while (Atomics.load(c, 16) !== i);
      }
      best = Math.min(best, ((performance.now() - t0) * 1e6) / rounds)
    }
    return best
  } finally {
    Atomics.store(c, 0, -1)
    await new Promise((resolve) => w.once('exit', resolve))
  }
}
