import { describe, expect, it } from 'vitest'
import { model, training, tuning } from '../../src/spec/step.js'
import { pytorch, transformer } from '../../src/frameworks/index.js'
import { ROLE, messagesOf, planOf, requestOf, resolved } from './presets-support.js'

const IMAGE = '111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1'
const io = {
  resources: { instanceType: 'ml.m5.xlarge', instanceCount: 2 },
  input: { uri: 's3://bucket/to-score/', contentType: 'text/csv', splitType: 'Line' },
  output: { s3OutputPath: 's3://bucket/scores/' },
} as const

const byo = training('train', {
  image: IMAGE,
  role: ROLE,
  resources: { instanceType: 'ml.m5.xlarge' },
  output: { s3OutputPath: 's3://bucket/out' },
  baseJobName: 'churn',
  tags: { project: 'churn' },
  metricDefinitions: [{ name: 'auc', regex: 'auc=([0-9.]+)' }],
})

describe('transformer', () => {
  it("from a training step: builds the model, names the job after the training's base name and carries its tags (Estimator.transformer)", () => {
    const { steps, model: m, transform: t } = transformer(byo, io)
    expect(steps.map((s) => s.name)).toEqual(['train-model', 'train-transform'])
    const plan = planOf(byo, ...steps)
    expect(resolved(requestOf(plan, 'train-model', 'CreateModel'))).toMatchObject({ PrimaryContainer: { Image: IMAGE }, Tags: [{ Key: 'project', Value: 'churn' }] })
    expect(resolved(requestOf(plan, 'train-transform', 'CreateTransformJob'))).toMatchObject({
      TransformJobName: 'churn-20240102T030405',
      ModelName: 'train-model-20240102T030405',
      Tags: [{ Key: 'project', Value: 'churn' }],
      TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 2 },
    })
    expect(t.model).toEqual({ _tag: 'Ref', step: m.name, path: ['ModelName'] })
  })

  it('lets the name, tags and base name be given, and a framework model be served on the transform\'s instance type', () => {
    const train = pytorch('pt', {
      entryPoint: 'train.py',
      codeLocation: 's3://bucket/code',
      frameworkVersion: '2.5',
      region: 'us-west-2',
      role: ROLE,
      instanceType: 'ml.p3.2xlarge',
      output: { s3OutputPath: 's3://bucket/out' },
    })
    const cpu = transformer(train, { ...io, name: 'score', tags: { team: 'x' }, baseJobName: 'scoring' })
    const plan = planOf(train, ...cpu.steps)
    expect(resolved(requestOf(plan, 'score', 'CreateTransformJob'))).toMatchObject({ TransformJobName: 'scoring-20240102T030405', Tags: [{ Key: 'team', Value: 'x' }] })
    expect(String(cpu.model.container?.image)).toMatch(/pytorch-inference:2\.5.*-cpu-/)
    const gpu = transformer(train, { ...io, resources: { instanceType: 'ml.g4dn.xlarge' } })
    expect(String(gpu.model.container?.image)).toMatch(/-gpu-/)
  })

  it("from a tuning step: the best job's model, the tuning job's base name and tags", () => {
    const { _tag, name, ...template } = byo
    const tune = tuning('tune', { training: template, objective: { metricName: 'auc', type: 'Maximize' }, ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } }, tags: { stage: 'tune' } })
    const { steps } = transformer(tune, io)
    const plan = planOf(tune, ...steps)
    expect(resolved(requestOf(plan, 'tune-model', 'CreateModel'))).toMatchObject({
      PrimaryContainer: { ModelDataUrl: 's3://bucket/out/tune-20240102T030405-001-abcdef12/output/model.tar.gz' },
    })
    expect(resolved(requestOf(plan, 'tune-transform', 'CreateTransformJob'))).toMatchObject({ TransformJobName: 'tune-20240102T030405', Tags: [{ Key: 'stage', Value: 'tune' }] })
  })

  it("from a model step: only the transform, named after the model (Model.transformer); an isolated model's environment is refused with what to do", () => {
    const m = model('scorer', { container: { image: IMAGE, modelDataUrl: 's3://bucket/model.tar.gz' }, role: ROLE, enableNetworkIsolation: true })
    const { steps } = transformer(m, io)
    expect(steps.map((s) => s.name)).toEqual(['scorer-transform'])
    expect(resolved(requestOf(planOf(m, ...steps), 'scorer-transform', 'CreateTransformJob'))).toMatchObject({ TransformJobName: 'scorer-20240102T030405', ModelName: 'scorer-20240102T030405' })
    expect(messagesOf(m, ...transformer(m, { ...io, environment: { A: '1' } }).steps)).toEqual([
      'steps.scorer-transform.environment: expected no environment: the model runs network-isolated (set variables in the model\'s container environment instead), found {"A":"1"}',
    ])
  })
})
