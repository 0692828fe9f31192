/**
 * Helpers for the framework preset tests: plan a program that must be valid, resolve its requests
 * with sample values, check them against the botocore service model, and read `validate`'s messages.
 */
import * as E from 'fp-ts/lib/Either.js'
import { expect } from 'vitest'
import { message } from '../../src/spec/errors.js'
import { program } from '../../src/spec/program.js'
import type { Step } from '../../src/spec/step.js'
import { validate } from '../../src/spec/validate.js'
import type { Code, Ref } from '../../src/spec/val.js'
import { toPlan, type Plan } from '../../src/interpret/plan/plan.js'
import type { Request, RequestTag } from '../../src/interpret/plan/requests.js'
import { resolve, type Resolver } from '../../src/interpret/plan/symbolic.js'
import { assertValidRequest, serviceModelOrSkip } from '../support/service-model.js'

export const ROLE = 'arn:aws:iam::111122223333:role/SageMakerRole'
export const RUN = '20240102T030405'
/** A fixed stand-in for the archive's sha256 (the packer computes the real one). */
export const SHA = 'a'.repeat(64)

const REF_SAMPLES: Readonly<Record<string, (r: Ref<unknown>) => string>> = {
  S3ModelArtifacts: (r) => `s3://bucket/out/${r.step}-${RUN}/output/model.tar.gz`,
  ModelName: (r) => `${r.step}-${RUN}`,
  TrainingJobName: (r) => `${r.step}-${RUN}-001-abcdef12`,
}

/** Sample values for every symbolic leaf. */
export const SAMPLE: Resolver = {
  ref: (r) => (REF_SAMPLES[r.path[r.path.length - 1] ?? '']?.(r) ?? `sample-${r.step}`),
  param: (p) => (p.default !== undefined ? p.default : p.type === 'String' ? 'sample' : p.type === 'Boolean' ? true : 1),
  runId: RUN,
  code: (c: Code) => `${c.s3Prefix.replace(/\/+$/, '')}/${SHA}/sourcedir.tar.gz`,
  repack: (r) => `${r.code.s3Prefix.replace(/\/+$/, '')}/${SHA}/model.tar.gz`,
}

/** Validate, failing with every message when the program is not valid. */
export const planOf = (...steps: ReadonlyArray<Step>): Plan => {
  const r = validate(program(...steps))
  if (E.isLeft(r)) throw new Error(`expected a valid program, got:\n${r.left.map(message).join('\n')}`)
  return toPlan(r.right)
}

/** Every message `validate` reports for these steps (the program must be invalid). */
export const messagesOf = (...steps: ReadonlyArray<Step>): ReadonlyArray<string> => {
  const r = validate(program(...steps))
  if (E.isRight(r)) throw new Error('expected validate to fail, but the program is valid')
  return r.left.map(message)
}

export const requestOf = <T extends RequestTag>(plan: Plan, step: string, tag: T): Extract<Request, { _tag: T }> => {
  const r = plan.steps.find((s) => s.name === step)?.requests.find((x) => x._tag === tag)
  if (r === undefined) throw new Error(`step "${step}" sends no ${tag}`)
  return r as Extract<Request, { _tag: T }>
}

/** A request's input with sample values in place of refs, params, the run id and code archives. */
export const resolved = (r: Request): Record<string, unknown> => resolve(r.input as never, SAMPLE) as Record<string, unknown>

const service = serviceModelOrSkip()
/** Why service-model checks are skipped here, if they are. */
export const serviceSkip = service.skip

/** Every request of the plan (and every UpdateEndpoint alternative), resolved, passes the service model. */
export const expectServiceValid = (plan: Plan): number => {
  if (service.model === undefined) return 0
  let n = 0
  for (const s of plan.steps)
    for (const r of s.requests) {
      assertValidRequest(service.model, r._tag, resolve(r.input as never, SAMPLE))
      n++
      if (r._tag === 'CreateEndpoint' && r.orUpdate !== undefined) {
        assertValidRequest(service.model, 'UpdateEndpoint', resolve(r.orUpdate as never, SAMPLE))
        n++
      }
    }
  expect(n).toBeGreaterThan(0)
  return n
}
