import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { bindParams } from '../../src/spec/bind.js'
import { program, toJson, withParams, type Program } from '../../src/spec/program.js'
import {
  after,
  make,
  withChannel,
  withEnvironment,
  withHyperParameters,
  withInstance,
  withMaxRuntime,
  withOverrides,
  withTags,
  type Step,
  type TrainingStep,
} from '../../src/spec/step.js'
import { param } from '../../src/spec/val.js'
import { validate } from '../../src/spec/validate.js'
import { toPlan } from '../../src/interpret/plan/plan.js'
import { resolve } from '../../src/interpret/plan/symbolic.js'
import { toText } from '../../src/interpret/dry-run/text.js'
import { toJsonPlan } from '../../src/interpret/dry-run/json.js'
import { toDot, toMermaid } from '../../src/interpret/dry-run/graph.js'
import { arbitraryProgram, sampleResolver } from '../support/programs.js'
import { operations } from '../support/laws.js'

const NUM_RUNS = 100

/** Freeze every object reachable from `a` (writes to it then throw in ESM strict mode). */
const deepFreeze = <A>(a: A): A => {
  if (typeof a === 'object' && a !== null) {
    for (const v of Object.values(a)) deepFreeze(v)
    Object.freeze(a)
  }
  return a
}

const isDeepFrozen = (a: unknown): boolean =>
  typeof a !== 'object' || a === null || (Object.isFrozen(a) && Object.values(a).every(isDeepFrozen))

/** Run everything that reads a program on a deep-frozen copy: none of it may write. */
const interpretAll = (p: Program): void => {
  const v = validate(p)
  if (E.isLeft(v)) throw new Error('generated program is invalid')
  const plan = toPlan(v.right)
  deepFreeze(plan)
  toText(plan)
  toJsonPlan(plan)
  toMermaid(plan)
  toDot(plan)
  for (const op of operations(plan)) resolve(op.input as never, sampleResolver(v.right))
  const defaults = Object.fromEntries(p.params.flatMap((d) => (d.default === undefined ? [] : [[d.name, d.default]])))
  bindParams(defaults)(p)
}

describe('laws: nothing mutates its input', () => {
  it('(g) validate, toPlan, the renderers, resolve and bindParams leave a deep-frozen program (and its JSON form) as it was', () => {
    fc.assert(
      fc.property(arbitraryProgram({ overrides: true, local: true }), (p) => {
        const before = toJson(p)
        const frozen = deepFreeze(p)
        expect(() => interpretAll(frozen)).not.toThrow()
        expect(toJson(frozen)).toBe(before)
        const json = deepFreeze(JSON.parse(before) as Program)
        expect(() => interpretAll(json)).not.toThrow()
        expect(JSON.stringify(json)).toBe(JSON.stringify(JSON.parse(before)))
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('(g) constructors return deep-frozen steps and programs', () => {
    fc.assert(
      fc.property(arbitraryProgram(), (p) => {
        for (const s of p.steps) expect(isDeepFrozen(s), s.name).toBe(true)
        expect(Object.isFrozen(p) && Object.isFrozen(p.steps) && Object.isFrozen(p.params)).toBe(true)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('(g) every combinator returns a new deep-frozen step or program and leaves its input as it was', () => {
    const training = fc.sample(arbitraryProgram(), { numRuns: 60, seed: 17 })
      .flatMap((p) => p.steps)
      .filter((s): s is TrainingStep & Step => s._tag === 'Training')
    expect(training.length).toBeGreaterThan(5)
    const combinators: ReadonlyArray<readonly [string, (s: TrainingStep) => Step]> = [
      ['after', after('upstream') as (s: TrainingStep) => Step],
      ['withTags', withTags({ team: 'ml' }) as (s: TrainingStep) => Step],
      ['withOverrides', withOverrides({ ResourceConfig: { InstanceCount: 2 } }) as (s: TrainingStep) => Step],
      ['withHyperParameters', withHyperParameters({ epochs: param.integer('epochs', { default: 3 }) })],
      ['withInstance', withInstance('ml.c5.xlarge', 3)],
      ['withChannel', withChannel('extra', { uri: 's3://bucket/extra/' })],
      ['withEnvironment', withEnvironment({ MODE: 'fast' })],
      ['withMaxRuntime', withMaxRuntime(600)],
    ]
    for (const s of training)
      for (const [name, f] of combinators) {
        const before = JSON.stringify(s)
        const out = f(s)
        expect(JSON.stringify(s), name).toBe(before)
        expect(out, name).not.toBe(s)
        expect(isDeepFrozen(out), name).toBe(true)
        expect(out.name, name).toBe(s.name)
      }
    const p = program(...training.slice(0, 3).map((s) => make(s)))
    const before = toJson(p)
    const q = withParams({ name: 'extra', type: 'String', default: 'x' })(p)
    expect(toJson(p)).toBe(before)
    expect(q.params.map((d) => d.name)).toContain('extra')
    expect(Object.isFrozen(q) && Object.isFrozen(q.params)).toBe(true)
  })
})
