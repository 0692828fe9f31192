import { describe, expect, it } from 'vitest'
import { training, withTags } from '../../src/spec/index.js'

const body = () => ({
  image: 'img',
  role: 'arn:aws:iam::111122223333:role/R',
  resources: { instanceType: 'ml.m5.large' },
  output: { s3OutputPath: 's3://b/o' },
  tags: { team: 'a' },
})

describe('step constructors', () => {
  it('return a deep-frozen step but leave the caller’s own objects unfrozen', () => {
    const b = body()
    const s = training('t', b)
    expect(Object.isFrozen(s)).toBe(true)
    expect(Object.isFrozen(s.resources)).toBe(true)
    expect(Object.isFrozen(b.resources)).toBe(false)
    b.resources.instanceType = 'ml.c5.large'
    expect(s.resources.instanceType).toBe('ml.m5.large')
  })

  it('combinators return a new step and keep typed outputs', () => {
    const s = training('t', body())
    const t = withTags({ owner: 'me' })(s)
    expect(t).not.toBe(s)
    expect(s.tags).toEqual({ team: 'a' })
    expect(t.tags).toEqual({ team: 'a', owner: 'me' })
    expect((t as typeof s).outputs.modelArtifacts).toEqual({ _tag: 'Ref', step: 't', path: ['ModelArtifacts', 'S3ModelArtifacts'] })
    expect(Object.keys(t)).not.toContain('outputs')
  })
})

describe('withOverrides', () => {
  it('deep-merges into earlier overrides, as the request builders do', async () => {
    const { withOverrides } = await import('../../src/spec/index.js')
    const s = withOverrides({ ResourceConfig: { KeepAlivePeriodInSeconds: 60 } })(training('t', body()))
    const t = withOverrides({ ResourceConfig: { InstanceGroups: [] }, Extra: 1 })(s)
    expect(t.overrides).toEqual({ ResourceConfig: { KeepAlivePeriodInSeconds: 60, InstanceGroups: [] }, Extra: 1 })
    expect(s.overrides).toEqual({ ResourceConfig: { KeepAlivePeriodInSeconds: 60 } })
  })
})

describe('validate with a repeated step name', () => {
  it('still checks the second step’s after list', async () => {
    const { validate, program, message } = await import('../../src/spec/index.js')
    const E = await import('fp-ts/lib/Either.js')
    const a = training('t', body())
    const b = { ...training('t', body()), after: ['nowhere'] }
    const r = validate(program(a, b as never))
    expect(E.isLeft(r) && r.left.map(message)).toEqual([
      'steps.1.name: step name "t" is used more than once',
      'steps.1.after.0: refers to step "nowhere", which is not in the program',
    ])
  })
})
