/**
 * Worker-thread entry: builds histogram feature ranges for boosting fits posted by threads.ts.
 * Imports only pure histogram code, so it loads from dist JS or, under vitest/tsx, through tsx's loader.
 */
import { parentPort } from 'node:worker_threads'
import { runHistogramJob, type HistogramJob } from './histogram-job.js'

parentPort?.on('message', (job: HistogramJob) => {
  runHistogramJob(job)
})
parentPort?.postMessage('ready')
