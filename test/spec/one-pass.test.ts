import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { pytorch, type PyTorchOptions } from '../../src/frameworks/pytorch.js'
import { message } from '../../src/spec/errors.js'
import { toJson, program } from '../../src/spec/program.js'
import { validate } from '../../src/spec/validate.js'
import { IMAGE, ROLE } from '../support/fixtures.js'

const job = { image: IMAGE, role: ROLE, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://bucket/out' } }
const torch: PyTorchOptions = {
  entryPoint: 'train.py',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '0.1',
  region: 'eu-west-2',
  role: ROLE,
  instanceType: 'ml.m5.xlarge',
  output: { s3OutputPath: 's3://bucket/out' },
}

const errorsOf = (u: unknown) => {
  const r = validate(u)
  return E.isLeft(r) ? r.left : []
}

describe('validate reports every layer in one pass', () => {
  it('a structural error in one step hides neither a preset error nor a rule error in others, nor params or refs', () => {
    const preset = JSON.parse(toJson(program(pytorch('torch', torch)))).steps[0]
    const u = {
      params: [
        { name: 'p', type: 'String' },
        { name: 'p', type: 'String' },
      ],
      steps: [
        { _tag: 'Training', name: 'broken', ...job, resources: { instanceType: 'ml.m5.xlarge', instanceCount: 'two' } },
        preset,
        { _tag: 'Training', name: 'both', ...job, algorithmName: 'my-algo' },
        { _tag: 'Model', name: 'm', role: ROLE, container: { image: IMAGE, modelDataUrl: { _tag: 'Ref', step: 'nowhere', path: ['ModelArtifacts', 'S3ModelArtifacts'] } } },
      ],
    }
    const errors = errorsOf(u)
    const where = errors.map((e) => `${e._tag} ${e.path}`)
    // structural
    expect(where).toContain('InvalidField steps.broken.resources.instanceCount')
    // a preset's own error (no PyTorch 0.1 image), in another step
    expect(errors.some((e) => e._tag === 'Rule' && e.path.startsWith('steps.torch.') && /0\.1/.test(message(e)))).toBe(true)
    // a cross-field rule, in a third step
    expect(where.filter((w) => w.startsWith('Rule steps.both'))).toHaveLength(1)
    // params and refs
    expect(where).toContain('Rule params.1.name')
    expect(where).toContain('DanglingRef steps.m.container.modelDataUrl')
  })

  it('each step that decodes is checked by its rules even when the program as a whole does not decode', () => {
    const u = { steps: [{ _tag: 'Training', name: 'a', ...job, bogus: 1 }, { _tag: 'Training', name: 'b', ...job, algorithmName: 'x' }] }
    expect(errorsOf(u).map((e) => `${e._tag} ${e.path}`)).toEqual(['UnknownField steps.a.bogus', expect.stringMatching(/^Rule steps\.b/)])
  })
})

describe("a String param's default and allowed values meet the field's rules", () => {
  const withParam = (decl: Record<string, unknown>) => ({
    params: [{ name: 'note', type: 'String', ...decl }],
    steps: [{ _tag: 'Training', name: 't', ...job, hyperParameters: { note: { _tag: 'Param', name: 'note' } } }],
  })

  it('refuses a default with a line break in a hyperparameter (SageMaker would refuse the request)', () => {
    const errors = errorsOf(withParam({ default: 'a\nb' }))
    expect(errors.map(message)).toEqual([
      'steps.t.hyperParameters.note: expected parameter "note" to take only values that are a string of at most 2500 characters on one line, a finite number or a boolean, found "a\\nb"',
    ])
  })

  it('refuses an allowed value with U+2028, and accepts one-line values', () => {
    expect(errorsOf(withParam({ default: 'a', allowed: ['a', 'b\u2028'] }))).toHaveLength(1)
    expect(E.isRight(validate(withParam({ default: 'a b', allowed: ['a b', 'c'] })))).toBe(true)
  })

  it("says what the field takes in the field's own words (an instance type: not the whole list)", () => {
    const u = {
      params: [{ name: 'kind', type: 'String', default: 'm5.xlarge' }],
      steps: [{ _tag: 'Training', name: 't', ...job, resources: { instanceType: { _tag: 'Param', name: 'kind' } } }],
    }
    expect(errorsOf(u).map(message)).toEqual([
      'steps.t.resources.instanceType: expected parameter "kind" to take only values that are an instance type that training and tuning jobs run on (did you mean "ml.m5.xlarge"?), found "m5.xlarge"',
    ])
  })

  it('checks an S3 URI default against the S3 URI rules', () => {
    const u = {
      params: [{ name: 'out', type: 'String', default: 'bucket/out' }],
      steps: [{ _tag: 'Training', name: 't', ...job, output: { s3OutputPath: { _tag: 'Param', name: 'out' } } }],
    }
    expect(errorsOf(u).map((e) => e.path)).toEqual(['steps.t.output.s3OutputPath'])
  })
})
