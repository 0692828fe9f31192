import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as _ from '../../../src/local/tuning/space.js'

const spaceOf = (ranges: Parameters<typeof _.fromRanges>[0], statics: Record<string, string> = {}): _.Space => {
  const s = _.fromRanges(ranges, statics)
  if (E.isLeft(s)) throw new Error(JSON.stringify(s.left))
  return s.right
}
const errorsOf = (ranges: Parameters<typeof _.fromRanges>[0], statics: Record<string, string> = {}) => {
  const s = _.fromRanges(ranges, statics)
  return E.isLeft(s) ? s.left : []
}
const one = (range: { Name: string; MinValue: string; MaxValue: string; ScalingType?: 'Auto' | 'Linear' | 'Logarithmic' | 'ReverseLogarithmic' }, kind: 'Continuous' | 'Integer' = 'Continuous') =>
  spaceOf(kind === 'Continuous' ? { ContinuousParameterRanges: [range] } : { IntegerParameterRanges: [range] })
const at = (space: _.Space, u: number) => _.fromUnit(space)([u])[0]

describe('space', () => {
  describe('scaling', () => {
    it('Linear: MinValue, the midpoint and MaxValue at 0, ½ and 1', () => {
      const s = one({ Name: 'x', MinValue: '-5', MaxValue: '10', ScalingType: 'Linear' })
      expect([at(s, 0), at(s, 0.5), at(s, 1)]).toEqual([-5, 2.5, 10])
      expect(_.toUnit(s)([2.5])).toEqual([0.5])
    })

    it('Logarithmic: the geometric mean in the middle, the ends exact', () => {
      const s = one({ Name: 'lr', MinValue: '0.0001', MaxValue: '1', ScalingType: 'Logarithmic' })
      expect(at(s, 0)).toBe(0.0001)
      expect(at(s, 1)).toBe(1)
      expect(at(s, 0.5)).toBeCloseTo(0.01, 12)
      expect(at(s, 0.25)).toBeCloseTo(0.001, 12)
      expect(_.toUnit(s)([0.01])[0]).toBeCloseTo(0.5, 12)
    })

    it('ReverseLogarithmic: log-uniform in 1 − value, so values crowd towards MaxValue', () => {
      const s = one({ Name: 'momentum', MinValue: '0', MaxValue: '0.999', ScalingType: 'ReverseLogarithmic' })
      expect(at(s, 0)).toBe(0)
      expect(at(s, 1)).toBe(0.999)
      // 1 − v goes from 1 to 0.001: its geometric middle is 10^-1.5, so v = 1 − 0.0316…
      expect(at(s, 0.5)).toBeCloseTo(1 - 10 ** -1.5, 12)
      expect(at(s, 2 / 3)).toBeCloseTo(0.99, 12)
      expect(_.toUnit(s)([0.99])[0]).toBeCloseTo(2 / 3, 12)
    })

    it('Auto: logarithmic for positive ranges wider than one order of magnitude, linear otherwise', () => {
      const scaling = (min: string, max: string) => (one({ Name: 'x', MinValue: min, MaxValue: max, ScalingType: 'Auto' }).dimensions[0] as { scaling: string }).scaling
      expect(scaling('0.001', '1')).toBe('Logarithmic')
      expect(scaling('1', '10')).toBe('Linear')
      expect(scaling('0', '1000')).toBe('Linear')
      expect(scaling('-1', '1')).toBe('Linear')
      expect((one({ Name: 'x', MinValue: '1', MaxValue: '1000' }).dimensions[0] as { scaling: string }).scaling).toBe('Logarithmic')
    })

    it('Integer: each integer owns an equal bin; the ends and the middle are exact', () => {
      const s = one({ Name: 'depth', MinValue: '0', MaxValue: '10', ScalingType: 'Linear' }, 'Integer')
      expect([at(s, 0), at(s, 0.5), at(s, 1)]).toEqual([0, 5, 10])
      const counts = new Map<unknown, number>()
      for (let i = 0; i < 1100; i++) counts.set(at(s, (i + 0.5) / 1100), (counts.get(at(s, (i + 0.5) / 1100)) ?? 0) + 1)
      expect([...counts.values()]).toEqual(Array.from({ length: 11 }, () => 100))
    })

    it('Integer, logarithmic: ends exact, the middle at the geometric middle of the bins', () => {
      const s = one({ Name: 'trees', MinValue: '1', MaxValue: '1000', ScalingType: 'Logarithmic' }, 'Integer')
      expect([at(s, 0), at(s, 1)]).toEqual([1, 1000])
      expect(at(s, 0.5)).toBe(Math.round(Math.sqrt(0.5 * 1000.5)))
    })

    it('Categorical: equal bins, each value at the centre of its own', () => {
      const s = spaceOf({ CategoricalParameterRanges: [{ Name: 'opt', Values: ['sgd', 'adam', '"rmsprop"'] }] })
      expect([at(s, 0), at(s, 0.34), at(s, 0.5), at(s, 0.99), at(s, 1)]).toEqual(['sgd', 'adam', 'adam', '"rmsprop"', '"rmsprop"'])
      expect(_.toUnit(s)(['adam'])).toEqual([0.5])
    })

    it('every point survives unit → values → unit → values', () => {
      const s = spaceOf({
        ContinuousParameterRanges: [{ Name: 'lr', MinValue: '1e-5', MaxValue: '0.1', ScalingType: 'Logarithmic' }],
        IntegerParameterRanges: [{ Name: 'depth', MinValue: '2', MaxValue: '9' }],
        CategoricalParameterRanges: [{ Name: 'opt', Values: ['a', 'b'] }],
      })
      for (let i = 0; i <= 20; i++) {
        const u = [i / 20, (i * 7) % 20 / 20, (i * 3) % 20 / 20]
        const p = _.fromUnit(s)(u)
        const again = _.fromUnit(s)(_.toUnit(s)(p))
        expect(again[1]).toBe(p[1])
        expect(again[2]).toBe(p[2])
        expect(again[0] as number).toBeCloseTo(p[0] as number, 12)
      }
    })
  })

  describe('encode', () => {
    it('passes strings: integers without decimals, categorical values as given, statics beside them', () => {
      const s = spaceOf(
        {
          ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0', MaxValue: '1' }],
          IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '1', MaxValue: '10' }],
          CategoricalParameterRanges: [{ Name: 'optimizer', Values: ['"adam"', '"sgd"'] }],
        },
        { epochs: '10' },
      )
      expect(_.hyperParameters(s)([0.25, 7, '"sgd"'])).toEqual({ epochs: '10', eta: '0.25', max_depth: '7', optimizer: '"sgd"' })
    })

    it('decodes what another job ran, taking missing values from its statics, and refuses values outside the ranges', () => {
      const s = spaceOf({ ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0', MaxValue: '1' }], IntegerParameterRanges: [{ Name: 'depth', MinValue: '1', MaxValue: '5' }] })
      expect(_.decode(s)({ eta: '0.5' }, { depth: '3' })).toEqual([0.5, 3])
      expect(_.decode(s)({ eta: '1.5', depth: '3' })).toBeUndefined()
      expect(_.decode(s)({ eta: '0.5', depth: '2.5' })).toBeUndefined()
      expect(_.decode(s)({ eta: '0.5' })).toBeUndefined()
    })
  })

  describe('fromRanges', () => {
    it('refuses logarithmic scaling of a range reaching 0 or below, naming the field', () => {
      expect(errorsOf({ ContinuousParameterRanges: [{ Name: 'x', MinValue: '0', MaxValue: '1', ScalingType: 'Logarithmic' }] })).toEqual([
        { _tag: 'InvalidRequest', path: 'HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges.0.ScalingType', message: expect.stringContaining('greater than 0') },
      ])
    })

    it('refuses reverse-logarithmic scaling outside 0 <= x < 1 and for integers', () => {
      expect(errorsOf({ ContinuousParameterRanges: [{ Name: 'x', MinValue: '0.5', MaxValue: '1', ScalingType: 'ReverseLogarithmic' }] })[0]?.message).toContain('0 <= x < 1')
      expect(errorsOf({ IntegerParameterRanges: [{ Name: 'n', MinValue: '0', MaxValue: '0', ScalingType: 'ReverseLogarithmic' }] })[0]?.message).toContain('only for continuous')
    })

    it('collects every problem: bad numbers, swapped bounds, repeated names and values, a tuned static', () => {
      const errors = errorsOf(
        {
          ContinuousParameterRanges: [
            { Name: 'a', MinValue: 'x', MaxValue: '1' },
            { Name: 'b', MinValue: '2', MaxValue: '1' },
          ],
          IntegerParameterRanges: [{ Name: 'c', MinValue: '1.5', MaxValue: '3' }],
          CategoricalParameterRanges: [
            { Name: 'd', Values: ['u', 'u'] },
            { Name: 'e', Values: ['1'] },
            { Name: 'e', Values: ['2'] },
            { Name: 'epochs', Values: ['1'] },
          ],
        },
        { epochs: '3' },
      )
      expect(errors.map((e) => e.path)).toEqual([
        'HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges.0.MinValue',
        'HyperParameterTuningJobConfig.ParameterRanges.ContinuousParameterRanges.1',
        'HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges.0.MinValue',
        'HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges.0.Values',
        'HyperParameterTuningJobConfig.ParameterRanges',
        'HyperParameterTuningJobConfig.ParameterRanges',
      ])
      expect(errors[4]?.message).toContain('more than one range')
      expect(errors[5]?.message).toContain('both static and tuned')
    })

    it('needs at least one range', () => {
      expect(errorsOf({})[0]?.message).toContain('no hyperparameter ranges')
    })
  })
})
