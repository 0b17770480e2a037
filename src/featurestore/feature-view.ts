import { NotFoundError, validationError, type ColumnType, type SqlDialect } from '../db/index.js'
import type { Matrix } from '../ml/matrix.js'
import type { ColumnBatch, FeatureGroup } from './feature-group.js'
import type { FittedTransformation, ReadOptions, Row, TransformationKind } from './types.js'
import { applyTransformation, fitTransformation, outputNames } from './transformations.js'
import { checkModelInputs, fromModelValue, rowsToColumns, transformColumns } from './model-input.js'
import { joinedColumns } from './feature-query.js'
import { asOfIndex, gather } from './point-in-time.js'
import { checkLabelPresent, checkSplitOptions, iota, splitIndices, timeSplitIndices } from './splits.js'

export { approximateMode, splitIndices } from './splits.js'

/** A group joined into a view point-in-time correct, as stored with the view (see `FeatureQuery.join`). */
export interface FeatureViewJoin {
  readonly featureGroupId: number
  /** Columns selected in the joined group, by their names there. */
  readonly features: readonly string[]
  readonly on: readonly string[]
  readonly prefix: string
}

export interface FeatureViewMetadata {
  readonly id: number
  readonly name: string
  readonly version: number
  readonly description: string
  /** The left (label) group: it gives the rows. */
  readonly featureGroupId: number
  /** Every column of the view, labels included: the left group's selection, then the joined groups' (prefixed). */
  readonly features: readonly string[]
  /** Groups joined point-in-time correct, in join order; empty for a view of one group. */
  readonly joins: readonly FeatureViewJoin[]
  readonly labels: readonly string[]
  readonly transformations: Readonly<Record<string, TransformationKind>>
  readonly createdAt: Date
}

export interface TrainingDatasetMetadata {
  readonly id: number
  readonly featureViewId: number
  readonly version: number
  /**
   * The commit the data was read as of (lineage). Commit ids are one sequence for the whole store, so for a
   * view that joins groups this is the latest commit of any of them, and every group is read as of it.
   */
  readonly commitId: number | null
  /** How rows were split: 'random' (seeded shuffle) or 'time' (training rows strictly before `testStart`). */
  readonly split: SplitKind
  /** Time split: the first instant of the test set (every row at or after it is a test row); null for a random split. */
  readonly testStart: Date | null
  /** Share of rows held out for testing: as asked for a random split, as it came out for a time split. */
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

export type SplitKind = 'random' | 'time'

export interface TrainTestSplitOptions {
  /**
   * 'random' (default): a seeded shuffle, optionally stratified, with scikit-learn's sizes.
   * 'time': by the left group's event time, for time series: every training row is strictly before every test
   * row; train and test rows each come in event-time order (key order on an equal time). Give `testStart` or
   * `testSize` (default 0.2), not both; `seed` plays no part and `stratify` is refused.
   */
  readonly split?: SplitKind
  /**
   * Random split: fraction of rows held out for testing, in (0, 1); default 0.2. The test set has
   * ceil(testSize × n) rows and the training set the rest, as scikit-learn's train_test_split; a split that
   * leaves either empty is refused. A number of rows (scikit-learn's integer test_size) is not accepted.
   * Time split: the last fraction of rows by event time. The test set starts at the event time of the row
   * that ceil(testSize × n) rows from the end falls on, and rows sharing that instant all go to the test set
   * (ties are never split across the sets), so it may hold a few more rows than ceil(testSize × n).
   */
  readonly testSize?: number
  /** Time split: rows with an event time at or after this instant are the test set, the earlier ones training. */
  readonly testStart?: Date
  readonly seed?: number
  /**
   * Keep each label's share the same in both splits, allotted as scikit-learn's StratifiedShuffleSplit does
   * (largest remainders). Needs a label with at least 2 rows of each value, and at least as many rows in
   * each split as there are values.
   */
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
    /** The left (label) group: it gives the rows. */
    readonly featureGroup: FeatureGroup,
    /** The joined groups, one per entry of `metadata.joins`. */
    readonly joinedGroups: readonly FeatureGroup[] = [],
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

  // Both derived once from the view's fixed metadata and its groups' schemas: the predict API asks for them
  // on every request (transformRows).
  #inputColumns: readonly string[] | undefined
  #inputTypes: Readonly<Record<string, ColumnType>> | undefined

  /** Raw model inputs: the selected columns minus labels and the event-time column (never a model input). */
  get inputColumns(): readonly string[] {
    if (this.#inputColumns === undefined) {
      const et = this.featureGroup.eventTime
      this.#inputColumns = Object.freeze(this.metadata.features.filter((f) => !this.metadata.labels.includes(f) && f !== et))
    }
    return this.#inputColumns
  }

  /** Model input names after transformations, for a fitted training dataset. */
  featureNames(td: TrainingDatasetMetadata): string[] {
    return this.inputColumns.flatMap((c) => outputNames(c, td.fitted[c]))
  }

  /** Column types of the model inputs, from the groups' schemas. */
  get inputTypes(): Readonly<Record<string, ColumnType>> {
    if (this.#inputTypes === undefined) {
      const joined = this.joinedColumnMap()
      this.#inputTypes = Object.freeze(Object.fromEntries(this.inputColumns.map((c) => [c, joined.get(c)?.type ?? this.featureGroup.feature(c).type])))
    }
    return this.#inputTypes
  }

  /** Each joined column of the view: which join it comes from, its name in that group, its type. */
  private joinedColumnMap(): Map<string, { join: number; source: string; type: ColumnType }> {
    const out = new Map<string, { join: number; source: string; type: ColumnType }>()
    this.metadata.joins.forEach((j, k) => {
      for (const c of joinedColumns(this.joinedGroups[k], j.features, j.on, j.prefix)) out.set(c.name, { join: k, source: c.source, type: c.type })
    })
    return out
  }

  /**
   * The view's columns for the left group's rows that a read with these options sees, in the left group's
   * key order. Each joined column holds, per row, the value of its group's as-of match (point-in-time.ts):
   * the latest version with equal `on` values and an event time at or before the row's, every commit up to
   * `asOf` counted (the later commit wins on an equal time, then the greater primary key); missing (NaN or
   * null) where there is none. `since` / `sinceCommit` choose left rows only: joined rows of any age may match.
   * The left group's `on` and event-time columns come along in the batch.
   * Without `asOf` the read is as of the latest commit of the view's groups when it starts: every group is
   * then read in the same state (a commit landing between the reads of two groups is not seen by either),
   * and a large read may go in parallel slices.
   */
  async readColumns(columns: readonly string[], readOptions: ReadOptions = {}): Promise<ColumnBatch> {
    const fg = this.featureGroup
    const asOf = readOptions.asOf ?? (await this.snapshotCommit())
    const options = asOf === undefined ? readOptions : { ...readOptions, asOf }
    if (this.metadata.joins.length === 0) return fg.readColumns(columns, options)
    const joined = this.joinedColumnMap()
    const et = fg.eventTime!
    const leftCols = [...new Set([...columns.filter((c) => !joined.has(c)), ...this.metadata.joins.flatMap((j) => j.on), et])]
    const [left, ...rights] = await Promise.all([
      fg.readColumns(leftCols, options),
      ...this.metadata.joins.map((j, k) => {
        const wanted = columns.filter((c) => joined.get(c)?.join === k).map((c) => joined.get(c)!.source)
        return wanted.length ? this.joinedGroups[k].readTimeline(j.on, wanted, options.asOf) : null
      }),
    ])
    const out = { ...left.columns }
    const types = { ...left.types }
    rights.forEach((r, k) => {
      if (!r) return
      const j = this.metadata.joins[k]
      const idx = asOfIndex({ nRows: left.nRows, keys: j.on.map((c) => left.columns[c]), time: left.columns[et] as Float64Array }, r)
      for (const c of columns) {
        const m = joined.get(c)
        if (m?.join !== k) continue
        out[c] = gather(r.columns[m.source], idx)
        types[c] = m.type
      }
    })
    return { nRows: left.nRows, columns: out, types }
  }

  /** The commit a split reads as of: the left group's latest, or with joins the latest of any of the view's groups. */
  private async snapshotCommit(): Promise<number | undefined> {
    const left = await this.featureGroup.latestCommit()
    if (!left) return undefined
    const others = await Promise.all(this.joinedGroups.map((g) => g.latestCommit()))
    return Math.max(left.id, ...others.map((c) => c?.id ?? 0))
  }

  /** Train and test row indices of a recorded (or about to be recorded) split of `data`, which holds the labels and, for a time split, the event time. */
  private splitOf(data: ColumnBatch, td: Pick<TrainingDatasetMetadata, 'split' | 'testStart' | 'testSize' | 'seed' | 'stratify'>): { train: Int32Array; test: Int32Array } {
    if (td.split === 'time') return timeSplitIndices(data.columns[this.featureGroup.eventTime!] as Float64Array, { testStart: td.testStart!.getTime() })
    return splitIndices(data, this.metadata.labels[0], td.testSize, td.seed, td.stratify)
  }

  /** Columns a split reads: inputs, labels and, for a time split, the event time. */
  private splitColumns(split: SplitKind): string[] {
    const et = this.featureGroup.eventTime
    return [...new Set([...this.inputColumns, ...this.metadata.labels, ...(split === 'time' && et ? [et] : [])])]
  }

  /**
   * Reads the group as of a commit, shuffles with the seed, splits, fits the transformations on the
   * training rows and records the training dataset. Same commit + seed → the same rows in the same order.
   * Checks come first and the record last, in one transaction: a split refused for any reason (options,
   * a text input without an encoder, too few rows or members of a class, a value a transformation cannot
   * take) throws ValidationError and records nothing.
   */
  async trainTestSplit(options: TrainTestSplitOptions = {}): Promise<TrainTestSplit> {
    const { split, testSize, testStart, seed, stratify } = checkSplitOptions(options, this.metadata, this.featureGroup.eventTime)
    checkModelInputs(this.inputColumns, this.inputTypes, this.metadata.transformations)
    const commitId = options.asOf ?? (await this.snapshotCommit())
    if (commitId === undefined) throw validationError([{ reason: `feature group ${this.featureGroup.name} has no data yet` }], 'split')
    const data = await this.readColumns(this.splitColumns(split), { asOf: commitId })
    let parts: { train: Int32Array; test: Int32Array; testStart?: number }
    if (split === 'time') {
      checkLabelPresent(data, this.metadata.labels[0])
      parts = timeSplitIndices(data.columns[this.featureGroup.eventTime!] as Float64Array, { testStart: testStart?.getTime(), testSize })
    } else parts = splitIndices(data, this.metadata.labels[0], testSize!, seed, stratify)
    const { train, test } = parts
    const fitted: Record<string, FittedTransformation> = {}
    for (const [col, kind] of Object.entries(this.metadata.transformations)) fitted[col] = fitTransformation(kind, col, data.columns[col], train)
    const assembled = this.assemble(data, train, test, fitted)
    const trainingDataset = await this.recordTrainingDataset({
      commitId,
      split,
      testStart: split === 'time' ? new Date(parts.testStart!) : null,
      testSize: split === 'time' ? test.length / data.nRows : testSize!,
      seed,
      stratify,
      trainRows: train.length,
      testRows: test.length,
      fitted,
    })
    return { ...assembled, trainingDataset }
  }

  /** Re-reads a recorded training dataset: identical rows, order and transformations. */
  async getTrainTestSplit(version?: number): Promise<TrainTestSplit> {
    const td = await this.getTrainingDataset(version)
    const { data, train, test } = await this.readTrainingDataset(td)
    return { ...this.assemble(data, train, test, td.fitted), trainingDataset: td }
  }

  /**
   * A recorded training dataset's rows, raw (before transformations): the view's columns (and `extra` left-group
   * columns, e.g. the primary key) read as of its commit, with its training and test row indices. What the
   * split itself read, so the indices select the same rows (promotion and drift re-check training data so).
   */
  async readTrainingDataset(td: TrainingDatasetMetadata, extra: readonly string[] = []): Promise<{ data: ColumnBatch; train: Int32Array; test: Int32Array }> {
    const data = await this.readColumns([...new Set([...this.splitColumns(td.split), ...extra])], td.commitId === null ? {} : { asOf: td.commitId })
    return { data, ...this.splitOf(data, td) }
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

  /**
   * Rows for batch inference (e.g. those added since a commit), transformed as the training data was;
   * `keys` are row values (Date, boolean) that `getFeatureVector` takes back.
   */
  async getBatchData(options: BatchDataOptions = {}): Promise<BatchData> {
    const td = await this.getTrainingDataset(options.trainingDatasetVersion)
    const keyCols = this.featureGroup.primaryKey
    const labelCols = this.metadata.labels
    const readCols = [...new Set([...keyCols, ...this.inputColumns, ...labelCols])]
    const data = await this.readColumns(readCols, options)
    const all = iota(data.nRows)
    const keys: Row[] = new Array(data.nRows)
    for (let i = 0; i < data.nRows; i++) {
      const k: Row = {}
      for (const c of keyCols) k[c] = fromModelValue(data.types[c], data.columns[c][i])
      keys[i] = k
    }
    const y = labelCols.length ? take(data.columns[labelCols[0]], all) : null
    return { x: transformColumns(data, all, this.inputColumns, td.fitted), keys, y, featureNames: this.featureNames(td), trainingDataset: td }
  }

  /**
   * Online lookup of one row by the left group's primary key, transformed for the model: equal to that row of
   * `getBatchData`. A joined group contributes its latest version (every commit counted) with the row's `on`
   * values at or before the row's event time, as the batch read's merge does; missing values where none is.
   */
  async getFeatureVector(key: Row, options: { trainingDatasetVersion?: number } = {}): Promise<number[]> {
    const [v] = await this.getFeatureVectors([key], options)
    return v
  }

  async getFeatureVectors(keys: readonly Row[], options: { trainingDatasetVersion?: number } = {}): Promise<number[][]> {
    const td = await this.getTrainingDataset(options.trainingDatasetVersion)
    const rows = await this.featureGroup.lookup(keys)
    rows.forEach((row, i) => {
      if (!row) throw new NotFoundError(`no row in ${this.featureGroup.name} v${this.featureGroup.version} with key ${JSON.stringify(keys[i])}`)
    })
    const x = this.transformRows(await this.withJoinedColumns(rows as Row[]), td)
    return Array.from({ length: x.nRows }, (_, i) => Array.from(x.data.subarray(i * x.nCols, (i + 1) * x.nCols)))
  }

  /** Left-group rows with each joined group's as-of values added under the view's names. */
  private async withJoinedColumns(rows: Row[]): Promise<Row[]> {
    if (this.metadata.joins.length === 0) return rows
    const et = this.featureGroup.eventTime!
    const joined = this.joinedColumnMap()
    const out = rows.map((r) => ({ ...r }))
    await Promise.all(
      this.metadata.joins.map(async (j, k) => {
        const cols = [...joined.values()].filter((m) => m.join === k)
        const found = await this.joinedGroups[k].latestAtOrBefore(
          j.on,
          rows.map((r) => ({ key: r, at: (r[et] as Date).getTime() })),
          cols.map((m) => m.source),
        )
        found.forEach((f, i) => {
          for (const [name, m] of joined) if (m.join === k) out[i][name] = f ? f[m.source] : null
        })
      }),
    )
    return out
  }

  /**
   * Transforms input rows (stored rows, or a prediction request's) exactly as training data was: each value
   * is brought to its model-input form (model-input.ts) and goes through the same transform as `getBatchData`.
   * Throws ValidationError naming the row or column for a missing column or a value of the wrong type.
   */
  transformRows(rows: readonly Row[], td: TrainingDatasetMetadata): Matrix {
    const cols = this.inputColumns
    return transformColumns(rowsToColumns(rows, cols, this.inputTypes), iota(rows.length), cols, td.fitted)
  }

  private assemble(data: ColumnBatch, train: Int32Array, test: Int32Array, fitted: Readonly<Record<string, FittedTransformation>>): Omit<TrainTestSplit, 'trainingDataset'> {
    const label = this.metadata.labels[0]
    const labels = data.columns[label]
    const encode = (idx: Int32Array): LabelArray => {
      if (label === undefined) return new Float64Array(0)
      const t = fitted[label]
      if (!t) return take(labels, idx)
      const out = new Float64Array(idx.length)
      for (let i = 0; i < idx.length; i++) applyTransformation(label, t, labels[idx[i]], out, i)
      return out
    }
    return {
      xTrain: transformColumns(data, train, this.inputColumns, fitted),
      xTest: transformColumns(data, test, this.inputColumns, fitted),
      yTrain: encode(train),
      yTest: encode(test),
      featureNames: this.inputColumns.flatMap((c) => outputNames(c, fitted[c])),
      trainIndex: train,
      testIndex: test,
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
          split: td.split,
          test_start: td.testStart === null ? null : td.testStart.getTime(),
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

function take(values: LabelArray, idx: ArrayLike<number>): LabelArray {
  if (values instanceof Float64Array) {
    const out = new Float64Array(idx.length)
    for (let i = 0; i < idx.length; i++) out[i] = values[idx[i]]
    return out
  }
  return Array.from({ length: idx.length }, (_, i) => values[idx[i]])
}

export function toViewMetadata(r: Record<string, any>): FeatureViewMetadata {
  return {
    id: Number(r.id),
    name: r.name,
    version: Number(r.version),
    description: r.description,
    featureGroupId: Number(r.feature_group_id),
    features: JSON.parse(r.features),
    // Views stored before joins existed have no joins (null).
    joins: r.joins ? JSON.parse(r.joins) : [],
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
    // Training datasets recorded before time splits existed were random splits.
    split: r.split === 'time' ? 'time' : 'random',
    testStart: r.test_start === null || r.test_start === undefined ? null : new Date(Number(r.test_start)),
    testSize: Number(r.test_size),
    seed: Number(r.seed),
    stratify: Number(r.stratify) === 1,
    trainRows: Number(r.train_rows),
    testRows: Number(r.test_rows),
    fitted: JSON.parse(r.fitted),
    createdAt: new Date(Number(r.created_at)),
  }
}
