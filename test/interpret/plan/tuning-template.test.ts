import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { program, toPlan, tuning, validate } from '../../../src/index.js'

const template = {
  image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/x:1',
  role: 'arn:aws:iam::111122223333:role/R',
  resources: { instanceType: 'ml.m5.large' },
  output: { s3OutputPath: 's3://b/o' },
  metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }],
  tags: { team: 'ml' },
  overrides: { ResourceConfig: { KeepAlivePeriodInSeconds: 120 }, RetryStrategy: { MaximumRetryAttempts: 2 } },
}

const tuningRequest = (extra: Record<string, unknown> = {}) => {
  const v = validate(program(tuning('tune', { training: template, objective: { metricName: 'auc', type: 'Maximize' }, ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } }, ...extra })))
  if (E.isLeft(v)) throw new Error(JSON.stringify(v.left))
  return toPlan(v.right).steps[0]!.requests[0]!.input as Record<string, any>
}

describe('tuning templates', () => {
  it("merge the template's overrides into the training job definition, not the tuning request", () => {
    const r = tuningRequest()
    expect(r.TrainingJobDefinition.ResourceConfig).toEqual({ InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30, KeepAlivePeriodInSeconds: 120 })
    expect(r.TrainingJobDefinition.RetryStrategy).toEqual({ MaximumRetryAttempts: 2 })
    expect(r.ResourceConfig).toBeUndefined()
  })

  it("use the template's tags unless the tuning step has its own", () => {
    expect(tuningRequest().Tags).toEqual([{ Key: 'team', Value: 'ml' }])
    expect(tuningRequest({ tags: { owner: 'me' } }).Tags).toEqual([{ Key: 'owner', Value: 'me' }])
  })
})
