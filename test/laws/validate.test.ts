import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { arbitraryProgram } from '../support/programs.js'
import { breakIsReportedAt, breakers, isValid } from '../support/laws.js'

const NUM_RUNS = 150

describe('laws: validate', () => {
  it('(b) every generated program is valid', () => {
    fc.assert(fc.property(arbitraryProgram({ local: true, overrides: true }), isValid), { numRuns: NUM_RUNS })
  })

  it('(f) one field made invalid is reported at exactly its path', () => {
    const broken = fc.tuple(arbitraryProgram({ local: true, maxSteps: 4 }), fc.nat()).map(([p, n]) => {
      const all = breakers(p)
      return all[n % all.length]!
    })
    fc.assert(fc.property(broken, breakIsReportedAt), { numRuns: 200 })
  })

  it('(f) the breakers reach every kind of corruption', () => {
    // A guard against a breaker set that silently shrinks to nothing.
    const whats = fc.sample(arbitraryProgram({ maxSteps: 4 }), { numRuns: 30, seed: 5 }).flatMap((p) => breakers(p).map((b) => b.what.replace(/ \(.*$/, '')))
    for (const w of ['a number in a string field', 'a value that breaks the pattern', 'below the minimum', 'a fraction in an integer field', 'a value outside the enum', 'an unknown field', 'one character too many', 'a bare name where a resource is named'])
      expect(whats).toContain(w)
    expect(whats.some((w) => w.startsWith('required '))).toBe(true)
  })
})
