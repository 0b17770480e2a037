/**
 * A count and its noun for messages people read: `1 row`, `2 rows`, `0 rows` (English: singular for
 * exactly one). `plural` for nouns that do not just add an s. `n` is printed as given; pass a
 * formatted string (e.g. `toLocaleString('en')`) with `of` when the number needs grouping.
 */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`, of: string = String(n)): string {
  return `${of} ${n === 1 ? noun : pluralNoun}`
}
