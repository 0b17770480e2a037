import { describe, expect, it } from 'vitest'
import { blobs } from '../estimator.contract.js'
import { matrixFromRows } from '../matrix.js'
import { binFeatures } from './binning.js'
import { applyTree, leafProba, type FlatTree } from './flat-tree.js'
import { PackedForest } from './packed-forest.js'
import { buildTree } from './tree-builder.js'

/** Reference: per tree applyTree + leafProba, summed in tree order then scaled, as the forest did before packing. */
function reference(trees: FlatTree[], k: number, row: ArrayLike<number>): number[] {
  const out = new Float64Array(k)
  for (const t of trees) {
    const p = leafProba(t, k)
    const leaf = applyTree(t, row, 0)
    for (let c = 0; c < k; c++) out[c] += p[leaf * k + c]
  }
  for (let c = 0; c < k; c++) out[c] *= 1 / trees.length
  return Array.from(out)
}

describe('PackedForest', () => {
  const { x, y } = blobs(300, 5)
  const yi = Int32Array.from(y, (l) => ['alpha', 'beta', 'gamma'].indexOf(l))
  const m = matrixFromRows(x)
  const binned = binFeatures(m)
  const params = { nClasses: 3, criterion: 'gini' as const, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 2, bootstrap: true }

  for (const nTrees of [1, 4, 7, 13]) {
    it(`gives exactly the per-tree probabilities, one row or many (${nTrees} trees)`, () => {
      const trees = Array.from({ length: nTrees }, (_, s) => buildTree(binned, yi, params, s + 1))
      const packed = PackedForest.from(trees, 3)
      const batch = new Float64Array(x.length * 3)
      packed.probaRows(m.data, m.nRows, m.nCols, batch)
      const one = new Float64Array(3)
      for (let i = 0; i < x.length; i++) {
        const ref = reference(trees, 3, x[i])
        packed.probaOne(x[i], one)
        expect(Array.from(one)).toEqual(ref)
        expect(Array.from(batch.subarray(i * 3, i * 3 + 3))).toEqual(ref)
      }
    })
  }

  it('keeps each distinct leaf probability row once', () => {
    const trees = Array.from({ length: 10 }, (_, s) => buildTree(binned, yi, params, s + 1))
    const packed = PackedForest.from(trees, 3)
    const leaves = trees.reduce((s, t) => s + t.nLeaves, 0)
    const distinct = new Set<string>()
    for (const t of trees) {
      const p = leafProba(t, 3)
      for (let l = 0; l < t.nLeaves; l++) distinct.add(Array.from(p.subarray(l * 3, l * 3 + 3)).join())
    }
    expect(packed.proba.length / 3).toBe(distinct.size)
    expect(distinct.size).toBeLessThan(leaves)
  })

  it('accepts nodes in any order (children before parents, right before left)', () => {
    // root 0: x0 <= 0.5 ? node 3 : node 1; node 1: x1 <= 2 ? leaf 1 (node 2) : leaf 2 (node 4); node 3 leaf 0
    const tree: FlatTree = {
      feature: Int32Array.from([0, 1, -1, -1, -1]),
      threshold: Float64Array.from([0.5, 2, 0, 0, 0]),
      left: Int32Array.from([3, 2, 1, 0, 2]),
      right: Int32Array.from([1, 4, -1, -1, -1]),
      value: Float64Array.from([3, 1, 0, 2, 1, 1]),
      nLeaves: 3,
      importance: new Float64Array(2),
    }
    const packed = PackedForest.from([tree], 2)
    const out = new Float64Array(2)
    for (const [row, want] of [
      [[0, 9], [0.75, 0.25]],
      [[1, 1], [0, 1]],
      [[1, 3], [0.5, 0.5]],
    ] as const) {
      packed.probaOne(row, out)
      expect(Array.from(out)).toEqual(want)
      expect(reference([tree], 2, row)).toEqual(want)
    }
  })
})
