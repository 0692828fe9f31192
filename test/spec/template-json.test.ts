/**
 * JSON programs: a tuning step whose `training` is a training step (`{"_tag": "Training", …}`) is
 * taken as `tuning()` takes one in TypeScript — the same validated program and the same plan.
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { program, toJson } from '../../src/spec/program.js'
import { training, tuning } from '../../src/spec/step.js'
import { message } from '../../src/spec/errors.js'
import { validate } from '../../src/spec/validate.js'
import { toJsonPlan } from '../../src/interpret/dry-run/json.js'
import { toPlan } from '../../src/interpret/plan/plan.js'
import { pytorch } from '../../src/frameworks/index.js'
import { IMAGE, ROLE } from '../support/fixtures.js'

const opts = {
  objective: { metricName: 'val:loss', type: 'Minimize' as const },
  ranges: { lr: { _tag: 'Continuous' as const, min: 0.001, max: 0.1 } },
  maxJobs: 4,
}

const train = pytorch('train', {
  entryPoint: 'train.py',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '2.4',
  region: 'us-west-2',
  role: ROLE,
  instanceType: 'ml.g5.xlarge',
  output: { s3OutputPath: 's3://bucket/out' },
  channels: { train: { uri: 's3://bucket/train' } },
  hyperParameters: { epochs: 10, lr: 0.01 },
  metricDefinitions: [{ name: 'val:loss', regex: 'val_loss=([0-9.]+)' }],
})

/** The JSON a person writes: the tuning step with the training step itself as its template. */
const jsonWithStep = (step: unknown) => JSON.parse(JSON.stringify({ version: '1', params: [], steps: [{ _tag: 'Tuning', name: 'tune', training: step, ...opts }] }))

const planText = (u: unknown): string => {
  const v = validate(u)
  if (E.isLeft(v)) throw new Error(v.left.map(message).join('\n'))
  return toJsonPlan(toPlan(v.right))
}

describe('a JSON tuning step with a training step as its template', () => {
  it('plans exactly as tuning(name, { training: step }) does (framework preset)', () => {
    const typed = JSON.parse(toJson(program(tuning('tune', { ...opts, training: train }))))
    expect(planText(jsonWithStep(train))).toBe(planText(typed))
  })

  it('a plain training step too, its after moving to the tuning step', () => {
    const plain = training('base', {
      image: IMAGE,
      role: ROLE,
      resources: { instanceType: 'ml.m5.xlarge' },
      output: { s3OutputPath: 's3://bucket/out' },
      metricDefinitions: [{ name: 'val:loss', regex: 'l=([0-9.]+)' }],
      hyperParameters: { lr: 0.1 },
    })
    const typed = JSON.parse(toJson(program(tuning('tune', { ...opts, training: plain }))))
    expect(planText(jsonWithStep(plain))).toBe(planText(typed))
    expect(typed.steps[0].training._tag).toBeUndefined()
  })

  it("the template's own field errors are reported under training, not as an unknown _tag", () => {
    const bad = jsonWithStep({ ...JSON.parse(JSON.stringify(train)), resources: { instanceType: 'ml.nope' } })
    const v = validate(bad)
    expect(E.isLeft(v)).toBe(true)
    const messages = E.isLeft(v) ? v.left.map(message) : []
    expect(messages.some((m) => m.includes('_tag'))).toBe(false)
    expect(messages.some((m) => m.startsWith('steps.tune.training.resources.instanceType'))).toBe(true)
  })
})
