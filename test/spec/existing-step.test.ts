/**
 * `existing('x')` where the program has a step named `x` that makes such a resource (a model, a
 * tuning job, a model package) is an error at its path: SageMaker would look for a resource literally
 * named `x`, while step `x` creates `x-<run>`; the hint is the ref.
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { endpoint, existing, model, program, toJson, training, transform } from '../../src/index.js'
import { message } from '../../src/spec/errors.js'
import { validate } from '../../src/spec/validate.js'
import { IMAGE, ROLE } from '../support/fixtures.js'

const churn = model('churn', { container: { image: IMAGE, modelDataUrl: 's3://bucket/model.tar.gz' }, role: ROLE })
const serve = (m: Parameters<typeof endpoint>[1]['variants'][number]['model']) => endpoint('serve', { variants: [{ model: m, instanceType: 'ml.m5.large' }] })

const messages = (p: unknown): ReadonlyArray<string> => {
  const v = validate(p)
  return E.isLeft(v) ? v.left.map(message) : []
}

describe("existing('x') where step x exists", () => {
  it('is an error at the path, with the ref to write instead', () => {
    const got = messages(program(churn, serve(existing('churn'))))
    expect(got).toHaveLength(1)
    expect(got[0]).toMatch(/^steps\.serve\.variants\.0\.model: expected churn\.outputs\.name \(in JSON \{"_tag":"Ref","step":"churn","path":\["ModelName"\]\}\)/)
    expect(got[0]).toContain('step "churn" creates churn-<run>')
  })

  it('the same from a JSON program', () => {
    expect(messages(JSON.parse(toJson(program(churn, serve(existing('churn'))))))[0]).toMatch(/^steps\.serve\.variants\.0\.model: expected churn\.outputs\.name/)
  })

  it('a step that makes no such resource (a training job) is no confusion: accepted', () => {
    const train = training('scores', { image: IMAGE, role: ROLE, resources: { instanceType: 'ml.m5.large' }, output: { s3OutputPath: 's3://bucket/out' } })
    const score = transform('t', { model: existing('scores'), input: { uri: 's3://bucket/in' }, output: { s3OutputPath: 's3://bucket/o' }, resources: { instanceType: 'ml.m5.large' } })
    expect(messages(program(train, score))).toStrictEqual([])
  })

  it('an existing name no step has, and the ref, are accepted', () => {
    expect(messages(program(churn, serve(existing('churn-v3'))))).toStrictEqual([])
    expect(messages(program(churn, serve(churn.outputs.name)))).toStrictEqual([])
  })
})
