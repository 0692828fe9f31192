/**
 * Small shared helpers for tests: plan a program that must be valid, and pick its requests.
 */
import * as E from 'fp-ts/lib/Either.js'
import { message, type SpecError } from '../../src/spec/errors.js'
import type { Program } from '../../src/spec/program.js'
import { validate, type ValidProgram } from '../../src/spec/validate.js'
import { toPlan, type Plan, type PlannedStep } from '../../src/interpret/plan/plan.js'
import type { Request, RequestTag } from '../../src/interpret/plan/requests.js'

export const ROLE = 'arn:aws:iam::111122223333:role/SageMakerRole'
export const IMAGE = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0'

/** `validate` that must succeed; a failure lists every message so the test output says why. */
export const valid = (p: unknown): ValidProgram => {
  const r = validate(p)
  if (E.isLeft(r)) throw new Error(`expected a valid program, got:\n${r.left.map(message).join('\n')}`)
  return r.right
}

/** `validate` that must fail. */
export const invalid = (p: unknown): ReadonlyArray<SpecError> => {
  const r = validate(p)
  if (E.isRight(r)) throw new Error('expected validate to fail, but the program is valid')
  return r.left
}

export const planOf = (p: Program): Plan => toPlan(valid(p))

export const plannedStep = (plan: Plan, name: string): PlannedStep => {
  const s = plan.steps.find((x) => x.name === name)
  if (s === undefined) throw new Error(`no step "${name}" in the plan`)
  return s
}

/** The one request of a tag that a step sends. */
export const requestOf = <T extends RequestTag>(plan: Plan, step: string, tag: T): Extract<Request, { _tag: T }> => {
  const r = plannedStep(plan, step).requests.find((x) => x._tag === tag)
  if (r === undefined) throw new Error(`step "${step}" sends no ${tag}`)
  return r as Extract<Request, { _tag: T }>
}
