import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { arbitraryProgram, sampleResolver } from '../support/programs.js'
import { optionsFor, requestsMatchServiceModel } from '../support/laws.js'
import { serviceModelOrSkip } from '../support/service-model.js'

const sm = serviceModelOrSkip()

describe.skipIf(sm.skip !== undefined)(`laws: requests against the service model${sm.skip !== undefined ? ` (skipped: ${sm.skip})` : ''}`, () => {
  // The describe body runs even when skipped; only the tests do not.
  const model = sm.model!
  const { options, omitted } = sm.model === undefined ? { options: {}, omitted: [] } : optionsFor(sm.model)
  const about = sm.model === undefined ? '' : ` (model ${model.apiVersion}, botocore ${model.botocoreVersion ?? '?'}${omitted.length > 0 ? `; newer than it, left out: ${omitted.join(', ')}` : ''})`

  it(`(e) every generated program's requests, resolved with sample values, pass the check${about}`, () => {
    fc.assert(fc.property(arbitraryProgram({ ...options, maxSteps: 8 }), requestsMatchServiceModel(model, sampleResolver)), { numRuns: 200 })
  })

  it('(e) the check is not vacuous: a broken request is caught', () => {
    const p = fc.sample(arbitraryProgram({ ...options }), { numRuns: 1, seed: 9 })[0]!
    // A key no request has: the compiler refuses it (overrides are typed), untyped programs reach the check.
    const bad = { ...p, steps: p.steps.map((s) => ({ ...s, overrides: { Nonsense: true } as never })) }
    expect(() => requestsMatchServiceModel(model, sampleResolver)(bad)).toThrow(/Nonsense/)
  })
})
