import type { FeatureStore, Row } from '../featurestore/index.js'
import { meanAbsoluteError, rootMeanSquaredError } from '../ml/index.js'
import type { ModelRegistry } from '../registry/index.js'
import { keyOf, keyValues, predictionsFeatureGroup } from './feature-groups.js'
import { findServingVersion } from './serving.js'
import { labelClasses, systemTask, type SystemDescription, type SystemTask } from './system.js'

export interface PredictionRecord {
  /** The predicted row's key columns, e.g. `{ id: 151 }` or `{ station: 'hornsgatan', date: … }`. */
  readonly key: Readonly<Row>
  readonly time: Date
  /** Class name (classification) or value in the label's unit (regression). */
  readonly predicted: string | number
  readonly actual: string | number | null
  /** The predicted class's probability; null for regression. */
  readonly probability: number | null
  readonly modelVersion: number
}

/** Regression: one UTC day of batch predictions with a known outcome. */
export interface ErrorPoint {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string
  readonly predictions: number
  /** Mean absolute error of that day's predictions, in the label's unit. */
  readonly mae: number
  /** Mean absolute error of every prediction up to and including that day. */
  readonly cumulativeMae: number
  readonly meanPredicted: number
  readonly meanActual: number
}

export interface AccuracyPoint {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string
  readonly predictions: number
  /** Accuracy of that day's predictions with a known outcome. */
  readonly accuracy: number
  /** Accuracy of every prediction up to and including that day. */
  readonly cumulativeAccuracy: number
}

export interface MonitorData {
  readonly system: string
  readonly task: SystemTask
  /** The label's unit (regression), when it has one. */
  readonly unit: string | null
  readonly latest: PredictionRecord | null
  /** Newest first. */
  readonly recent: readonly PredictionRecord[]
  /** Over all predictions with a known outcome: rows true, columns predicted, in class order (empty for regression). */
  readonly confusion: { readonly labels: readonly string[]; readonly matrix: readonly (readonly number[])[] }
  /** Classification only (empty for regression). */
  readonly accuracyOverTime: readonly AccuracyPoint[]
  /** Regression only (empty for classification). */
  readonly errorOverTime: readonly ErrorPoint[]
  /**
   * `correct` and `accuracy` are classification's (null for regression); `mae` and `rmse` regression's over every
   * prediction with a known outcome (scikit-learn's definitions; null for classification or with none).
   */
  readonly totals: {
    readonly predictions: number
    readonly withActual: number
    readonly correct: number | null
    readonly accuracy: number | null
    readonly mae: number | null
    readonly rmse: number | null
  }
  readonly servingModel: { readonly name: string; readonly version: number; readonly metrics: Readonly<Record<string, number>> } | null
}

/** The monitor of a system, computed from its predictions history. */
export async function monitorData(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, options: { recent?: number } = {}): Promise<MonitorData> {
  const fg = await predictionsFeatureGroup(fs, system)
  const task = systemTask(system)
  const all = (await fg.read()).map((r) => ({
    order: keyOf(system, r),
    record: {
      key: keyValues(system, r),
      time: r.ts as Date,
      predicted: r.predicted as string | number,
      actual: (r.actual as string | number | null) ?? null,
      probability: task === 'classification' ? (r.probability as number) : null,
      modelVersion: r.model_version as number,
    } satisfies PredictionRecord,
  }))
  all.sort((a, b) => b.record.time.getTime() - a.record.time.getTime() || (b.order > a.order ? 1 : b.order < a.order ? -1 : 0))
  const records = all.map((a) => a.record)
  const serving = await findServingVersion(registry, system)
  const base = {
    system: system.name,
    task,
    unit: system.label.unit ?? null,
    latest: records[0] ?? null,
    recent: records.slice(0, options.recent ?? 20),
    servingModel: serving ? { name: serving.name, version: serving.version, metrics: serving.metrics } : null,
  }
  return task === 'classification' ? { ...base, ...classificationHistory(system, records) } : { ...base, ...regressionHistory(records) }
}

const byDayOrder = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

function classificationHistory(system: SystemDescription, all: readonly PredictionRecord[]): Pick<MonitorData, 'confusion' | 'accuracyOverTime' | 'errorOverTime' | 'totals'> {
  const labels = labelClasses(system).map((c) => c.name)
  const index = new Map<unknown, number>(labels.map((l, i) => [l, i]))
  const matrix = labels.map(() => labels.map(() => 0))
  const byDay = new Map<string, { n: number; ok: number }>()
  let withActual = 0
  let correct = 0
  for (const p of all) {
    if (p.actual === null) continue
    const i = index.get(p.actual)
    const j = index.get(p.predicted)
    if (i !== undefined && j !== undefined) matrix[i][j]++
    withActual++
    const ok = p.actual === p.predicted ? 1 : 0
    correct += ok
    const day = p.time.toISOString().slice(0, 10)
    const d = byDay.get(day) ?? { n: 0, ok: 0 }
    d.n++
    d.ok += ok
    byDay.set(day, d)
  }
  let runN = 0
  let runOk = 0
  const accuracyOverTime = byDayOrder(byDay).map(([day, d]) => {
    runN += d.n
    runOk += d.ok
    return { day, predictions: d.n, accuracy: d.ok / d.n, cumulativeAccuracy: runOk / runN }
  })
  return {
    confusion: { labels, matrix },
    accuracyOverTime,
    errorOverTime: [],
    totals: { predictions: all.length, withActual, correct, accuracy: withActual ? correct / withActual : null, mae: null, rmse: null },
  }
}

function regressionHistory(all: readonly PredictionRecord[]): Pick<MonitorData, 'confusion' | 'accuracyOverTime' | 'errorOverTime' | 'totals'> {
  const known = all.filter((p) => p.actual !== null)
  const byDay = new Map<string, { predicted: number[]; actual: number[] }>()
  for (const p of known) {
    const day = p.time.toISOString().slice(0, 10)
    const d = byDay.get(day) ?? { predicted: [], actual: [] }
    d.predicted.push(p.predicted as number)
    d.actual.push(p.actual as number)
    byDay.set(day, d)
  }
  let runN = 0
  let runAbs = 0
  const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length
  const errorOverTime = byDayOrder(byDay).map(([day, d]): ErrorPoint => {
    // The cumulative figure is a running sum of absolute errors (not re-summed pairwise): equal to MAE up to rounding.
    for (let i = 0; i < d.actual.length; i++) runAbs += Math.abs(d.predicted[i] - d.actual[i])
    runN += d.actual.length
    return { day, predictions: d.actual.length, mae: meanAbsoluteError(d.actual, d.predicted), cumulativeMae: runAbs / runN, meanPredicted: mean(d.predicted), meanActual: mean(d.actual) }
  })
  const yTrue = known.map((p) => p.actual as number)
  const yPred = known.map((p) => p.predicted as number)
  return {
    confusion: { labels: [], matrix: [] },
    accuracyOverTime: [],
    errorOverTime,
    totals: {
      predictions: all.length,
      withActual: known.length,
      correct: null,
      accuracy: null,
      mae: known.length ? meanAbsoluteError(yTrue, yPred) : null,
      rmse: known.length ? rootMeanSquaredError(yTrue, yPred) : null,
    },
  }
}
