import { confusionMatrixChart, predictedVsActualChart, renderSvg, svgToPng } from '../../charts/index.js'
import { ValidationError } from '../../db/index.js'
import type { TrainTestSplit } from '../../featurestore/index.js'
import { ARTIFACT_FILES } from '../../registry/index.js'
import { definePipeline, type Pipeline } from '../../runtime/index.js'
import {
  accuracyScore,
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  isClassifier,
  meanAbsoluteError,
  precisionRecallFscoreSupport,
  r2Score,
  rootMeanSquaredError,
  type Classifier,
  type Estimator,
  type Label,
  type Regressor,
} from '../../ml/index.js'
import { systemFeatureView } from '../feature-groups.js'
import { decidePromotion } from '../promotion.js'
import { SERVING_ALIAS } from '../serving.js'
import { labelClasses, systemTask, trainingSplit, type SystemDescription } from '../system.js'
import { withUnknownAhead } from '../time-series.js'
import { plural } from '../../support/plural.js'

/** What training records for a version: its metrics, the pictures and reports stored with it, a log line. */
interface Evaluation {
  readonly metrics: Record<string, number>
  readonly artifacts: Record<string, string | Uint8Array>
  readonly summary: string
}

/**
 * Feature view → seeded 80/20 split → model → metrics and pictures → a new registered model version, which
 * takes the `production` alias only if it scores at least as well as production on the same rows (`decidePromotion`).
 * Classification records accuracy, macro/weighted scores, a classification report and confusion matrix;
 * regression records MAE, RMSE and R² (scikit-learn's definitions) and a predicted-vs-actual scatter.
 */
export function trainingPipeline(system: SystemDescription): Pipeline {
  return definePipeline({
    name: `${system.name}-training`,
    description: `Train ${system.model.name} (${system.model.description}) and register it`,
    retries: 1,
    timeoutMs: 10 * 60_000,
    async run(ctx) {
      // Checked before the split is recorded: a system that cannot train writes nothing.
      const estimator = createModel(system)
      const fv = await systemFeatureView(ctx.featureStore, system)
      const { testSize, seed, stratify } = system.training
      const byTime = trainingSplit(system) === 'time'
      const recorded = byTime ? await fv.trainTestSplit({ split: 'time', testSize }) : await fv.trainTestSplit({ testSize, seed, stratify })
      const td = recorded.trainingDataset
      const how = byTime ? `split by time, test from ${td.testStart?.toISOString().slice(0, 10)}` : `seed ${seed}`
      ctx.log.info(`training dataset v${td.version}: ${td.trainRows} train / ${td.testRows} test rows as of commit ${td.commitId} (${how})`)
      const split = withLabels(recorded)
      const dropped = recorded.xTrain.nRows + recorded.xTest.nRows - split.xTrain.nRows - split.xTest.nRows
      if (dropped) ctx.log.info(`${plural(dropped, 'row')} without a measured ${system.label.column} left out of training and evaluation`)
      // A time series whose forecast days lack some inputs trains on each row twice: as measured and without them.
      const fitted = withUnknownAhead(system, split)
      if (fitted !== split)
        ctx.log.info(`each of the ${split.xTrain.nRows} training rows also used with ${system.timeSeries!.unknownAhead!.join(', ')} missing, as a recursive forecast sees them from its second day on: ${fitted.xTrain.nRows} training rows`)
      const started = performance.now()
      const model = fit(estimator, fitted)
      ctx.log.info(`fitted ${system.model.description} in ${Math.round(performance.now() - started)} ms`)
      const evaluation = isClassifier(model) ? await evaluateClassifier(system, model, split) : await evaluateRegressor(system, model, split)
      const metrics = { ...evaluation.metrics, test_rows: split.xTest.nRows, train_rows: split.xTrain.nRows }
      ctx.log.info(evaluation.summary)
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
        schema: { inputs: split.featureNames, label: system.label.column, task: systemTask(system), ...(system.label.classes ? { classes: system.label.classes } : { unit: system.label.unit ?? null }) },
        model,
        artifacts: evaluation.artifacts,
        promotion,
      })
      ctx.reportModel(version)
      const serving = promotion.promoted ? version.version : promotion.productionVersion
      ctx.log.info(`registered ${version.name} v${version.version}; ${SERVING_ALIAS} → v${serving} (${promotion.reason})`)
    },
  })
}

/**
 * The system's unfitted model, checked against its task: a classifier for classification, a regressor on an
 * int or float label for regression.
 * @throws TypeError when the estimator does not match the task; ValidationError naming `label.column` for a non-numeric regression label.
 */
function createModel(system: SystemDescription): Estimator {
  const model = system.model.create(system.training.seed)
  const regression = systemTask(system) === 'regression'
  if (isClassifier(model) === regression)
    throw new TypeError(`${system.name}: model.create made a ${model.toJSON().kind}, but the system is ${regression ? 'a regression (no label classes): it needs a regressor' : 'a classification: it needs a classifier'}`)
  const type = system.featureGroup.schema.find((f) => f.name === system.label.column)?.type
  if (regression && type !== 'int' && type !== 'float')
    throw new ValidationError(`${system.name}: a regression label must be a number column, but ${JSON.stringify(system.label.column)} is ${type === undefined ? 'not in the schema' : `a ${type}`}`, [
      { column: 'label.column', reason: 'a label without classes (regression) must be an int or float column' },
    ])
  return model
}

function fit(model: Estimator, split: TrainTestSplit): Estimator {
  try {
    return isClassifier(model) ? model.fit(split.xTrain, split.yTrain as ArrayLike<Label>) : model.fit(split.xTrain, split.yTrain as Float64Array)
  } catch (e) {
    // an estimator knows its inputs by position; the view knows their names (scikit-learn's feature_names_in_)
    const name = (text: string) => text.replace(/feature column (\d+)/g, (m, j: string) => (split.featureNames[Number(j)] === undefined ? m : `feature column ${j} (${split.featureNames[Number(j)]})`))
    if (e instanceof ValidationError && name(e.message) !== e.message) throw new ValidationError(name(e.message), e.issues.map((i) => ({ ...i, reason: name(i.reason) })))
    throw e
  }
}

async function evaluateClassifier(system: SystemDescription, model: Classifier, split: TrainTestSplit): Promise<Evaluation> {
  const yPred = model.predict(split.xTest)
  const yTrue = Array.from(split.yTest as ArrayLike<Label>)
  // Rows are true classes and columns predictions, both in the description's class order with real names.
  const labels = labelClasses(system).map((c) => c.value)
  const names = labelClasses(system).map((c) => c.name)
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
  }
  const text = formatClassificationReport(report)
  const svg = await renderSvg(confusionMatrixChart({ matrix, labels: names, title: `${system.model.name} — test split (${yTrue.length} rows)` }))
  return {
    metrics,
    summary: `accuracy ${metrics.accuracy.toFixed(4)} on ${yTrue.length} test rows\n${text}`,
    artifacts: {
      [ARTIFACT_FILES.confusionMatrixSvg]: svg,
      [ARTIFACT_FILES.confusionMatrixPng]: svgToPng(svg),
      [ARTIFACT_FILES.classificationReportJson]: JSON.stringify({ ...report, confusionMatrix: { labels: names, matrix } }, null, 2),
      [ARTIFACT_FILES.classificationReportText]: text,
    },
  }
}

/**
 * The split without rows whose (numeric) label is missing: a day whose value was not measured is no example of it.
 * Classification labels are left as they are (the split refuses a missing one).
 */
export function withLabels(split: TrainTestSplit): TrainTestSplit {
  if (!(split.yTrain instanceof Float64Array) || !(split.yTest instanceof Float64Array)) return split
  const keep = (x: TrainTestSplit['xTrain'], y: Float64Array, index: Int32Array) => {
    const rows: number[] = []
    for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i])) rows.push(i)
    if (rows.length === y.length) return { x, y, index }
    const data = new Float64Array(rows.length * x.nCols)
    rows.forEach((r, k) => data.set(x.data.subarray(r * x.nCols, (r + 1) * x.nCols), k * x.nCols))
    return { x: { data, nRows: rows.length, nCols: x.nCols }, y: Float64Array.from(rows, (r) => y[r]), index: Int32Array.from(rows, (r) => index[r]) }
  }
  const train = keep(split.xTrain, split.yTrain, split.trainIndex)
  const test = keep(split.xTest, split.yTest, split.testIndex)
  return { ...split, xTrain: train.x, yTrain: train.y, trainIndex: train.index, xTest: test.x, yTest: test.y, testIndex: test.index }
}

/**
 * The persistence forecast's error ("tomorrow = today": the label's previous value, `timeSeries.persistence`) on the
 * test rows that have that value, beside the model's on the same rows: the baseline a forecast must beat.
 */
function persistenceMetrics(system: SystemDescription, split: TrainTestSplit, yPred: Float64Array): Record<string, number> {
  const column = system.timeSeries?.persistence
  const j = column === undefined ? -1 : split.featureNames.indexOf(column)
  if (j < 0) return {}
  const yTrue = split.yTest as Float64Array
  const rows: number[] = []
  for (let i = 0; i < yTrue.length; i++) if (!Number.isNaN(split.xTest.data[i * split.xTest.nCols + j])) rows.push(i)
  if (rows.length === 0) return {}
  const truth = rows.map((i) => yTrue[i])
  const persistence = meanAbsoluteError(truth, rows.map((i) => split.xTest.data[i * split.xTest.nCols + j]))
  const model = meanAbsoluteError(truth, rows.map((i) => yPred[i]))
  return { persistence_mae: persistence, mae_vs_persistence: model / persistence, persistence_rows: rows.length }
}

async function evaluateRegressor(system: SystemDescription, model: Regressor, split: TrainTestSplit): Promise<Evaluation> {
  const yPred = model.predict(split.xTest)
  const yTrue = split.yTest as Float64Array
  const metrics: Record<string, number> = { mae: meanAbsoluteError(yTrue, yPred), rmse: rootMeanSquaredError(yTrue, yPred), r2: r2Score(yTrue, yPred), ...persistenceMetrics(system, split, yPred) }
  const unit = system.label.unit
  const svg = await renderSvg(predictedVsActualChart({ actual: yTrue, predicted: yPred, unit, title: `${system.model.name} — test split (${yTrue.length} rows)` }))
  const u = unit ? ` ${unit}` : ''
  return {
    metrics,
    summary:
      `MAE ${metrics.mae.toFixed(4)}${u}, RMSE ${metrics.rmse.toFixed(4)}${u}, R² ${metrics.r2.toFixed(4)} on ${yTrue.length} test rows` +
      (metrics.persistence_mae === undefined ? '' : `; persistence (tomorrow = today) MAE ${metrics.persistence_mae.toFixed(4)}${u}, the model's ${metrics.mae_vs_persistence.toFixed(3)}× that on the same ${metrics.persistence_rows} rows`),
    artifacts: { [ARTIFACT_FILES.predictedVsActualSvg]: svg, [ARTIFACT_FILES.predictedVsActualPng]: svgToPng(svg) },
  }
}
