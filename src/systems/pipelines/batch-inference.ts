import { definePipeline, type Pipeline } from '../../runtime/index.js'
import type { Row } from '../../featurestore/index.js'
import { predictionsFeatureGroup, systemFeatureView } from '../feature-groups.js'
import { loadServingModel, predictRows } from '../serving.js'
import { className, type SystemDescription } from '../system.js'

/**
 * Predicts the rows committed since the last batch run (or, the first time, since the model's training
 * data) with the serving model and appends them, with the actual outcome, to `<system>_predictions`.
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
      const done = (await predictions.statistics()).find((s) => s.column === 'feature_commit')?.max
      const since = typeof done === 'number' ? done : (serving.trainingDataset.commitId ?? 0)
      const fv = await systemFeatureView(ctx.featureStore, system)
      const key = system.featureGroup.primaryKey
      const fg = fv.featureGroup
      const latest = await fg.latestCommit()
      // As of the latest commit, so a commit landing meanwhile is left whole for the next run.
      const rows = latest ? await fg.read({ sinceCommit: since, asOf: latest.id }) : []
      if (!latest || rows.length === 0) {
        ctx.log.info(`no rows committed since commit ${since}: nothing to predict`)
        return
      }
      const predicted = predictRows(serving, rows)
      const out: Row[] = rows.map((r, i) => ({
        [key]: r[key],
        ts: at,
        predicted: predicted[i].prediction,
        actual: r[system.label.column] === null ? null : className(system, r[system.label.column]),
        probability: predicted[i].probabilities[predicted[i].prediction],
        model_version: serving.version.version,
        feature_commit: latest.id,
      }))
      await predictions.insert(out, { source: ctx.pipeline })
      const correct = out.filter((r) => r.actual !== null && r.actual === r.predicted).length
      ctx.log.info(`${system.model.name} v${serving.version.version} predicted ${out.length} row(s) since commit ${since}; ${correct} correct`)
      for (const r of out.slice(-3)) ctx.log.info(`${key}=${String(r[key])}: predicted ${String(r.predicted)}, actual ${String(r.actual)}`)
      ctx.reportRows(out.length)
    },
  })
}
