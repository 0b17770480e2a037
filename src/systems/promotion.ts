import { NotFoundError, ValidationError } from '../db/index.js'
import { inverseLabel, type FeatureStore, type FeatureView, type Row, type TrainingDatasetMetadata } from '../featurestore/index.js'
import { accuracyScore, isClassifier, rootMeanSquaredError, type Estimator, type Label, type Regressor } from '../ml/index.js'
import { seriesBacktest } from './backtest.js'
import { ChecksumError, type MetricDirection, type ModelRegistry, type PromotionDecision } from '../registry/index.js'
import { findServingVersion, loadServingModel, SERVING_ALIAS } from './serving.js'
import { systemTask, type SystemDescription, type SystemTask } from './system.js'

/** A metric promotion compares, and which way is better. */
export interface PromotionMetric {
  readonly name: string
  readonly direction: MetricDirection
}

/** The metric promotion compares per task: accuracy (higher is better) or RMSE in the label's unit (lower is better). */
export const PROMOTION_METRICS: Readonly<Record<SystemTask, PromotionMetric>> = {
  classification: { name: 'accuracy', direction: 'max' },
  regression: { name: 'rmse', direction: 'min' },
}

/**
 * What a time series' promotion compares: the mean over horizons 1…`horizon` of the forecast's MAE in a rolling-origin
 * backtest (`rollingOriginBacktest`), so a version is judged on the forecast it will serve, not on day 1 alone (a
 * model with the better day 1 drifted to 2× persistence by day 5: bench/README.md, air quality).
 */
export const FORECAST_PROMOTION_METRIC: PromotionMetric = { name: 'forecast_mae', direction: 'min' }

/** The metric a system's promotion compares: FORECAST_PROMOTION_METRIC for a time series, else by task. */
export function promotionMetric(system: Pick<SystemDescription, 'label' | 'timeSeries'>): PromotionMetric {
  return system.timeSeries ? FORECAST_PROMOTION_METRIC : PROMOTION_METRICS[systemTask(system)]
}

/**
 * The mean over horizons of a model's rolling-origin forecast MAE over every series from `from` (see
 * FORECAST_PROMOTION_METRIC), through its own view and fitted transformations; with the number of scored pairs.
 */
async function forecastScore(fs: FeatureStore, system: SystemDescription, model: Estimator, fv: FeatureView, td: TrainingDatasetMetadata, from: Date): Promise<{ score: number; pairs: number }> {
  const predict = (rows: readonly Row[]) => (model as Regressor).predict(fv.transformRows(rows, td))
  const scored = (await seriesBacktest(fs, system, from, predict)).filter((e) => e.n > 0)
  return { score: scored.length ? scored.reduce((a, e) => a + e.mae, 0) / scored.length : NaN, pairs: scored.reduce((a, e) => a + e.n, 0) }
}

/** A freshly trained model, not yet registered, and the split it was trained and tested on. */
export interface PromotionCandidate {
  readonly model: Estimator
  readonly featureView: FeatureView
  readonly trainingDataset: TrainingDatasetMetadata
  /** Row indices of the test split into the key-ordered rows as of the training dataset's commit (`TrainTestSplit.testIndex`). */
  readonly testIndex: Int32Array
}

/**
 * Whether a newly trained version should take the `production` alias, as a decision to record with it.
 *
 * Rule: the candidate and the version now in production are scored (`promotionMetric`: accuracy, or RMSE for
 * regression; for a time series, the 7-day forecast's mean MAE over horizons in a rolling-origin backtest from the
 * later of the two test starts, so neither is scored on days it trained on) on the same rows: the
 * candidate's test split, read raw from the feature group as of the candidate's commit, minus the rows
 * production was trained on (its own split, redone from its training dataset's commit, seed and test size, as
 * keys). Without that exclusion production is graded on rows it learnt (about 4 in 5 of them): on titanic,
 * retrained with seeds 1–7, the forest in production scored 0.87–0.95 on each new version's test rows against
 * the new versions' 0.75–0.84, so no new version could ever win. Each model sees
 * the rows through its own feature view and the transformations fitted on its own training dataset, so a
 * production model trained on another view version or other fits still gets correctly encoded inputs;
 * predictions are decoded to label values before comparing. The candidate takes the alias iff its score ≥
 * production's (≤ for RMSE; ties go to the newer). With no version in production the candidate takes it.
 *
 * No comparable figure — production's view reads another feature group or label, it has no recorded training
 * dataset, its transformations reject a value, or every test row was in its training split: the alias stays
 * (production still serves through its own view) and the reason says to decide with `sml models promote`.
 * Production cannot be loaded at all (model.json, its view or training dataset missing, or corrupt): it cannot
 * serve either, so the candidate takes the alias. Other errors (the database) propagate.
 */
export async function decidePromotion(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, candidate: PromotionCandidate): Promise<PromotionDecision> {
  const { featureView: fv, trainingDataset: td } = candidate
  const label = fv.labels[0]
  const metric = promotionMetric(system)
  const base = { alias: SERVING_ALIAS, decidedBy: 'training' as const, metric: metric.name }
  const forecast = system.timeSeries !== undefined && td.testStart !== null && td.testStart !== undefined
  const alone = async (p: Omit<PromotionDecision, 'decidedBy' | 'candidateScore' | 'evaluationRows'>): Promise<PromotionDecision> => {
    if (forecast) {
      const c = await forecastScore(fs, system, candidate.model, fv, td, td.testStart!)
      return { ...base, ...p, candidateScore: c.score, productionScore: null, evaluationRows: c.pairs }
    }
    const rows = await testRows(fv, td, candidate.testIndex, [...fv.inputColumns, label])
    return { ...base, ...p, candidateScore: score(candidate.model, fv, td, label, rows), productionScore: null, evaluationRows: rows.length }
  }
  const production = await findServingVersion(registry, system)
  if (production === null) return alone({ promoted: true, productionVersion: null, reason: `no version was in ${SERVING_ALIAS}: the first one takes it` })
  const p = production.version
  let loaded
  try {
    loaded = await loadServingModel(fs, registry, system, production)
  } catch (e) {
    if (!(e instanceof NotFoundError || e instanceof ChecksumError || e instanceof ValidationError || e instanceof TypeError || e instanceof SyntaxError)) throw e
    return alone({ promoted: true, productionVersion: p, reason: `${SERVING_ALIAS} v${p} cannot be loaded (${(e as Error).message}), so it cannot serve either: the new version takes ${SERVING_ALIAS}` })
  }
  const notComparable = (why: string) =>
    alone({
      promoted: false,
      productionVersion: p,
      reason: `${SERVING_ALIAS} v${p} cannot be scored on the new version's test rows (${why}), so no figures compare: ${SERVING_ALIAS} stays on v${p}; promote by hand with \`sml models promote ${production.name} VERSION\``,
    })
  const other = loaded.featureView
  const group = fv.featureGroup
  if (other.featureGroup.name !== group.name || other.featureGroup.version !== group.version) {
    return notComparable(`its feature view ${other.name} v${other.version} reads feature group ${other.featureGroup.name} v${other.featureGroup.version}, the new version's reads ${group.name} v${group.version}`)
  }
  if (other.labels[0] !== label) return notComparable(`it predicts ${JSON.stringify(other.labels[0])}, the new version ${JSON.stringify(label)}`)
  if (production.lineage.trainingDatasetVersion === null) return notComparable('it has no recorded training dataset, so neither its transformations nor its training rows are known')

  if (forecast) {
    // Both forecast from every day of the candidate's test period that production did not train on either.
    const theirs = loaded.trainingDataset.testStart
    if (!theirs) return notComparable('it was not trained on a time split, so the days it learnt are not known')
    const from = new Date(Math.max(td.testStart!.getTime(), theirs.getTime()))
    let c: { score: number; pairs: number }
    let q: { score: number; pairs: number }
    try {
      c = await forecastScore(fs, system, candidate.model, fv, td, from)
      q = await forecastScore(fs, system, loaded.model, other, loaded.trainingDataset, from)
    } catch (e) {
      if (e instanceof ValidationError) return notComparable(e.message)
      throw e
    }
    if (!(c.pairs > 0) || Number.isNaN(q.score)) return notComparable(`no measured day from ${from.toISOString().slice(0, 10)} to forecast`)
    const promoted = c.score <= q.score
    const figures = `${metric.name} (mean over horizons 1–${system.timeSeries!.horizon} of the rolling-origin MAE from ${from.toISOString().slice(0, 10)}) ${fmt(c.score)} vs ${SERVING_ALIAS} v${p}'s ${fmt(q.score)} on the same ${c.pairs} (issue day, forecast day) pairs`
    return { ...base, promoted, candidateScore: c.score, productionVersion: p, productionScore: q.score, evaluationRows: c.pairs, reason: promoted ? `at least as good: ${figures}` : `worse: ${figures}; ${SERVING_ALIAS} stays on v${p}` }
  }

  const keys = group.primaryKey
  const columns = [...new Set([...keys, ...fv.inputColumns, ...other.inputColumns, label])]
  const rows = await testRows(fv, td, candidate.testIndex, columns)
  const seen = await trainingKeys(other, loaded.trainingDataset)
  const unseen = rows.filter((r) => !seen.has(keyOf(keys, r)))
  if (unseen.length === 0) return notComparable(`all ${rows.length} of them were in its training split`)
  const candidateScore = score(candidate.model, fv, td, label, unseen)
  let productionScore: number
  try {
    productionScore = score(loaded.model, other, loaded.trainingDataset, label, unseen)
  } catch (e) {
    if (e instanceof ValidationError) return notComparable(e.message)
    throw e
  }
  const promoted = metric.direction === 'max' ? candidateScore >= productionScore : candidateScore <= productionScore
  const figures =
    `${metric.name} ${fmt(candidateScore)} vs ${SERVING_ALIAS} v${p}'s ${fmt(productionScore)} on the same ${unseen.length} test rows` +
    (unseen.length < rows.length ? ` (of ${rows.length}; ${rows.length - unseen.length} were in v${p}'s training split)` : '')
  return {
    ...base,
    promoted,
    candidateScore,
    productionVersion: p,
    productionScore,
    evaluationRows: unseen.length,
    reason: promoted ? `at least as good: ${figures}` : `worse: ${figures}; ${SERVING_ALIAS} stays on v${p}`,
  }
}

/** The candidate's test rows, raw (as stored), with the given columns: the rows `trainTestSplit` put in `xTest`, in the same order. */
async function testRows(fv: FeatureView, td: TrainingDatasetMetadata, testIndex: Int32Array, columns: readonly string[]): Promise<Row[]> {
  // Same read (group, as-of commit, key order) as the split itself, so the indices select the same rows.
  const data = await fv.readColumns(columns, td.commitId === null ? {} : { asOf: td.commitId })
  return Array.from(testIndex, (i) => {
    const row: Row = {}
    for (const c of columns) row[c] = data.columns[c][i] as Row[string]
    return row
  })
}

/** Primary keys of a training dataset's training rows: its split redone from its commit, seed and test size (as drift does). */
async function trainingKeys(fv: FeatureView, td: TrainingDatasetMetadata): Promise<Set<string>> {
  const keys = fv.featureGroup.primaryKey
  const { data, train } = await fv.readTrainingDataset(td, keys)
  const out = new Set<string>()
  for (const i of train) out.add(keyOf(keys, Object.fromEntries(keys.map((k) => [k, data.columns[k][i]])) as Row))
  return out
}

function keyOf(keys: readonly string[], row: Row): string {
  return JSON.stringify(keys.map((k) => row[k]))
}

/**
 * A model's promotion score on raw rows, through its own view's transformations (and label decoding):
 * accuracy for a classifier, RMSE for a regressor.
 */
function score(model: Estimator, fv: FeatureView, td: TrainingDatasetMetadata, label: string, rows: readonly Row[]): number {
  const x = fv.transformRows(rows, td)
  if (!isClassifier(model)) return rootMeanSquaredError(Float64Array.from(rows, (r) => r[label] as number), model.predict(x))
  const predicted = model.predict(x)
  const encoder = td.fitted[label]
  const yPred: Label[] = predicted.map((v) => (encoder ? inverseLabel(encoder, v as number) : v))
  const yTrue: Label[] = rows.map((r) => r[label] as Label)
  return accuracyScore(yTrue, yPred)
}

function fmt(x: number): string {
  return x.toFixed(4)
}
