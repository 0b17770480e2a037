import { describe, expect, it } from 'vitest'
import { Random } from '../random.js'
import { fitBinMapper, binRows, type BinMapper } from './bin-mapper.js'
import { COMPILE_AFTER_ROWS, PackedBoostedTrees, type BoostedTreeJson } from './boosted-trees.js'
import { shouldStop, validationSplit } from './fit-boosting.js'
import { binaryLogLoss, multinomialLoss, squaredError, absoluteError } from './losses.js'
import { DATA_ORDER } from './histogram.js'
import { instantiateKernels, kernelModule } from './kernels.js'
import { positionIndex, recordBytes, sampleBuffers, SampleMover } from './partition.js'
import { findBestSplit as findSplit, SplitInfo, type SplitConstraints } from './splitter.js'

const m = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), nRows: rows.length, nCols: rows[0].length })

describe('boosting losses (hand-computed)', () => {
  it('binary log loss: baseline log-odds, gradient p − y, hessian p(1 − p)', () => {
    const y = Float64Array.of(0, 0, 1, 1, 1)
    expect(binaryLogLoss.baseline(y)[0]).toBeCloseTo(Math.log(0.6 / 0.4), 15)
    const gh = [new Float32Array(10)]
    binaryLogLoss.gradients(y, new Float64Array(5), gh)
    expect(Array.from(gh[0])).toEqual([0.5, 0.25, 0.5, 0.25, -0.5, 0.25, -0.5, 0.25, -0.5, 0.25])
    // mean of log(1 + e^0) = log 2
    expect(binaryLogLoss.loss(y, new Float64Array(5))).toBeCloseTo(Math.LN2, 15)
  })

  it('multinomial: softmax gradients p_c − [y = c], hessian p_c(1 − p_c), baseline log priors', () => {
    const loss = multinomialLoss(3)
    const y = Float64Array.of(0, 2, 2, 1)
    expect(Array.from(loss.baseline(y))).toEqual([Math.log(0.25), Math.log(0.25), Math.log(0.5)])
    const gh = [new Float32Array(8), new Float32Array(8), new Float32Array(8)]
    loss.gradients(y, new Float64Array(12), gh)
    const third = Math.fround(1 / 3)
    expect(gh[0][0]).toBe(Math.fround(1 / 3 - 1))
    expect(gh[1][0]).toBe(third)
    expect(gh[2][2]).toBe(Math.fround(1 / 3 - 1))
    expect(gh[0][1]).toBe(Math.fround(2 / 9))
    expect(loss.loss(y, new Float64Array(12))).toBeCloseTo(Math.log(3), 15)
  })

  it('squared and absolute error', () => {
    const y = Float64Array.of(1, 2, 6)
    expect(squaredError.baseline(y)[0]).toBe(3)
    expect(absoluteError.baseline(y)[0]).toBe(2)
    const gh = [new Float32Array(6)]
    squaredError.gradients(y, Float64Array.of(3, 3, 3), gh)
    expect([gh[0][0], gh[0][2], gh[0][4]]).toEqual([2, 1, -3])
    absoluteError.gradients(y, Float64Array.of(3, 2, 3), gh)
    expect([gh[0][0], gh[0][2], gh[0][4]]).toEqual([1, 0, -1])
    expect(squaredError.loss(y, Float64Array.of(3, 3, 3))).toBeCloseTo((4 + 1 + 9) / 6, 15)
  })
})

describe('binRows', () => {
  it('counts the edges strictly below each value, like a plain scan (skewed data, repeated cut points, NaN)', () => {
    const r = new Random(3)
    const n = 5000
    // feature 0: 60 % zeros then a long tail (repeated percentile cut points); feature 1: uniform; feature 2: 3 values
    const rows = Array.from({ length: n }, () => [r.next() < 0.6 ? 0 : Math.exp(r.uniform(-5, 8)), r.uniform(-1e6, 1e6), Math.floor(r.uniform(0, 3))])
    rows[7][1] = NaN
    const mapper = fitBinMapper(m(rows), 255, 0)
    const probe = [...rows, [0, -2e6, -1], [1e9, 2e6, 5], [mapper.edges[3], mapper.edges[mapper.edgeStart[1] + 10], 1.5]]
    const codes = binRows(m(probe), mapper, null)
    for (let i = 0; i < probe.length; i++) {
      for (let f = 0; f < 3; f++) {
        const v = probe[i][f]
        let expected = mapper.nBins[f]
        if (!Number.isNaN(v)) {
          expected = 0
          for (let e = mapper.edgeStart[f]; e < mapper.edgeStart[f + 1]; e++) if (mapper.edges[e] < v) expected++
        }
        expect(codes[i * 3 + f]).toBe(expected)
      }
    }
    expect(Array.from(mapper.hasMissing)).toEqual([0, 1, 0])
    expect(mapper.nBins[0]).toBe(255) // percentile cut points, repeats included, as sklearn
  })
})

describe('fitBinMapper on more rows than the binning subsample', () => {
  it('cuts where scikit-learn 1.2.1 cuts for the same random_state (the same 200k rows)', () => {
    // HistGradientBoostingRegressor(random_state=7) bins with _BinMapper(n_bins=256,
    // random_state=RandomState(7).randint(2**32 - 1, dtype="u8")); its bin_thresholds_ on
    // x = 0, 0.5, 1, …, 149999.5 are these (printed by Debian's python3-sklearn)
    const n = 300_000
    const data = new Float64Array(n)
    for (let i = 0; i < n; i++) data[i] = i * 0.5
    const mapper = fitBinMapper({ data, nRows: n, nCols: 1 }, 255, 7)
    const e = Array.from(mapper.edges)
    expect(e.length).toBe(254)
    expect(e.slice(0, 4)).toEqual([588.25, 1167.25, 1771.25, 2373.5])
    expect(e.slice(125, 128)).toEqual([74107.25, 74679.0, 75264.75])
    expect(e.slice(-3)).toEqual([148211.25, 148800.25, 149393.75])
  })
})

describe('findBestSplit (hand-computed gains)', () => {
  // one feature, three bins with gradient sums −2, 1, 3 (one sample each), plus its missing bin
  const mapper = fitBinMapper(m([[1], [2], [3], [NaN]]), 255, 0)
  const c: SplitConstraints = { l2Regularization: 0, minSamplesLeaf: 1, minHessianToSplit: 1e-3, constHessian: true }
  // constant hessians: [g, count, 0] cells (the hessian slot is the count, as the kernels write it)
  const hist = (missingG: number, missingN: number) => Float64Array.of(-2, 1, 0, 1, 1, 0, 3, 1, 0, missingG, missingN, 0)
  // the scans run in the fit's kernels, over its memory (a heap histogram is copied in first)
  const findBestSplit = (h: Float64Array, mp: BinMapper, G: number, H: number, N: number, cs: SplitConstraints, out: SplitInfo): boolean => {
    const b = sampleBuffers(1, 1, 1, mp.totalBins * 3, 0, false)
    const kernels = instantiateKernels(kernelModule({ p: 1, binOffset: mp.binOffset, constHessian: cs.constHessian, ranges: [], shared: false }), b.memory)
    return findSplit(h, mp, G, H, N, cs, out, kernels, b)
  }

  it('maps values to bins and NaN to the missing bin', () => {
    expect(Array.from(mapper.nBins)).toEqual([3])
    expect(Array.from(mapper.edges)).toEqual([1.5, 2.5])
    expect(Array.from(binRows(m([[0], [1.5], [1.6], [9], [NaN]]), mapper, null))).toEqual([0, 0, 1, 2, 3])
  })

  it('gain = G_L²/H_L + G_R²/H_R − G²/H, best bin first', () => {
    const s = new SplitInfo()
    // bin 0: 4/1 + 16/2 − 4/3 = 32/3; bin 1: 1/2 + 9/1 − 4/3
    expect(findBestSplit(hist(0, 0), mapper, 2, 3, 3, c, s)).toBe(true)
    expect(s.bin).toBe(0)
    expect(s.gain).toBeCloseTo(32 / 3, 12)
    expect([s.gLeft, s.nLeft, s.gRight, s.nRight]).toEqual([-2, 1, 4, 2])
    // λ = 1: 4/2 + 16/3 − 4/4
    findBestSplit(hist(0, 0), mapper, 2, 3, 3, { ...c, l2Regularization: 1 }, s)
    expect(s.gain).toBeCloseTo(2 + 16 / 3 - 1, 12)
    // minSamplesLeaf 2 leaves no valid split of 3 samples
    expect(findBestSplit(hist(0, 0), mapper, 2, 3, 3, { ...c, minSamplesLeaf: 2 }, s)).toBe(false)
    expect(s.gain).toBe(0)
  })

  it('tries missing values on both sides and keeps the better direction', () => {
    const s = new SplitInfo()
    // missing bin: g −5, one sample. G = −3, H = N = 4, parent 9/4.
    // missing right: bin 0 → 4 + 1/3, bin 1 → 1/2 + 2, bin 2 (only NaN right) → 4/3 + 25;
    // missing left: bin 1 → 36/3 + 9, bin 0 → 49/2 + 16/2 (best)
    findBestSplit(hist(-5, 1), mapper, -3, 4, 4, c, s)
    expect(s.bin).toBe(0)
    expect(s.missingLeft).toBe(true)
    expect(s.gain).toBeCloseTo(49 / 2 + 8 - 9 / 4, 12)
    expect([s.nLeft, s.nRight]).toEqual([2, 2])
    // with a huge NaN gradient the best split isolates NaN on the right
    findBestSplit(hist(-50, 1), mapper, -48, 4, 4, c, s)
    expect([s.bin, s.missingLeft, s.nLeft, s.nRight]).toEqual([2, false, 3, 1])
  })

  it('a feature without NaN in training sends NaN to the larger child', () => {
    const noNaN = fitBinMapper(m([[1], [2], [3]]), 255, 0)
    const s = new SplitInfo()
    // gradients 3, 1, −2: best split after bin 1 (left 2 samples, right 1)
    findBestSplit(Float64Array.of(3, 1, 0, 1, 1, 0, -2, 1, 0, 0, 0, 0), noNaN, 2, 3, 3, c, s)
    expect([s.bin, s.nLeft, s.missingLeft]).toEqual([1, 2, true])
  })
})

describe('early stopping helpers', () => {
  it("shouldStop is sklearn's rule: no score of the last n beats the one before them by more than tol", () => {
    expect(shouldStop([1, 2, 3], 3, 0)).toBe(false) // not enough scores yet
    // the reference is the score nIterNoChange + 1 from the end
    expect(shouldStop([-5, -4, -4, -4], 3, 0)).toBe(false)
    expect(shouldStop([-5, -4, -4, -4, -4], 3, 0)).toBe(true)
    expect(shouldStop([-5, -4, -4, -4, -3.9], 3, 0)).toBe(false)
    expect(shouldStop([-5, -4, -4, -4, -3.9], 3, 0.2)).toBe(true)
  })

  it('validationSplit holds out ceil(fraction × n) rows, stratified per class when asked', () => {
    const y = Float64Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1))
    const s = validationSplit(y, 0.1, 3, null)
    expect(s.val.length).toBe(10)
    expect(s.train.length).toBe(90)
    const st = validationSplit(y, 0.1, 3, 2)
    expect(Array.from(st.val).filter((i) => y[i] === 1).length).toBe(2)
    expect(Array.from(st.val).filter((i) => y[i] === 0).length).toBe(8)
    expect(Array.from(validationSplit(y, 0.1, 3, 2).val)).toEqual(Array.from(st.val))
  })
})

describe('SampleMover', () => {
  it('moves a range stably: left samples first, right after, codes, gradients and indices together', () => {
    // 6 samples, 2 features (rows padded to 4 bytes; records of 16 bytes); split on feature 1: codes 0 and 2 go left
    const b = sampleBuffers(6, 2, 1, 12, 1, false)
    b.codes.set([9, 0, 0, 0, 8, 1, 0, 0, 7, 2, 0, 0, 6, 0, 0, 0, 5, 1, 0, 0, 4, 3, 0, 0])
    b.gh[0].set(Float32Array.from({ length: 12 }, (_, i) => i / 2))
    const binOffset = Int32Array.of(0, 2, 4)
    const mover = new SampleMover(b, instantiateKernels(kernelModule({ p: 2, binOffset, constHessian: true, ranges: [[0, 2]], shared: false }), b.memory))
    expect(recordBytes(2)).toBe(16)
    const record = (part: number, j: number) => {
      const r = b.records[part]
      const view = new DataView(r.buffer, r.byteOffset + 16 * j, 16)
      return { code0: view.getUint8(0), sample: view.getUint32(4, true), g: view.getFloat32(8, true), h: view.getFloat32(12, true) }
    }
    b.goesLeft.set([1, 0, 1, 0])
    expect(mover.countLeft(DATA_ORDER, 1, 0, 6)).toBe(3)
    expect(mover.move(DATA_ORDER, 0, 0, 1, 0, 6, 0, 3)).toBe(3)
    expect([0, 1, 2, 3, 4, 5].map((j) => record(0, j))).toEqual(
      [0, 2, 3, 1, 4, 5].map((i) => ({ code0: b.codes[4 * i], sample: i, g: i, h: i + 0.5 })),
    )
    expect(positionIndex(b, 0, 2)).toMatchObject({ step: 4, at: 1 })
    // the right child (positions 3..6) again, by feature 0 (code ≤ 5 left), from part 0 into part 1
    b.goesLeft.fill(0).fill(1, 0, 6)
    expect(mover.countLeft(0, 0, 3, 6)).toBe(2)
    expect(mover.move(0, 1, 0, 0, 3, 6, 3, 5)).toBe(5)
    expect([3, 4, 5].map((j) => record(1, j).sample)).toEqual([4, 5, 1])
  })
})

describe('PackedBoostedTrees', () => {
  it('batch prediction gives rawOne’s numbers bit for bit, walked and compiled, NaN routed both ways', () => {
    // x0 <= 0.5 ? (x1 <= -0.25, NaN left ? 1 : 2) : 3;  x1 <= 0 (NaN right) ? -0.5 : (x0 <= 2 ? 0.25 : -0)
    const trees: BoostedTreeJson[] = [
      { feature: [0, 1, -1, -1, -1], threshold: [0.5, -0.25, 1, 2, 3], missingLeft: [0, 1, 0, 0, 0], right: [4, 3, -1, -1, -1] },
      { feature: [1, -1, 0, -1, -1], threshold: [0, -0.5, 2, 0.25, -0], missingLeft: [0, 0, 1, 0, 0], right: [2, -1, 4, -1, -1] },
    ]
    const packed = new PackedBoostedTrees(trees, 1, Float64Array.of(0.125))
    const r = new Random(4)
    const n = 50_000
    const x = Float64Array.from({ length: 2 * n }, () => (r.next() < 0.1 ? NaN : r.uniform(-1, 3)))
    const one = new Float64Array(1)
    const expected = Float64Array.from({ length: n }, (_, i) => (packed.rawOne(x.subarray(2 * i, 2 * i + 2), one), one[0]))
    expect(packed.compiled).toBe(false)
    for (let seen = 0; seen <= COMPILE_AFTER_ROWS; seen += n) {
      const out = new Float64Array(n)
      packed.rawRows(x, n, 2, out)
      expect(out).toEqual(expected)
    }
    const out = new Float64Array(n)
    packed.rawRows(x, n, 2, out)
    expect(packed.compiled).toBe(true)
    expect(out).toEqual(expected)
    expect(packed.rawOne(Float64Array.of(NaN, NaN), one)).toBeUndefined()
    expect(one[0]).toBe(0.125 + 3 + 0.25) // NaN: right at both roots, left at tree 2's second split
  })
})
