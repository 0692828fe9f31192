import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { median, medianRule } from '../../../src/local/tuning/early-stopping.js'
import { derive, draws, seeded, seedOf } from '../../../src/local/tuning/rng.js'
import { fromRanges, fromUnit, type Space } from '../../../src/local/tuning/space.js'
import { bayesian } from '../../../src/local/tuning/strategies/bayesian.js'
import { cholesky, expectedImprovement, fit, normalCdf, predict, solveLower, solveUpper } from '../../../src/local/tuning/strategies/gp.js'
import { grid } from '../../../src/local/tuning/strategies/grid.js'
import { bracketOf, brackets, hyperband } from '../../../src/local/tuning/strategies/hyperband.js'
import { random } from '../../../src/local/tuning/strategies/random.js'
import type { History } from '../../../src/local/tuning/strategies/strategy.js'

const spaceOf = (ranges: Parameters<typeof fromRanges>[0]): Space => {
  const s = fromRanges(ranges, {})
  if (E.isLeft(s)) throw new Error(JSON.stringify(s.left))
  return s.right
}
const empty: History = { trials: [], proposed: 0 }
const line = spaceOf({ ContinuousParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '1', ScalingType: 'Linear' }] })

describe('rng', () => {
  it('the same seed gives the same stream; derived streams differ from each other', () => {
    const a = draws(seeded(42))
    const b = draws(seeded(42))
    const xs = Array.from({ length: 5 }, () => a())
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs)
    expect(draws(derive(1)(seeded(42)))()).not.toBe(draws(derive(2)(seeded(42)))())
    expect(seedOf('job-a')).not.toBe(seedOf('job-b'))
  })

  it('draws are uniform on [0, 1): each tenth gets about a tenth of 100 000 draws', () => {
    const u = draws(seeded(1))
    const bins = Array.from({ length: 10 }, () => 0)
    let outside = 0
    for (let i = 0; i < 100_000; i++) {
      const x = u()
      if (!(x >= 0 && x < 1)) outside++
      else bins[Math.floor(x * 10)]! += 1
    }
    expect(outside).toBe(0)
    for (const n of bins) expect(Math.abs(n - 10_000)).toBeLessThan(400)
  })
})

describe('strategies', () => {
  describe('random', () => {
    it("point i depends only on the seed and i, not on how many are asked at once", () => {
      const rng = seeded(3)
      const batch = random(line).next(4)(empty, rng)
      const one = [0, 1, 2, 3].flatMap((i) => random(line).next(1)({ trials: [], proposed: i }, rng))
      expect(one).toEqual(batch)
    })
  })

  describe('grid', () => {
    it('walks the combinations in odometer order and then has nothing more', () => {
      const s = spaceOf({ CategoricalParameterRanges: [{ Name: 'a', Values: ['x', 'y'] }, { Name: 'b', Values: ['1', '2', '3'] }] })
      const all = grid(s).next(10)(empty, seeded(0)).map(fromUnit(s))
      expect(all).toEqual([['x', '1'], ['x', '2'], ['x', '3'], ['y', '1'], ['y', '2'], ['y', '3']])
      expect(grid(s).next(2)({ trials: [], proposed: 5 }, seeded(0)).map(fromUnit(s))).toEqual([['y', '3']])
      expect(grid(s).next(1)({ trials: [], proposed: 6 }, seeded(0))).toEqual([])
    })
  })

  describe('hyperband', () => {
    it("has Hyperband's brackets for η = 3 (MinResource 1, MaxResource 27)", () => {
      expect(brackets({ minResource: 1, maxResource: 27 })).toEqual([
        { s: 3, jobs: 27, rungs: [1, 3, 9] },
        { s: 2, jobs: 12, rungs: [3, 9] },
        { s: 1, jobs: 6, rungs: [9] },
        { s: 0, jobs: 4, rungs: [] },
      ])
      const of = bracketOf({ minResource: 1, maxResource: 27 })
      expect([0, 26, 27, 38, 39, 44, 45, 48, 49].map(of)).toEqual([3, 3, 2, 2, 1, 1, 0, 0, 3])
    })

    it('at a rung keeps the best 1/η of its bracket and stops the rest; stops everyone at MaxResource', () => {
      const rule = hyperband(line, { minResource: 1, maxResource: 9 }).stopRule!
      // Jobs 0..8 are bracket 2 (rungs 1 and 3). Scores: larger is better.
      const others = [1, 2, 3].map((i) => ({ index: i, scores: [i / 10] }))
      expect(rule({ index: 0, scores: [0.35] }, others)._tag).toBe('Continue')
      expect(rule({ index: 0, scores: [0.25] }, others)._tag).toBe('Stop')
      expect(rule({ index: 0, scores: [0.25, 0.3] }, others)._tag).toBe('Continue') // 2 is no rung
      expect(rule({ index: 0, scores: Array.from({ length: 9 }, () => 1) }, [])).toEqual({ _tag: 'Stop', reason: 'reached MaxResource (9)' })
      // Job 9 is in bracket 1: not judged at resource 1, whatever the others did.
      expect(rule({ index: 9, scores: [-100] }, others)._tag).toBe('Continue')
    })
  })

  describe('median rule', () => {
    it('needs earlier peers at the same epoch, and stops only a value worse than their median running average', () => {
      const rule = medianRule()
      const peers = [
        { index: 0, scores: [-10, -6, -2] },
        { index: 1, scores: [-12, -8, -4] },
        { index: 2, scores: [-8, -4, -3] },
      ]
      // Running averages at epoch 2: −8, −10, −6 → median −8.
      expect(rule({ index: 3, scores: [-9, -7] }, peers)._tag).toBe('Continue')
      expect(rule({ index: 3, scores: [-9, -9] }, peers)._tag).toBe('Stop')
      // Later jobs are no yardstick; nor are two peers.
      expect(rule({ index: 1, scores: [-100] }, peers)._tag).toBe('Continue')
      expect(rule({ index: 3, scores: [-9, -9] }, peers.slice(0, 2))._tag).toBe('Continue')
      expect(median([3, 1, 2, 10])).toBe(2.5)
    })
  })

  describe('gaussian process', () => {
    it('solves with its Cholesky factor', () => {
      const a = new Float64Array([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3])
      const l = cholesky(a, 3)!
      const x = solveUpper(l, 3, solveLower(l, 3, [1, 2, 3]))
      const ax = [0, 1, 2].map((i) => [0, 1, 2].reduce((s, j) => s + (a[i * 3 + j] as number) * (x[j] as number), 0))
      ax.forEach((v, i) => expect(v).toBeCloseTo(i + 1, 12))
      expect(cholesky(new Float64Array([1, 2, 2, 1]), 2)).toBeUndefined()
    })

    it('interpolates what it saw, and is unsure far from it', () => {
      const xs = [[0.1], [0.4], [0.5], [0.9]]
      const ys = [0.2, -1, -0.8, 1.5]
      const gp = fit(xs, ys)!
      xs.forEach((x, i) => expect(predict(gp)(x).mean).toBeCloseTo(ys[i] as number, 2))
      expect(predict(gp)([0.7]).sd).toBeGreaterThan(predict(gp)([0.45]).sd)
    })

    it('expected improvement: zero for a certain loss, the gain for a certain win, more with more doubt', () => {
      expect(expectedImprovement(-1, 0, 0, 0)).toBe(0)
      expect(expectedImprovement(2, 0, 0, 0)).toBe(2)
      expect(expectedImprovement(0, 1, 0, 0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 6)
      expect(expectedImprovement(0, 2, 0, 0)).toBeGreaterThan(expectedImprovement(0, 1, 0, 0))
      expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6)
    })
  })

  describe('bayesian', () => {
    it('proposes random points first, then the maximiser of expected improvement, never a point already tried', () => {
      const s = spaceOf({ CategoricalParameterRanges: [{ Name: 'c', Values: ['a', 'b', 'c', 'd'] }] })
      const b = bayesian(s, { initial: 2 })
      const tried = (v: string, score: number) => ({ point: [v], unit: [(['a', 'b', 'c', 'd'].indexOf(v) + 0.5) / 4], status: 'Succeeded' as const, score })
      const history: History = { trials: [tried('a', 1), tried('b', 2), tried('c', 3)], proposed: 3 }
      expect(b.next(1)(history, seeded(1)).map(fromUnit(s))).toEqual([['d']])
      expect(b.next(1)(empty, seeded(1))).toEqual(random(s).next(1)(empty, seeded(1)))
    })

    it('spreads a batch out: pending points count as observed at the mean', () => {
      const trials = [0.05, 0.3, 0.6, 0.95].map((x) => ({ point: [x], unit: [x], status: 'Succeeded' as const, score: -((x - 0.7) ** 2) }))
      const [a, b2] = bayesian(line).next(2)({ trials, proposed: 4 }, seeded(9))
      expect(a).toBeDefined()
      expect(Math.abs((a?.[0] as number) - (b2?.[0] as number))).toBeGreaterThan(1e-3)
    })
  })
})
