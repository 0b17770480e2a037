import type { FeatureStore } from '../featurestore/index.js'
import type { ModelRegistry } from '../registry/index.js'
import { predictionsFeatureGroup } from './feature-groups.js'
import { findServingVersion } from './serving.js'
import type { SystemDescription } from './system.js'

export interface PredictionRecord {
  readonly key: number | string
  readonly time: Date
  readonly predicted: string
  readonly actual: string | null
  readonly probability: number
  readonly modelVersion: number
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
  readonly latest: PredictionRecord | null
  /** Newest first. */
  readonly recent: readonly PredictionRecord[]
  /** Over all predictions with a known outcome: rows true, columns predicted, in class order. */
  readonly confusion: { readonly labels: readonly string[]; readonly matrix: readonly (readonly number[])[] }
  readonly accuracyOverTime: readonly AccuracyPoint[]
  readonly totals: { readonly predictions: number; readonly withActual: number; readonly correct: number; readonly accuracy: number | null }
  readonly servingModel: { readonly name: string; readonly version: number; readonly metrics: Readonly<Record<string, number>> } | null
}

/** The monitor of a system, computed from its predictions history. */
export async function monitorData(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, options: { recent?: number } = {}): Promise<MonitorData> {
  const fg = await predictionsFeatureGroup(fs, system)
  const key = system.featureGroup.primaryKey
  const all: PredictionRecord[] = (await fg.read()).map((r) => ({
    key: r[key] as number | string,
    time: r.ts as Date,
    predicted: r.predicted as string,
    actual: (r.actual as string | null) ?? null,
    probability: r.probability as number,
    modelVersion: r.model_version as number,
  }))
  all.sort((a, b) => b.time.getTime() - a.time.getTime() || (b.key > a.key ? 1 : b.key < a.key ? -1 : 0))
  const labels = system.label.classes.map((c) => c.name)
  const index = new Map(labels.map((l, i) => [l, i]))
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
  const accuracyOverTime = [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([day, d]) => {
      runN += d.n
      runOk += d.ok
      return { day, predictions: d.n, accuracy: d.ok / d.n, cumulativeAccuracy: runOk / runN }
    })
  const serving = await findServingVersion(registry, system)
  return {
    system: system.name,
    latest: all[0] ?? null,
    recent: all.slice(0, options.recent ?? 20),
    confusion: { labels, matrix },
    accuracyOverTime,
    totals: { predictions: all.length, withActual, correct, accuracy: withActual ? correct / withActual : null },
    servingModel: serving ? { name: serving.name, version: serving.version, metrics: serving.metrics } : null,
  }
}
