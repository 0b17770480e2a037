import { confusionMatrixChart, renderSvg, svgToPng } from '../../charts/index.js'
import { ARTIFACT_FILES } from '../../registry/index.js'
import { definePipeline, type Pipeline } from '../../runtime/index.js'
import { accuracyScore, classificationReport, confusionMatrix, formatClassificationReport, precisionRecallFscoreSupport, type Label } from '../../ml/index.js'
import { systemFeatureView } from '../feature-groups.js'
import { decidePromotion } from '../promotion.js'
import { SERVING_ALIAS } from '../serving.js'
import type { SystemDescription } from '../system.js'

/**
 * Feature view → seeded 80/20 split → model → metrics and pictures → a new registered model version, which
 * takes the `production` alias only if it scores at least as well as production on the same rows (`decidePromotion`).
 */
export function trainingPipeline(system: SystemDescription): Pipeline {
  return definePipeline({
    name: `${system.name}-training`,
    description: `Train ${system.model.name} (${system.model.description}) and register it`,
    retries: 1,
    timeoutMs: 10 * 60_000,
    async run(ctx) {
      const fv = await systemFeatureView(ctx.featureStore, system)
      const { testSize, seed, stratify } = system.training
      const split = await fv.trainTestSplit({ testSize, seed, stratify })
      const td = split.trainingDataset
      ctx.log.info(`training dataset v${td.version}: ${td.trainRows} train / ${td.testRows} test rows as of commit ${td.commitId} (seed ${seed})`)
      const started = performance.now()
      const model = system.model.create(seed).fit(split.xTrain, split.yTrain as ArrayLike<Label>)
      ctx.log.info(`fitted ${system.model.description} in ${Math.round(performance.now() - started)} ms`)
      const yPred = model.predict(split.xTest)
      const yTrue = Array.from(split.yTest as ArrayLike<Label>)
      // Rows are true classes and columns predictions, both in the description's class order with real names.
      const labels = system.label.classes.map((c) => c.value)
      const names = system.label.classes.map((c) => c.name)
      const matrix = confusionMatrix(yTrue, yPred, { labels })
      const report = classificationReport(yTrue, yPred, { labels, targetNames: names, zeroDivision: 0 })
      const macro = precisionRecallFscoreSupport(yTrue, yPred, { labels, average: 'macro', zeroDivision: 0 })
      const weighted = precisionRecallFscoreSupport(yTrue, yPred, { labels, average: 'weighted', zeroDivision: 0 })
      const metrics = {
        accuracy: accuracyScore(yTrue, yPred),
        precision_macro: macro.precision,
        recall_macro: macro.recall,
        f1_macro: macro.fscore,
        f1_weighted: weighted.fscore,
        test_rows: yTrue.length,
        train_rows: split.xTrain.nRows,
      }
      const text = formatClassificationReport(report)
      ctx.log.info(`accuracy ${metrics.accuracy.toFixed(4)} on ${yTrue.length} test rows\n${text}`)
      const svg = await renderSvg(confusionMatrixChart({ matrix, labels: names, title: `${system.model.name} — test split (${yTrue.length} rows)` }))
      const inputExample = Object.fromEntries(split.featureNames.map((f, j) => [f, split.xTest.data[j]]))
      // Production is scored on this version's test rows, so the two figures compare (its own metrics do not).
      const decision = await decidePromotion(ctx.featureStore, ctx.registry, system, { model, featureView: fv, trainingDataset: td, testIndex: split.testIndex })
      const promotion = { ...decision, actor: `${ctx.pipeline} run ${ctx.runId}` }
      const version = await ctx.registry.create({
        name: system.model.name,
        description: system.model.description,
        metrics,
        featureView: { name: fv.name, version: fv.version },
        trainingDataset: td,
        inputExample,
        schema: { inputs: split.featureNames, label: system.label.column, classes: system.label.classes },
        model,
        artifacts: {
          [ARTIFACT_FILES.confusionMatrixSvg]: svg,
          [ARTIFACT_FILES.confusionMatrixPng]: svgToPng(svg),
          [ARTIFACT_FILES.classificationReportJson]: JSON.stringify({ ...report, confusionMatrix: { labels: names, matrix } }, null, 2),
          [ARTIFACT_FILES.classificationReportText]: text,
        },
        promotion,
      })
      ctx.reportModel(version)
      const serving = promotion.promoted ? version.version : promotion.productionVersion
      ctx.log.info(`registered ${version.name} v${version.version}; ${SERVING_ALIAS} → v${serving} (${promotion.reason})`)
    },
  })
}
