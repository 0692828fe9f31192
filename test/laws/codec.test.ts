import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import * as C from '../../src/spec/codec.js'
import { ProgramCodec, ParamDeclCodec } from '../../src/spec/program.js'
import { EndpointStep, ModelPackageStep, ModelStep, Step, TrainingStep, TransformStep, TuningStep } from '../../src/spec/step.js'
import { ParameterRange } from '../../src/spec/tuning.js'
import * as P from '../../src/spec/primitives.js'
import { arbitraryOf } from '../support/arbitrary.js'
import { arbitraryProgram } from '../support/programs.js'
import { roundTrips } from '../support/laws.js'

const NUM_RUNS = 150

describe('laws: codecs', () => {
  describe('arbitraryOf', () => {
    // io-ts `check`: every derived value decodes, and `is` agrees.
    const codecs: Readonly<Record<string, t.Type<any, any, unknown>>> = { TrainingStep, TuningStep, ModelStep, EndpointStep, TransformStep, ModelPackageStep, Step, ParameterRange, ParamDeclCodec, Tags: P.Tags, Vpc: P.Vpc }
    it.each(Object.entries(codecs))('every %s it derives decodes, and is() agrees', (_, codec) => {
      fc.assert(
        fc.property(arbitraryOf(codec), (v) => {
          const r = codec.decode(v)
          expect(E.isLeft(r) ? r.left.map((e) => C.contextPath(e.context) + ': ' + e.message) : []).toStrictEqual([])
          expect(codec.is(v)).toBe(true)
        }),
        { numRuns: NUM_RUNS },
      )
    })

    it('generates optional struct fields both present and absent', () => {
      const samples = fc.sample(arbitraryOf(TrainingStep), { numRuns: 200, seed: 1 })
      expect(samples.some((s) => s.vpc !== undefined)).toBe(true)
      expect(samples.some((s) => s.vpc === undefined)).toBe(true)
      expect(samples.every((s) => !('vpc' in s) || s.vpc !== undefined)).toBe(true)
    })

    it('refuses an opaque codec it has no override for, naming it', () => {
      expect(() => arbitraryOf(C.scalar('Mystery', 'a mystery', (u): u is unknown => true))).toThrow('codec "Mystery" is opaque; pass an override for it')
    })

    it('lets an override narrow any named codec', () => {
      const samples = fc.sample(arbitraryOf(TrainingStep, { TrainingInstanceType: fc.constant('ml.m5.large') }), { numRuns: 20, seed: 2 })
      expect(new Set(samples.map((s) => s.resources.instanceType))).toStrictEqual(new Set(['ml.m5.large']))
    })
  })

  it('(a) a program round-trips through its JSON form and the codec', () => {
    fc.assert(fc.property(arbitraryProgram({ local: true, overrides: true }), roundTrips), { numRuns: NUM_RUNS })
  })

  it('(a) the JSON form carries the version and decodes with ProgramCodec', () => {
    fc.assert(
      fc.property(arbitraryProgram({ maxSteps: 3 }), (p) => {
        expect(ProgramCodec.is(JSON.parse(JSON.stringify({ version: '1', params: p.params, steps: p.steps })))).toBe(true)
      }),
      { numRuns: 50 },
    )
  })
})
