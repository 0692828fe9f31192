import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as C from '../../src/spec/codec.js'
import { ProgramCodec, toJson, type Program } from '../../src/spec/program.js'
import { validate } from '../../src/spec/validate.js'
import { printNumbers } from '../../src/interpret/plan/plan.js'
import { arbitraryProgram } from '../support/programs.js'
import { breakers } from '../support/laws.js'
import { agreesWithDecoder, fast, slow } from '../support/fast-path.js'

// The compiled checks must decide as the decoder they stand in for (test/support/fast-path.ts).
const agree = agreesWithDecoder

describe('laws: the compiled fast path agrees with the decoder', () => {
  it('passes every generated program, built or parsed from JSON, with the same uses', () => {
    fc.assert(
      fc.property(arbitraryProgram({ local: true, overrides: true }), (p) => {
        for (const u of [p, JSON.parse(toJson(p))]) {
          expect(fast(u).result).toBe(true)
          agree(u)
        }
      }),
      { numRuns: 150 },
    )
  })

  it('refuses every single-field corruption the decoder refuses', () => {
    const broken = fc.tuple(arbitraryProgram({ local: true, maxSteps: 4 }), fc.nat()).map(([p, n]) => {
      const all = breakers(p)
      return all[n % all.length]!.program
    })
    fc.assert(
      fc.property(broken, (u) => {
        if (slow(u).result._tag === 'Left') expect(fast(u).result).toBe(false)
        agree(u)
      }),
      { numRuns: 200 },
    )
  })

  it('counts string lengths in code points, as [...s].length does', () => {
    const chars = fc.oneof(fc.constantFrom('a', 'é', '\u{1F600}', '\ud800', '\udc00', '\ud83d', 'x\ude00'), fc.string({ unit: 'grapheme', maxLength: 3 }))
    const strings = fc.array(chars, { maxLength: 8 }).map((xs) => xs.join(''))
    fc.assert(
      fc.property(strings, fc.nat(10), fc.nat(10), (s, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a]
        const n = [...s].length
        expect(C.str('S', { min, max }).is(s)).toBe(n >= min && n <= max)
      }),
      { numRuns: 500 },
    )
  })

  it('the planner reads the uses validate found as it would decode them itself', () => {
    fc.assert(
      fc.property(arbitraryProgram({ local: true }), (p: Program) => {
        const v = validate(p)
        expect(v._tag).toBe('Right')
        if (v._tag !== 'Right') return
        const ctx = { params: new Map(v.right.params.map((d) => [d.name, d])), kinds: new Map(v.right.steps.map((s) => [s.name, s._tag])) }
        for (const s of v.right.steps) {
          // A copy is a step validate has not seen: the planner decodes it.
          const copy = JSON.parse(JSON.stringify(s)) as typeof s
          expect(JSON.stringify(printNumbers(s, ctx))).toBe(JSON.stringify(printNumbers(copy, ctx)))
        }
      }),
      { numRuns: 100 },
    )
  })
})
