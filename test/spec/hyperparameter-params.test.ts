import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { message, param, program, resolve, toPlan, training, validate } from '../../src/index.js'

const role = 'arn:aws:iam::111122223333:role/R'
const flagParam = param.boolean('shuffle', { default: true })

const job = (hyperParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  training('train', {
    image: 'img',
    role,
    resources: { instanceType: 'ml.m5.large' },
    output: { s3OutputPath: 's3://b/o' },
    hyperParameters: hyperParameters as never,
    ...extra,
  })

describe('hyperparameters take params of any scalar type', () => {
  it('a Boolean param is accepted in hyperparameters and printed as a string', () => {
    const v = validate(program(job({ shuffle: flagParam })))
    expect(E.isRight(v)).toBe(true)
    if (E.isLeft(v)) return
    const req = toPlan(v.right).steps[0]!.requests[0]!
    const resolved = resolve(req.input as never, { ref: () => 'x', param: () => true, runId: '20261125T000000', code: () => 's3://b/c' }) as {
      HyperParameters: Record<string, unknown>
    }
    expect(resolved.HyperParameters).toEqual({ shuffle: 'true' })
  })

  it('a Boolean param still does not fit a string field such as the image', () => {
    const v = validate(program(job({}, { image: flagParam })))
    expect(E.isLeft(v) && v.left.map(message)).toEqual(['steps.train.image: parameter "shuffle" is a Boolean, but this field needs a string'])
  })
})
