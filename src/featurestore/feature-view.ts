import { NotFoundError, validationError, type SqlDialect } from '../db/index.js'
import { Random } from '../ml/random.js'
import type { Matrix } from '../ml/matrix.js'
import type { ColumnBatch, FeatureGroup } from './feature-group.js'
import type { FittedTransformation, ReadOptions, Row, TransformationKind } from './types.js'
import { applyTransformation, fitTransformation, outputNames } from './transformations.js'

export interface FeatureViewMetadata {
  readonly id: number
  readonly name: string
  readonly version: number
  readonly description: string
  readonly featureGroupId: number
  /** Every selected column, labels included. */
  readonly features: readonly string[]
  readonly labels: readonly string[]
  readonly transformations: Readonly<Record<string, TransformationKind>>
  readonly createdAt: Date
}

export interface TrainingDatasetMetadata {
  readonly id: number
  readonly featureViewId: number
  readonly version: number
  /** The feature-group commit the data was read as of (lineage). */
  readonly commitId: number | null
  readonly testSize: number
  readonly seed: number
  readonly stratify: boolean
  readonly trainRows: number
  readonly testRows: number
  /** Transformations fitted on the training split, applied unchanged at inference. */
  readonly fitted: Readonly<Record<string, FittedTransformation>>
  readonly createdAt: Date
}

export type LabelArray = Float64Array | (string | null)[]

export interface TrainTestSplit {
  readonly xTrain: Matrix
  readonly xTest: Matrix
  /** Values of the first label (label-encoded when the view says so); empty for a view without labels. */
  readonly yTrain: LabelArray
  readonly yTest: LabelArray
  /** Model input names in column order (one-hot columns expanded). */
  readonly featureNames: readonly string[]
  /** Row indices into the key-ordered data, for tracing a row back to its primary key. */
  readonly trainIndex: Int32Array
  readonly testIndex: Int32Array
  readonly trainingDataset: TrainingDatasetMetadata
}

export interface TrainTestSplitOptions {
  /** Fraction of rows held out for testing, in (0, 1); default 0.2. */
  readonly testSize?: number
  readonly seed?: number
  /** Keep each label's share the same in both splits. */
  readonly stratify?: boolean
  /** Read the group as of this commit; default the latest. */
  readonly asOf?: number
}

export interface BatchData {
  readonly x: Matrix
  /** Primary-key values of each row, in the order of `x`. */
  readonly keys: Row[]
  /** Label values when the rows have them (e.g. synthetic rows with a known outcome). */
  readonly y: LabelArray | null
  readonly featureNames: readonly string[]
  readonly trainingDataset: TrainingDatasetMetadata
}

export interface BatchDataOptions extends Pick<ReadOptions, 'since' | 'sinceCommit' | 'asOf'> {
  /** Which training dataset's fitted transformations to apply; default the latest. */
  readonly trainingDatasetVersion?: number
}

/** A model's view of a feature group: its input features, its labels and their transformations. */
export class FeatureView {
  constructor(
    private readonly db: SqlDialect,
    readonly metadata: FeatureViewMetadata,
    readonly featureGroup: FeatureGroup,
  ) {}

  get name(): string {
    return this.metadata.name
  }
  get version(): number {
    return this.metadata.version
  }
  get labels(): readonly string[] {
    return this.metadata.labels
  }

  /** Raw model inputs: the selected columns minus labels and the event-time column (never a model input). */
  get inputColumns(): string[] {
    const et = this.featureGroup.eventTime
    return this.metadata.features.filter((f) => !this.metadata.labels.includes(f) && f !== et)
  }

  /** Model input names after transformations, for a fitted training dataset. */
  featureNames(td: TrainingDatasetMetadata): string[] {
    return this.inputColumns.flatMap((c) => outputNames(c, td.fitted[c]))
  }

  /**
   * Reads the group as of a commit, shuffles with the seed, splits, fits the transformations on the
   * training rows and records the training dataset. Same commit + seed → the same rows in the same order.
   */
  async trainTestSplit(options: TrainTestSplitOptions = {}): Promise<TrainTestSplit> {
    const testSize = options.testSize ?? 0.2
    const seed = options.seed ?? 42
    if (!(testSize > 0 && testSize < 1)) throw validationError([{ column: 'testSize', reason: `must be between 0 and 1 (exclusive), got ${testSize}` }], 'split options')
    if (!Number.isInteger(seed)) throw validationError([{ column: 'seed', reason: `must be an integer, got ${seed}` }], 'split options')
    const commitId = options.asOf ?? (await this.featureGroup.latestCommit())?.id
    if (commitId === undefined) throw validationError([{ reason: `feature group ${this.featureGroup.name} has no data yet` }], 'split')
    const data = await this.featureGroup.readColumns([...this.inputColumns, ...this.metadata.labels], { asOf: commitId })
    const { train, test } = splitIndices(data, this.metadata.labels[0], testSize, seed, options.stratify ?? false)
    if (train.length === 0 || test.length === 0) throw validationError([{ reason: `${data.nRows} rows are too few to split with testSize ${testSize}` }], 'split')
    const fitted: Record<string, FittedTransformation> = {}
    for (const [col, kind] of Object.entries(this.metadata.transformations)) fitted[col] = fitTransformation(kind, col, data.columns[col], train)
    const td = await this.recordTrainingDataset({ commitId, testSize, seed, stratify: options.stratify ?? false, trainRows: train.length, testRows: test.length, fitted })
    return this.assemble(data, train, test, td)
  }

  /** Re-reads a recorded training dataset: identical rows, order and transformations. */
  async getTrainTestSplit(version?: number): Promise<TrainTestSplit> {
    const td = await this.getTrainingDataset(version)
    const data = await this.featureGroup.readColumns([...this.inputColumns, ...this.metadata.labels], td.commitId === null ? {} : { asOf: td.commitId })
    const { train, test } = splitIndices(data, this.metadata.labels[0], td.testSize, td.seed, td.stratify)
    return this.assemble(data, train, test, td)
  }

  async trainingDatasets(): Promise<TrainingDatasetMetadata[]> {
    const rows = await this.db.kysely.selectFrom('sml_training_datasets').selectAll().where('feature_view_id', '=', this.metadata.id).orderBy('version').execute()
    return rows.map(toTrainingDataset)
  }

  async getTrainingDataset(version?: number): Promise<TrainingDatasetMetadata> {
    let q = this.db.kysely.selectFrom('sml_training_datasets').selectAll().where('feature_view_id', '=', this.metadata.id)
    q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version)
    const r = await q.executeTakeFirst()
    if (!r) throw new NotFoundError(version === undefined ? `feature view ${this.name} v${this.version} has no training dataset yet: run trainTestSplit first` : `feature view ${this.name} v${this.version} has no training dataset ${version}`)
    return toTrainingDataset(r)
  }

  /** Rows for batch inference (e.g. those added since a commit), transformed as the training data was. */
  async getBatchData(options: BatchDataOptions = {}): Promise<BatchData> {
    const td = await this.getTrainingDataset(options.trainingDatasetVersion)
    const keyCols = this.featureGroup.primaryKey
    const labelCols = this.metadata.labels
    const readCols = [...new Set([...keyCols, ...this.inputColumns, ...labelCols])]
    const data = await this.featureGroup.readColumns(readCols, options)
    const all = iota(data.nRows)
    const keys: Row[] = new Array(data.nRows)
    for (let i = 0; i < data.nRows; i++) {
      const k: Row = {}
      for (const c of keyCols) k[c] = data.columns[c][i] as Row[string]
      keys[i] = k
    }
    const y = labelCols.length ? take(data.columns[labelCols[0]], all) : null
    return { x: this.toMatrix(data, all, td), keys, y, featureNames: this.featureNames(td), trainingDataset: td }
  }

  /** Online lookup of one row by primary key, transformed for the model. */
  async getFeatureVector(key: Row, options: { trainingDatasetVersion?: number } = {}): Promise<number[]> {
    const [v] = await this.getFeatureVectors([key], options)
    return v
  }

  async getFeatureVectors(keys: readonly Row[], options: { trainingDatasetVersion?: number } = {}): Promise<number[][]> {
    const td = await this.getTrainingDataset(options.trainingDatasetVersion)
    const rows = await this.featureGroup.lookup(keys)
    return rows.map((row, i) => {
      if (!row) throw new NotFoundError(`no row in ${this.featureGroup.name} v${this.featureGroup.version} with key ${JSON.stringify(keys[i])}`)
      return Array.from(this.transformRows([row], td).data)
    })
  }

  /** Transforms raw input rows (e.g. from a prediction request) exactly as training data was. */
  transformRows(rows: readonly Row[], td: TrainingDatasetMetadata): Matrix {
    const cols = this.inputColumns
    const nCols = this.featureNames(td).length
    const data = new Float64Array(rows.length * nCols)
    for (let r = 0; r < rows.length; r++) {
      let o = r * nCols
      for (const c of cols) o += applyTransformation(c, td.fitted[c], rows[r][c], data, o)
    }
    return { data, nRows: rows.length, nCols }
  }

  private toMatrix(data: ColumnBatch, idx: ArrayLike<number>, td: TrainingDatasetMetadata): Matrix {
    const cols = this.inputColumns
    const widths = cols.map((c) => outputNames(c, td.fitted[c]).length)
    const nCols = widths.reduce((a, b) => a + b, 0)
    const out = new Float64Array(idx.length * nCols)
    let offset = 0
    cols.forEach((c, j) => {
      const values = data.columns[c]
      const t = td.fitted[c]
      if (!t && values instanceof Float64Array) {
        for (let i = 0; i < idx.length; i++) out[i * nCols + offset] = values[idx[i]]
      } else {
        for (let i = 0; i < idx.length; i++) applyTransformation(c, t, values[idx[i]], out, i * nCols + offset)
      }
      offset += widths[j]
    })
    return { data: out, nRows: idx.length, nCols }
  }

  private assemble(data: ColumnBatch, train: Int32Array, test: Int32Array, td: TrainingDatasetMetadata): TrainTestSplit {
    const label = this.metadata.labels[0]
    const labels = data.columns[label]
    const encode = (idx: Int32Array): LabelArray => {
      if (label === undefined) return new Float64Array(0)
      const t = td.fitted[label]
      if (!t) return take(labels, idx)
      const out = new Float64Array(idx.length)
      for (let i = 0; i < idx.length; i++) applyTransformation(label, t, labels[idx[i]], out, i)
      return out
    }
    return {
      xTrain: this.toMatrix(data, train, td),
      xTest: this.toMatrix(data, test, td),
      yTrain: encode(train),
      yTest: encode(test),
      featureNames: this.featureNames(td),
      trainIndex: train,
      testIndex: test,
      trainingDataset: td,
    }
  }

  private async recordTrainingDataset(td: Omit<TrainingDatasetMetadata, 'id' | 'featureViewId' | 'version' | 'createdAt'>): Promise<TrainingDatasetMetadata> {
    return this.db.transaction(async (tx) => {
      // Versions are the last one + 1: two splits at once would otherwise both take it (a duplicate-key failure).
      await tx.lockUntilEnd('sml_training_datasets')
      const last = await tx.kysely
        .selectFrom('sml_training_datasets')
        .select('version')
        .where('feature_view_id', '=', this.metadata.id)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst()
      const version = last ? Number(last.version) + 1 : 1
      const createdAt = Date.now()
      const { id } = await tx.kysely
        .insertInto('sml_training_datasets')
        .values({
          feature_view_id: this.metadata.id,
          version,
          commit_id: td.commitId,
          test_size: td.testSize,
          seed: td.seed,
          stratify: td.stratify ? 1 : 0,
          train_rows: td.trainRows,
          test_rows: td.testRows,
          fitted: JSON.stringify(td.fitted),
          created_at: createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return { ...td, id: Number(id), featureViewId: this.metadata.id, version, createdAt: new Date(createdAt) }
    })
  }
}

/** 0, 1, …, n-1 (a plain loop: Int32Array.from with a mapper is many times slower). */
function iota(n: number): Int32Array {
  const a = new Int32Array(n)
  for (let i = 0; i < n; i++) a[i] = i
  return a
}

function take(values: LabelArray, idx: ArrayLike<number>): LabelArray {
  if (values instanceof Float64Array) {
    const out = new Float64Array(idx.length)
    for (let i = 0; i < idx.length; i++) out[i] = values[idx[i]]
    return out
  }
  return Array.from({ length: idx.length }, (_, i) => values[idx[i]])
}

/** Seeded shuffle split (test rows first in the permutation, as scikit-learn's ShuffleSplit); per label when stratified. */
export function splitIndices(data: ColumnBatch, label: string | undefined, testSize: number, seed: number, stratify: boolean): { train: Int32Array; test: Int32Array } {
  const n = data.nRows
  const rng = new Random(seed)
  if (label !== undefined) {
    const y = data.columns[label]
    for (let i = 0; i < n; i++) {
      const v = y[i]
      if (v === null || (typeof v === 'number' && Number.isNaN(v))) throw validationError([{ row: i + 1, column: label, reason: 'missing label value' }], 'training data')
    }
  }
  if (!stratify || label === undefined) {
    const perm = rng.shuffle(iota(n))
    const nTest = Math.ceil(testSize * n)
    return { test: perm.slice(0, nTest), train: perm.slice(nTest) }
  }
  const y = data.columns[label]
  const groups = new Map<unknown, number[]>()
  for (let i = 0; i < n; i++) {
    const g = groups.get(y[i])
    if (g) g.push(i)
    else groups.set(y[i], [i])
  }
  const train: number[] = []
  const test: number[] = []
  for (const key of [...groups.keys()].sort((a, b) => String(a).localeCompare(String(b)))) {
    const g = rng.shuffle(groups.get(key)!)
    const nTest = Math.round(testSize * g.length)
    test.push(...g.slice(0, nTest))
    train.push(...g.slice(nTest))
  }
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) }
}

export function toViewMetadata(r: Record<string, any>): FeatureViewMetadata {
  return {
    id: Number(r.id),
    name: r.name,
    version: Number(r.version),
    description: r.description,
    featureGroupId: Number(r.feature_group_id),
    features: JSON.parse(r.features),
    labels: JSON.parse(r.labels),
    transformations: JSON.parse(r.transformations),
    createdAt: new Date(Number(r.created_at)),
  }
}

function toTrainingDataset(r: Record<string, any>): TrainingDatasetMetadata {
  return {
    id: Number(r.id),
    featureViewId: Number(r.feature_view_id),
    version: Number(r.version),
    commitId: r.commit_id === null ? null : Number(r.commit_id),
    testSize: Number(r.test_size),
    seed: Number(r.seed),
    stratify: Number(r.stratify) === 1,
    trainRows: Number(r.train_rows),
    testRows: Number(r.test_rows),
    fitted: JSON.parse(r.fitted),
    createdAt: new Date(Number(r.created_at)),
  }
}
