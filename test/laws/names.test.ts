import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { message } from '../../src/spec/errors.js'
import { JOB_NAME_LIMIT, RUN_ID_MAX_LENGTH, TUNING_JOB_NAME_LIMIT } from '../../src/spec/names.js'
import type { Program } from '../../src/spec/program.js'
import { validate } from '../../src/spec/validate.js'
import { nameCollisions } from '../../src/interpret/plan/collisions.js'
import { toPlan } from '../../src/interpret/plan/plan.js'
import { NAME_FIELDS } from '../../src/interpret/plan/requests.js'
import { resolve } from '../../src/interpret/plan/symbolic.js'
import { requestsMatchServiceModel } from '../support/laws.js'
import { arbitraryProgram, sampleResolver } from '../support/programs.js'
import { serviceModelOrSkip } from '../support/service-model.js'

// Names built to collide: prefixes exactly as long as what survives truncation (jobs keep 63 - 16 = 47
// characters of their base, tuning jobs 32 - 16 = 16), so any two names on one prefix share a job name;
// short names that differ; and a few shared base job names.
const JOB_KEEP = JOB_NAME_LIMIT - RUN_ID_MAX_LENGTH - 1
const TUNING_KEEP = TUNING_JOB_NAME_LIMIT - RUN_ID_MAX_LENGTH - 1
const LONG = 'churn-prediction-xgboost-training-with-features'.slice(0, JOB_KEEP)
const MID = 'churn-tuning-job'.slice(0, TUNING_KEEP)
const stepNames = fc
  .tuple(fc.constantFrom(LONG, MID, 'm', 'train'), fc.stringMatching(/^[a-z0-9]{1,8}$/))
  .map(([prefix, suffix]) => `${prefix}${suffix}`.slice(0, JOB_NAME_LIMIT))
const baseNames = fc.constantFrom('shared', `${LONG}x`, `${MID}y`, 'other')
const programs = arbitraryProgram({ maxSteps: 8, arbitraries: { StepName: stepNames, BaseName: baseNames } })

/** Each request's physical name once resolved with sample values, by kind: what SageMaker would see. */
const resolvedNames = (p: Program) => {
  const v = validate(p)
  if (E.isLeft(v)) throw new Error(`the arbitrary built an invalid program:\n${v.left.map(message).join('\n')}`)
  const plan = toPlan(v.right)
  const r = sampleResolver(v.right)
  const names = plan.steps.flatMap((s) =>
    s.requests.map((q) => ({ step: s.name, kind: q._tag, name: String(resolve((q.input as Record<string, never>)[NAME_FIELDS[q._tag]], r)) })),
  )
  return { plan, names }
}

describe('laws: physical names', () => {
  it('a program validate and plan accept never names two things of one kind the same; a refused one names both steps', () => {
    let accepted = 0
    let refused = 0
    fc.assert(
      fc.property(programs, (p) => {
        const { plan, names } = resolvedNames(p)
        const collisions = nameCollisions(plan)
        const byName = new Map<string, string>()
        const clashes: Array<readonly [string, string]> = []
        for (const n of names) {
          const key = `${n.kind}\u0000${n.name}`
          const other = byName.get(key)
          if (other === undefined) byName.set(key, n.step)
          else if (other !== n.step) clashes.push([other, n.step])
        }
        if (collisions.length === 0) {
          accepted++
          expect(clashes).toEqual([])
        } else {
          refused++
          // Refused only for a real clash, and each error names both steps: its path the later one, its words the earlier.
          expect(clashes.length).toBeGreaterThan(0)
          for (const [earlier, later] of clashes) {
            expect(collisions.some((e) => e.path === `steps.${later}` && message(e).includes(`step "${earlier}"`)), `${earlier} / ${later}`).toBe(true)
          }
          expect(collisions).toHaveLength(clashes.length)
        }
      }),
      { numRuns: 150 },
    )
    // Not vacuous: the names above make both outcomes common.
    expect(accepted).toBeGreaterThan(10)
    expect(refused).toBeGreaterThan(10)
  })

  const sm = serviceModelOrSkip()
  it.skipIf(sm.skip !== undefined)(
    `every literal string in an accepted program's requests matches the service model (Java patterns, code-point lengths)${sm.skip !== undefined ? ` (skipped: ${sm.skip})` : ''}`,
    () => {
      fc.assert(
        fc.property(programs, (p) => {
          const v = validate(p)
          fc.pre(E.isRight(v) && nameCollisions(toPlan(v.right)).length === 0)
          requestsMatchServiceModel(sm.model!, sampleResolver)(p)
        }),
        { numRuns: 100 },
      )
    },
  )
})
