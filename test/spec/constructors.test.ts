import { describe, expect, it } from 'vitest'
import { ref, toJson, program, training, tuning } from '../../src/spec/index.js'

const body = (tags: Readonly<Record<string, string>>) => ({
  image: 'img',
  role: 'arn:aws:iam::111122223333:role/R',
  resources: { instanceType: 'ml.m5.xlarge' },
  output: { s3OutputPath: 's3://b/o' },
  tags,
})

describe('step constructors', () => {
  it('keep a key named __proto__ as data (it is a tag like any other), in the step and in its JSON', () => {
    const tags = JSON.parse('{"__proto__": "x", "team": "ml"}') as Record<string, string>
    const s = training('t', body(tags))
    expect(Object.keys(s.tags!)).toEqual(['__proto__', 'team'])
    expect(Object.getPrototypeOf(s.tags)).toBe(Object.prototype)
    expect(toJson(program(s))).toContain('"__proto__": "x"')
  })

  it('freeze the step and its parts without freezing or changing what the caller passed', () => {
    const tags: Record<string, string> = { team: 'ml' }
    const b = body(tags)
    const s = training('t', b)
    expect(Object.isFrozen(s) && Object.isFrozen(s.tags) && Object.isFrozen(s.resources)).toBe(true)
    expect(Object.isFrozen(tags) || Object.isFrozen(b) || Object.isFrozen(b.resources)).toBe(false)
    tags['team'] = 'changed'
    expect(s.tags).toEqual({ team: 'ml' })
  })
})

describe('ref', () => {
  it('shares a frozen path and copies one the caller may still change', () => {
    const frozen = Object.freeze(['ModelArtifacts', 'S3ModelArtifacts'])
    expect(ref('t', frozen).path).toBe(frozen)
    const open = ['ModelArtifacts', 'S3ModelArtifacts']
    const r = ref('t', open)
    open[1] = 'changed'
    expect(r.path).toEqual(['ModelArtifacts', 'S3ModelArtifacts'])
    expect(Object.isFrozen(r.path)).toBe(true)
  })

  it('gives every step of a kind the same output paths', () => {
    const a = training('a', body({}))
    const b = training('b', body({}))
    expect(a.outputs.modelArtifacts.path).toBe(b.outputs.modelArtifacts.path)
    expect(a.outputs.modelArtifacts.step).toBe('a')
  })
})

describe('step outputs', () => {
  it('are made on first read, once: the same ref every time, a function that works detached', () => {
    const t = training('train', body({}))
    expect(t.outputs.modelArtifacts).toBe(t.outputs.modelArtifacts)
    expect(t.outputs.modelArtifacts).toEqual({ _tag: 'Ref', step: 'train', path: ['ModelArtifacts', 'S3ModelArtifacts'] })
    const hp = t.outputs.hyperParameter
    expect(hp('lr')).toEqual({ _tag: 'Ref', step: 'train', path: ['HyperParameters', 'lr'] })
    const tuned = tuning('tune', { training: t, objective: { metricName: 'm', type: 'Maximize' }, ranges: { lr: { _tag: 'Continuous', min: 0.01, max: 0.1 } } } as never)
    expect(tuned.outputs.bestTrainingJob).toBe(tuned.outputs.bestTrainingJob)
    expect(tuned.outputs.bestTrainingJob.name).toEqual({ _tag: 'Ref', step: 'tune', path: ['BestTrainingJob', 'TrainingJobName'] })
    expect(Object.keys(t)).not.toContain('outputs')
    expect(toJson(program(t))).not.toContain('S3ModelArtifacts')
  })
})
