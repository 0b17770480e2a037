import { readFileSync } from 'node:fs'

/** iris.csv from the shared data folder (repo root's sibling `shared/data`), as rows and labels. */
export function loadIris(): { x: number[][]; y: string[] } {
  const text = readFileSync(new URL('../../../../shared/data/iris.csv', import.meta.url), 'utf8')
  const x: number[][] = []
  const y: string[] = []
  for (const line of text.trim().split('\n').slice(1)) {
    const f = line.trim().split(',')
    x.push(f.slice(0, 4).map(Number))
    y.push(f[4])
  }
  return { x, y }
}

/** Even rows train, odd rows test — the split the sklearn fixtures were produced with. */
export function evenOddSplit<T>(a: readonly T[]): { train: T[]; test: T[] } {
  return { train: a.filter((_, i) => i % 2 === 0), test: a.filter((_, i) => i % 2 === 1) }
}
