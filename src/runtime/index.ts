export { definePipeline, isPipeline, retryDelay, type Pipeline, type PipelineOptions, type PipelineContext, type RunLogger } from './pipeline.js'
export { findPipeline, pipelineList, modulePipelines, importPipelineModules } from './pipelines.js'
export { canonicalTimeZone, toSchedule, formatSchedule, previousFireTimes, nextFireTime, DEFAULT_TIMEZONE, type Schedule, type ScheduleOptions } from './schedule.js'
export { runPipeline, exitCode, type RunPipelineOptions, type PipelineOutcome } from './runner.js'
export {
  RunStore,
  processAlive,
  RUN_STATUSES,
  RUN_TRIGGERS,
  type RunStatus,
  type RunTrigger,
  type RunRecord,
  type RunLogLine,
  type ListRunsOptions,
  type StartRunOptions,
  type FinishRunOptions,
} from './run-store.js'
export { startWorker, childProcessExecutor, type Worker, type WorkerOptions, type TickExecutor } from './worker.js'
export {
  createScheduler,
  SCHEDULERS,
  type SchedulerFactory,
  type Scheduler,
  type SchedulerConfig,
  type JobQueueTuning,
  type SchedulerStats,
  type ScheduledJob,
  type TickHandler,
  type TickTrigger,
  type MissedTicks,
} from './schedulers/index.js'
export { createProgress, type Progress } from './progress.js'
