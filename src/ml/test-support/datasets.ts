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

/** diabetes.csv from the shared data folder: 10 raw features and the disease progression target. */
export function loadDiabetes(): { x: number[][]; y: number[] } {
  const text = readFileSync(new URL('../../../../shared/data/diabetes.csv', import.meta.url), 'utf8')
  const x: number[][] = []
  const y: number[] = []
  for (const line of text.trim().split('\n').slice(1)) {
    const f = line.trim().split(',').map(Number)
    x.push(f.slice(0, 10))
    y.push(f[10])
  }
  return { x, y }
}

/** A small deterministic regression set (sklearn's make_friedman1 shape: 5 features, 3 nonlinear, noise-free rational values). */
export function friedmanLike(n = 80): { x: number[][]; y: number[] } {
  const x: number[][] = []
  const y: number[] = []
  for (let i = 0; i < n; i++) {
    const r = [((i * 37) % 101) / 101, ((i * 53) % 97) / 97, ((i * 19) % 89) / 89, ((i * 11) % 83) / 83, ((i * 7) % 79) / 79]
    x.push(r)
    y.push(10 * r[0] * r[1] + 20 * (r[2] - 0.5) ** 2 + 10 * r[3] + 5 * r[4])
  }
  return { x, y }
}

/** wine.csv from the shared data folder: 13 measurements and the cultivar (1, 2 or 3). */
export function loadWine(): { x: number[][]; y: number[] } {
  const text = readFileSync(new URL('../../../../shared/data/wine.csv', import.meta.url), 'utf8')
  const x: number[][] = []
  const y: number[] = []
  for (const line of text.trim().split('\n').slice(1)) {
    const f = line.trim().split(',').map(Number)
    x.push(f.slice(0, 13))
    y.push(f[13])
  }
  return { x, y }
}
