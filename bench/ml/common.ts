// What the ml benches share: the data directory, reading the public CSVs, titanic's preparation as the
// system does it, and median timing. One copy, so every bench reads and times the same way.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')
/** `SML_DATA_DIR`, else ../shared/data beside the checkout. */
export const dataDir = process.env.SML_DATA_DIR ?? resolve(repoRoot, '../shared/data')

/** Rows of a CSV in the data directory; handles the quoted fields with commas inside (titanic's Name). */
export function csvRows(file: string): string[][] {
  return readFileSync(join(dataDir, file), 'utf8')
    .trim()
    .split(/\r?\n/)
    .map((line) => {
      const out: string[] = []
      let cur = ''
      let q = false
      for (const ch of line) {
        if (ch === '"') q = !q
        else if (ch === ',' && !q) {
          out.push(cur)
          cur = ''
        } else cur += ch
      }
      out.push(cur)
      return out
    })
}

/** titanic as the system prepares it: pclass, sex (male 0 / female 1), age (mean-filled), sibsp, parch, embarked (C0 Q1 S2; rows without it dropped) → survived. */
export function titanicMeanFilled(): { header: string[]; x: number[][]; y: number[] } {
  const rows = csvRows('titanic.csv')
  const h = rows[0]
  const col = (name: string): number => h.indexOf(name)
  const body = rows.slice(1).filter((r) => r[col('Embarked')] !== '')
  const ages = body.map((r) => r[col('Age')]).filter((a) => a !== '').map(Number)
  const meanAge = ages.reduce((a, b) => a + b, 0) / ages.length
  const emb: Record<string, number> = { C: 0, Q: 1, S: 2 }
  return {
    header: ['pclass', 'sex', 'age', 'sibsp', 'parch', 'embarked', 'survived'],
    x: body.map((r) => [
      Number(r[col('Pclass')]),
      r[col('Sex')] === 'female' ? 1 : 0,
      r[col('Age')] === '' ? meanAge : Number(r[col('Age')]),
      Number(r[col('SibSp')]),
      Number(r[col('Parch')]),
      emb[r[col('Embarked')]],
    ]),
    y: body.map((r) => Number(r[col('Survived')])),
  }
}

export function median(a: number[]): number {
  const s = [...a].sort((u, v) => u - v)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Median wall time of `repeats` calls after `warmup` untimed ones, and the last call's result. */
export function timed<T>(fn: () => T, repeats: number, warmup = 0): { ms: number; out: T } {
  for (let i = 0; i < warmup; i++) fn()
  const times: number[] = []
  let out!: T
  for (let i = 0; i < repeats; i++) {
    const t = performance.now()
    out = fn()
    times.push(performance.now() - t)
  }
  return { ms: median(times), out }
}
