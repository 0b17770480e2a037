/**
 * Worker-thread entry: builds forest trees for jobs posted by worker-pool.ts and sends each one
 * back on its result port. Imports only pure tree code, so it loads from dist JS or, under
 * vitest/tsx, through tsx's loader.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { FAILED, runForestJob, type ForestJob } from './forest-job.js'

const results = (workerData as { port: MessagePort }).port

parentPort?.on('message', (job: ForestJob) => {
  try {
    runForestJob(job, (index, tree) => {
      const buffers = [tree.feature, tree.threshold, tree.left, tree.right, tree.value, tree.importance].map((a) => a.buffer as ArrayBuffer)
      results.postMessage({ index, tree }, buffers)
    })
  } catch (err) {
    results.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
    Atomics.store(job.control, FAILED, 1)
    Atomics.notify(job.control, 1)
  }
})
parentPort?.postMessage('ready')
