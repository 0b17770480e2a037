/**
 * Worker-thread entry: faults in fresh shared pages, sorts binning columns, bins rows and builds histogram feature ranges for boosting fits posted by threads.ts.
 * Imports only pure histogram code, so it loads from dist JS or, under vitest/tsx, through tsx's loader.
 */
import { parentPort } from 'node:worker_threads'
import { runBinJob, runEdgesJob, runTouchJob, type BinJob, type EdgesJob, type TouchJob } from './bin-mapper.js'
import { runHistogramJob, type HistogramJob } from './histogram-job.js'

// a fit posts pages to fault in (a TouchJob, which alone has `touch`), its binning columns (an EdgesJob, which alone has `cols`), its rows to bin (a BinJob, which alone has `rows`) and then its histogram job
parentPort?.on('message', (job: HistogramJob | EdgesJob | BinJob | TouchJob) => {
  if ('touch' in job) runTouchJob(job)
  else if ('cols' in job) runEdgesJob(job)
  else if ('rows' in job) runBinJob(job)
  else runHistogramJob(job)
})
parentPort?.postMessage('ready')
