import { definePipeline, type Pipeline } from '../../runtime/index.js'
import type { Row } from '../../featurestore/index.js'
import { keyText, keyValues, predictionsFeatureGroup, systemFeatureView } from '../feature-groups.js'
import { loadServingModel, predictedProbability, predictRows } from '../serving.js'
import { className, systemTask, type SystemDescription } from '../system.js'
import { forecastPipeline } from './forecast.js'
import { plural } from '../../support/plural.js'

/** A system's batch inference: forecasts for a time series (`forecastPipeline`), else predictions of new rows. */
export function systemBatchPipeline(system: SystemDescription): Pipeline {
  return system.timeSeries ? forecastPipeline(system) : batchInferencePipeline(system)
}

/**
 * Predicts the rows committed since the last batch run (or, the first time, since the model's training
 * data) with the serving model and appends them, with the actual outcome, to `<system>_predictions` keyed
 * by the system's key columns: class names and probability for classification, values for regression.
 */
export function batchInferencePipeline(system: SystemDescription): Pipeline {
  return definePipeline({
    name: `${system.name}-batch-inference`,
    description: `Predict new ${system.featureGroup.name} rows with ${system.model.name} into ${system.name}_predictions`,
    schedule: system.schedules.batchInference,
    retries: 2,
    backoffMs: 5_000,
    timeoutMs: 5 * 60_000,
    async run(ctx) {
      const at = ctx.scheduledFor ?? new Date()
      const serving = await loadServingModel(ctx.featureStore, ctx.registry, system)
      const predictions = await predictionsFeatureGroup(ctx.featureStore, system)
      const done = (await predictions.statistics({ columns: ['feature_commit'] }))[0]?.max
      const since = typeof done === 'number' ? done : (serving.trainingDataset.commitId ?? 0)
      const fv = await systemFeatureView(ctx.featureStore, system)
      const fg = fv.featureGroup
      const latest = await fg.latestCommit()
      // As of the latest commit, so a commit landing meanwhile is left whole for the next run.
      const rows = latest ? await fg.read({ sinceCommit: since, asOf: latest.id }) : []
      if (!latest || rows.length === 0) {
        ctx.log.info(`no rows committed since commit ${since}: nothing to predict`)
        return
      }
      const predicted = predictRows(serving, rows)
      const regression = systemTask(system) === 'regression'
      const label = system.label.column
      const out: Row[] = rows.map((r, i) => ({
        ...keyValues(system, r),
        ts: at,
        predicted: predicted[i].prediction,
        actual: r[label] === null || r[label] === undefined ? null : regression ? (r[label] as number) : className(system, r[label]),
        ...(regression ? {} : { probability: predictedProbability(predicted[i]) }),
        model_version: serving.version.version,
        feature_commit: latest.id,
      }))
      await predictions.insert(out, { source: ctx.pipeline })
      const known = out.filter((r) => r.actual !== null)
      const summary = regression
        ? `mean absolute error ${(known.reduce((s, r) => s + Math.abs((r.predicted as number) - (r.actual as number)), 0) / Math.max(1, known.length)).toFixed(3)} over ${plural(known.length, 'known outcome')}`
        : `${known.filter((r) => r.actual === r.predicted).length} correct`
      ctx.log.info(`${system.model.name} v${serving.version.version} predicted ${plural(out.length, 'row')} since commit ${since}; ${summary}`)
      for (const r of out.slice(-3)) ctx.log.info(`${keyText(system, r)}: predicted ${String(r.predicted)}, actual ${String(r.actual)}`)
      ctx.reportRows(out.length)
    },
  })
}
