import { validationError } from '../db/index.js'
import { TRANSFORMATION_KINDS, type FittedTransformation, type TransformationKind } from './types.js'

// Pure fit/apply of model-independent transformations. They are fitted on the training split only and stored
// with the training dataset, so batch and online inference transform exactly as training did.

type Values = Float64Array | readonly (string | null)[]

export function isTransformationKind(k: unknown): k is TransformationKind {
  return typeof k === 'string' && (TRANSFORMATION_KINDS as readonly string[]).includes(k)
}

/** Fits one transformation on the training rows `idx` of a column. */
export function fitTransformation(kind: TransformationKind, column: string, values: Values, idx: ArrayLike<number>): FittedTransformation {
  switch (kind) {
    case 'label_encoder':
    case 'one_hot_encoder': {
      const seen = new Set<string | number>()
      for (let i = 0; i < idx.length; i++) {
        const v = values[idx[i]]
        if (v !== null && !(typeof v === 'number' && Number.isNaN(v))) seen.add(v)
      }
      const cats = [...seen].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0))
      return kind === 'label_encoder' ? { kind, classes: cats } : { kind, categories: cats }
    }
    case 'min_max_scaler':
    case 'standard_scaler': {
      if (!(values instanceof Float64Array)) throw validationError([{ column, reason: `${kind} needs a numeric column` }], 'transformation')
      let min = Infinity
      let max = -Infinity
      let sum = 0
      let n = 0
      for (let i = 0; i < idx.length; i++) {
        const v = values[idx[i]]
        if (Number.isNaN(v)) continue
        if (v < min) min = v
        if (v > max) max = v
        sum += v
        n++
      }
      if (n === 0) throw validationError([{ column, reason: `cannot fit ${kind}: no values in the training split` }], 'transformation')
      if (kind === 'min_max_scaler') return { kind, min, max }
      const mean = sum / n
      let ss = 0
      for (let i = 0; i < idx.length; i++) {
        const v = values[idx[i]]
        if (!Number.isNaN(v)) ss += (v - mean) * (v - mean)
      }
      const std = Math.sqrt(ss / n) // population std, as scikit-learn's StandardScaler
      // The fitted state is stored as JSON, where Infinity becomes null: the split would then transform with
      // other numbers than every later read. Refuse instead.
      if (!Number.isFinite(mean) || !Number.isFinite(std))
        throw validationError([{ column, reason: `cannot fit ${kind}: the values are too large (their ${Number.isFinite(mean) ? 'variance' : 'sum'} overflows)` }], 'transformation')
      return { kind, mean, std }
    }
  }
}

/** Names of the model inputs a column becomes (one-hot expands to one per category). */
export function outputNames(column: string, t: FittedTransformation | undefined): string[] {
  if (t?.kind === 'one_hot_encoder') return t.categories.map((c) => `${column}_${c}`)
  return [column]
}

/**
 * Transforms one value in its model-input form (see model-input.ts: a number, NaN when missing, or text or
 * null for a text column) into `out` at `offset`; returns how many numbers it wrote. Missing stays missing
 * (NaN), except one-hot, which writes all zeros.
 */
export function applyTransformation(column: string, t: FittedTransformation | undefined, v: number | string | null, out: Float64Array, offset: number): number {
  if (t === undefined) {
    out[offset] = toNumber(column, v)
    return 1
  }
  switch (t.kind) {
    case 'label_encoder': {
      // Missing encodes as NaN, as scikit-learn's OrdinalEncoder does (encoded_missing_value=nan).
      if (v === null || Number.isNaN(v)) {
        out[offset] = NaN
        return 1
      }
      const i = t.classes.indexOf(v)
      if (i < 0) throw validationError([{ column, reason: `value ${JSON.stringify(v)} was not seen in training (known: ${t.classes.join(', ')})` }], 'features')
      out[offset] = i
      return 1
    }
    case 'one_hot_encoder': {
      // Unknown categories encode as all zeros, like scikit-learn's handle_unknown='ignore'.
      for (let k = 0; k < t.categories.length; k++) out[offset + k] = t.categories[k] === v ? 1 : 0
      return t.categories.length
    }
    case 'min_max_scaler': {
      // A constant training column scales by 1 (x - min), as scikit-learn's MinMaxScaler (_handle_zeros_in_scale).
      const range = t.max - t.min
      out[offset] = (toNumber(column, v) - t.min) / (range === 0 ? 1 : range)
      return 1
    }
    case 'standard_scaler': {
      const x = toNumber(column, v)
      out[offset] = t.std === 0 ? x - t.mean : (x - t.mean) / t.std
      return 1
    }
  }
}

function toNumber(column: string, v: number | string | null): number {
  if (typeof v === 'number') return v
  if (v === null) return NaN
  throw validationError([{ column, reason: `text value ${JSON.stringify(v)} needs a label_encoder or one_hot_encoder transformation to be a model input` }], 'features')
}

/** Decodes a label-encoded class index back to its value. */
export function inverseLabel(t: FittedTransformation | undefined, v: number): string | number {
  return t?.kind === 'label_encoder' ? t.classes[v] : v
}
