import { describe, expect, it } from 'vitest'
import * as fc from 'fast-check'
import * as D from '../../../src/frameworks/algorithms/descriptors.js'
import { param } from '../../../src/spec/val.js'

describe('descriptors', () => {
  describe('describe', () => {
    it.each([
      [{ type: 'int', min: D.open(1) }, 'an integer greater than 1'],
      [{ type: 'int', min: D.closed(0) }, 'an integer of at least 0'],
      [{ type: 'float', max: D.open(1) }, 'a number less than 1'],
      [{ type: 'float', max: D.closed(1) }, 'a number of at most 1'],
      [{ type: 'float', min: D.closed(0), max: D.closed(1) }, 'a number from 0 to 1'],
      [{ type: 'float', min: D.open(0), max: D.open(1) }, 'a number greater than 0 and less than 1'],
      [{ type: 'float', min: D.closed(0), max: D.open(1) }, 'a number of at least 0 and less than 1'],
      [{ type: 'float', min: D.open(0), max: D.closed(1) }, 'a number greater than 0 and at most 1'],
      [{ type: 'int', min: D.closed(1000), max: D.closed(1000) }, 'an integer equal to 1000'],
      [{ type: 'float' }, 'a number'],
      [{ type: 'int', min: D.closed(0), also: [-1] }, 'an integer of at least 0, or -1'],
      [{ type: 'float', min: D.open(0), also: ['auto', 'balanced'] }, 'a number greater than 0, or "auto" or "balanced"'],
      [{ type: 'enum', values: ['a', 'b'] }, 'one of "a", "b"'],
      [{ type: 'bool' }, 'true or false'],
      [{ type: 'string' }, 'a string'],
      [{ type: 'list', items: { type: 'int', min: D.open(0) } }, 'a non-empty list, each item an integer greater than 0'],
      [{ type: 'int', min: D.open(0), note: 'why' }, 'an integer greater than 0 (why)'],
    ] as const)('%j → %s', (d, words) => {
      expect(D.describe(d as D.Rule)).toBe(words)
    })
  })

  describe('check', () => {
    const unit: Omit<D.NumberDescriptor, 'wire'> = { type: 'float', min: D.open(0), max: D.open(1) }
    it('open ends exclude the bound, closed ends include it', () => {
      expect([0, 1e-12, 0.5, 1 - 1e-12, 1].map((v) => D.check(unit, v))).toEqual([false, true, true, true, false])
      expect([0, 1].map((v) => D.check({ type: 'float', min: D.closed(0), max: D.closed(1) }, v))).toEqual([true, true])
    })
    it('integers must be whole; numbers must be finite', () => {
      expect(D.check({ type: 'int' }, 2.5)).toBe(false)
      expect(D.check({ type: 'float' }, Number.NaN)).toBe(false)
      expect(D.check({ type: 'float' }, Infinity)).toBe(false)
      expect(D.check({ type: 'float' }, '1')).toBe(false)
    })
    it('symbolic values pass: they are only known at run time', () => {
      expect(D.check({ type: 'int', min: D.open(1) }, param.integer('k'))).toBe(true)
      expect(D.check({ type: 'enum', values: ['a'] }, param.string('x'))).toBe(true)
    })
  })

  describe('pyFloat: Python repr(float)', () => {
    // Values and their Python 3 repr, written out from the language's rules.
    it.each([
      [1, '1.0'],
      [0, '0.0'],
      [-0, '-0.0'],
      [0.1, '0.1'],
      [-2.5, '-2.5'],
      [1e-6, '1e-06'],
      [1.5e-7, '1.5e-07'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1234.5, '1234.5'],
      [2.5e8, '250000000.0'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [123456789012345680000, '1.2345678901234568e+20'],
      [1e-100, '1e-100'],
      [0.1 + 0.2, '0.30000000000000004'],
    ])('%s → %s', (v, s) => expect(D.pyFloat(v)).toBe(s))

    it('round-trips: parsing the text gives the same number', () => {
      fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => Object.is(Number(D.pyFloat(v)), v) || (v === 0 && Number(D.pyFloat(v)) === 0)))
    })
  })

  describe('encode', () => {
    it('as the reference SDK (after #889): str(v) with Python spelling, JSON lists', () => {
      expect(D.encode({ type: 'bool' }, true)).toBe('True')
      expect(D.encode({ type: 'bool' }, false)).toBe('False')
      expect(D.encode({ type: 'int' }, 5)).toBe('5')
      expect(D.encode({ type: 'float' }, 5)).toBe('5.0')
      expect(D.encode({ type: 'float', also: ['auto'], encodeAs: 'str' }, 5)).toBe('5')
      expect(D.encode({ type: 'list', items: { type: 'enum', values: ['msd', 'ssd'] } }, ['msd', 'ssd'])).toBe('["msd", "ssd"]')
      expect(D.encode({ type: 'list', items: { type: 'int' } }, [100, 50])).toBe('[100, 50]')
      expect(D.encode({ type: 'enum', values: ['a'] }, 'a')).toBe('a')
    })
    it('keeps symbolic values for the plan to encode', () => {
      const p = param.float('lr')
      expect(D.encode({ type: 'float' }, p)).toBe(p)
    })
  })
})
