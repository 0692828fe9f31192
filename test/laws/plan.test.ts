import { describe, it } from 'vitest'
import fc from 'fast-check'
import { arbitraryProgram } from '../support/programs.js'
import { orderRespectsEdges, planIsDeterministic } from '../support/laws.js'

const NUM_RUNS = 150

describe('laws: plan', () => {
  it('(c) planning is deterministic, also for the program rebuilt from JSON', () => {
    fc.assert(fc.property(arbitraryProgram({ overrides: true, local: true }), planIsDeterministic), { numRuns: NUM_RUNS })
  })

  it('(d) the plan order respects every ref and after edge, and dependsOn lists exactly those edges', () => {
    fc.assert(fc.property(arbitraryProgram({ maxSteps: 8 }), orderRespectsEdges), { numRuns: NUM_RUNS })
  })

  it('(d) also when the program lists steps after the steps that use them', () => {
    fc.assert(
      fc.property(arbitraryProgram({ maxSteps: 8 }), (p) => orderRespectsEdges({ params: p.params, steps: [...p.steps].reverse() })),
      { numRuns: NUM_RUNS },
    )
  })
})
