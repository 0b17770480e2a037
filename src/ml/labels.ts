import { ValidationError } from './errors.js'

/** A class label: numbers or strings, never mixed within one target. */
export type Label = string | number

/** Sorts labels like numpy's np.unique: numbers numerically, strings by code point. */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const sa = String(a)
  const sb = String(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

/** Checks one label array: finite numbers or strings, one kind only. Returns the kind. */
export function checkLabels(y: ArrayLike<Label>, name = 'y'): 'number' | 'string' | 'empty' {
  let kind: 'number' | 'string' | 'empty' = 'empty'
  for (let i = 0; i < y.length; i++) {
    const v = y[i]
    const t = typeof v
    if (t === 'number') {
      if (!Number.isFinite(v)) throw new ValidationError(`${name}[${i}] is ${v}; labels must be finite numbers or strings`, name)
    } else if (t !== 'string') {
      throw new ValidationError(`${name}[${i}] is a ${v === null ? 'null' : t}; labels must be numbers or strings`, name)
    }
    if (kind === 'empty') kind = t as 'number' | 'string'
    else if (kind !== t) throw new ValidationError(`${name} mixes string and number labels (${name}[${i}] is a ${t})`, name)
  }
  return kind
}

/** The sorted distinct labels of one or more arrays (sklearn's unique_labels). */
export function uniqueLabels(...ys: ArrayLike<Label>[]): Label[] {
  const seen = new Set<Label>()
  for (const y of ys) for (let i = 0; i < y.length; i++) seen.add(y[i])
  return [...seen].sort(compareLabels)
}

/** Maps each label to its index in `classes` (classes must contain every label). */
export function encodeLabels(y: ArrayLike<Label>, classes: readonly Label[], name = 'y'): Int32Array {
  const index = new Map<Label, number>()
  classes.forEach((c, i) => index.set(c, i))
  const out = new Int32Array(y.length)
  for (let i = 0; i < y.length; i++) {
    const k = index.get(y[i])
    if (k === undefined) throw new ValidationError(`${name}[${i}] = ${JSON.stringify(y[i])} is not one of the labels`, name)
    out[i] = k
  }
  return out
}
