/**
 * Worker-thread entry: sorts binning columns and builds histogram feature ranges for boosting fits posted by threads.ts.
 * Imports only pure histogram code, so it loads from dist JS or, under vitest/tsx, through tsx's loader.
 */
import { parentPort } from 'node:worker_threads'
import { runEdgesJob, type EdgesJob } from './bin-mapper.js'
import { runHistogramJob, type HistogramJob } from './histogram-job.js'

// a fit posts its binning columns (an EdgesJob, which alone has `cols`) and then its histogram job
parentPort?.on('message', (job: HistogramJob | EdgesJob) => {
  if ('cols' in job) runEdgesJob(job)
  else runHistogramJob(job)
})
parentPort?.postMessage('ready')
