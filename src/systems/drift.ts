import { NotFoundError } from '../db/index.js'
import type { ColumnBatch, FeatureGroup, FeatureStore } from '../featurestore/index.js'
import { ksTwoSample, populationStabilityIndex } from '../ml/index.js'
import type { ModelRegistry } from '../registry/index.js'
import { findServingVersion, trainedFeatureView } from './serving.js'
import type { SystemDescription } from './system.js'

export interface FeatureDrift {
  readonly column: string
  readonly label: string
  readonly referenceRows: number
  readonly currentRows: number
  /** Null when there are no current rows at all. */
  readonly psi: number | null
  readonly ks: number | null
  readonly ksPValue: number | null
  /** `insufficient`: fewer current rows than `minRows`, so the numbers (if any) are not judged. */
  readonly status: 'stable' | 'drift' | 'insufficient'
}

export interface DriftReport {
  readonly system: string
  readonly model: { readonly name: string; readonly version: number }
  readonly trainingDatasetVersion: number
  /** Feature-group commit the training split was read as of. */
  readonly trainingCommit: number | null
  readonly referenceRows: number
  /** Current data: rows added to the feature group after the training commit, and logged online requests in the window. */
  readonly currentRows: { readonly features: number; readonly requests: number }
  readonly windowStart: Date
  readonly minRows: number
  readonly psiThreshold: number
  /** Whether there are enough current rows to judge drift at all. */
  readonly enough: boolean
  readonly features: readonly FeatureDrift[]
}

export interface DriftOptions {
  /** End of the request window; default now. */
  readonly now?: Date
  /** Days of `<system>_requests` to include; default 30. */
  readonly windowDays?: number
  /** Fewer current rows than this are "not enough recent data"; default 30. */
  readonly minRows?: number
  /** PSI above this is flagged as drift; default 0.2. */
  readonly psiThreshold?: number
}

function finite(values: ColumnBatch['columns'][string], idx?: ArrayLike<number>): number[] {
  const out: number[] = []
  const n = idx ? idx.length : values.length
  for (let k = 0; k < n; k++) {
    const v = values[idx ? idx[k] : k]
    const x = typeof v === 'number' ? v : v === null ? Number.NaN : Number(v)
    if (Number.isFinite(x)) out.push(x)
  }
  return out
}

async function optionalGroup(fs: FeatureStore, name: string): Promise<FeatureGroup | null> {
  try {
    return await fs.getFeatureGroup(name)
  } catch (e) {
    if (e instanceof NotFoundError) return null
    throw e
  }
}

/**
 * Per model input, how far recent data has moved from what the serving model was trained on: PSI (10
 * reference-quantile bins) and the two-sample KS statistic. Reference = the training split rows of the
 * serving model's training dataset; current = rows committed after that training commit plus online
 * requests of the last `windowDays`. Null when the system has no model yet.
 */
export async function featureDrift(fs: FeatureStore, registry: ModelRegistry, system: SystemDescription, options: DriftOptions = {}): Promise<DriftReport | null> {
  const now = options.now ?? new Date()
  const windowDays = options.windowDays ?? 30
  const minRows = options.minRows ?? 30
  const psiThreshold = options.psiThreshold ?? 0.2
  const version = await findServingVersion(registry, system)
  if (version === null) return null
  const fv = await trainedFeatureView(fs, system, version)
  const td = await fv.getTrainingDataset(version.lineage.trainingDatasetVersion ?? undefined)
  const inputs = system.fields.map((f) => f.name)
  const label = system.label.column

  // The exact training rows: the group as of the training commit, split as the training dataset was.
  const { data, train } = await fv.readTrainingDataset(td, [...inputs, label])

  // Through the view, so a joined input (a time series' window feature) is read as the model reads it.
  const added = td.commitId === null ? null : await fv.readColumns(inputs, { sinceCommit: td.commitId })
  const windowStart = new Date(now.getTime() - windowDays * 86_400_000)
  const requestsGroup = await optionalGroup(fs, `${system.name}_requests`)
  const requests = requestsGroup && (await requestsGroup.count()) > 0 ? await requestsGroup.readColumns(inputs, { since: windowStart }) : null

  const features = system.fields.map((f): FeatureDrift => {
    const reference = finite(data.columns[f.name], train)
    const current = [...(added ? finite(added.columns[f.name]) : []), ...(requests ? finite(requests.columns[f.name]) : [])]
    if (current.length === 0 || reference.length === 0)
      return { column: f.name, label: f.label, referenceRows: reference.length, currentRows: current.length, psi: null, ks: null, ksPValue: null, status: 'insufficient' }
    const psi = populationStabilityIndex(reference, current).psi
    const ks = ksTwoSample(reference, current)
    const status = current.length < minRows ? 'insufficient' : psi > psiThreshold ? 'drift' : 'stable'
    return { column: f.name, label: f.label, referenceRows: reference.length, currentRows: current.length, psi, ks: ks.statistic, ksPValue: ks.pValue, status }
  })
  const currentRows = { features: added?.nRows ?? 0, requests: requests?.nRows ?? 0 }
  return {
    system: system.name,
    model: { name: version.name, version: version.version },
    trainingDatasetVersion: td.version,
    trainingCommit: td.commitId,
    referenceRows: train.length,
    currentRows,
    windowStart,
    minRows,
    psiThreshold,
    enough: currentRows.features + currentRows.requests >= minRows,
    features,
  }
}
