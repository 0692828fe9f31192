import { describe, expect, it } from 'vitest'
import { model, training } from '../../src/spec/step.js'
import { modelFromTraining, pipelineModel, pytorch, sparkmlModel } from '../../src/frameworks/index.js'
import { ROLE, messagesOf, planOf, requestOf, resolved } from './presets-support.js'

const VPC = { subnets: ['subnet-0abc'], securityGroupIds: ['sg-0abc'] }
const IMAGE = '111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1'

const prep = training('prep', { image: IMAGE, role: ROLE, resources: { instanceType: 'ml.m5.large' }, output: { s3OutputPath: 's3://bucket/prep' } })
const train = pytorch('train', {
  entryPoint: 'train.py',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '2.5',
  region: 'us-west-2',
  role: ROLE,
  instanceType: 'ml.m5.xlarge',
  output: { s3OutputPath: 's3://bucket/out' },
  vpc: VPC,
  tags: { project: 'churn' },
})
const spark = sparkmlModel('features', {
  modelData: prep.outputs.modelArtifacts,
  role: ROLE,
  region: 'us-west-2',
  vpc: VPC,
  schema: { input: [{ name: 'age', type: 'double' }], output: { name: 'features', type: 'double', struct: 'vector' } },
})

describe('pipelineModel', () => {
  it('serves a SparkML model then a framework model: containers in order, one role and VPC, the models\' tags', () => {
    const pipeline = pipelineModel('churn', [spark, modelFromTraining(train, { instanceType: 'ml.c5.xlarge' })])
    const r = resolved(requestOf(planOf(prep, train, pipeline), 'churn', 'CreateModel'))
    expect(r).toMatchObject({ ExecutionRoleArn: ROLE, VpcConfig: { Subnets: ['subnet-0abc'], SecurityGroupIds: ['sg-0abc'] }, Tags: [{ Key: 'project', Value: 'churn' }] })
    const containers = r.Containers as ReadonlyArray<{ Image: string; ModelDataUrl: string; Environment?: Record<string, string> }>
    expect(containers.map((c) => c.Image.split('/')[1]?.split(':')[0])).toEqual(['sagemaker-sparkml-serving', 'pytorch-inference'])
    expect(containers[0]?.Environment?.SAGEMAKER_SPARKML_SCHEMA).toContain('"age"')
    expect(containers[1]?.Environment?.SAGEMAKER_PROGRAM).toBe('train.py')
    expect(r).not.toHaveProperty('PrimaryContainer')
  })

  it('refuses models that disagree on the role or VPC unless one is given, and equal hostnames', () => {
    const other = 'arn:aws:iam::111122223333:role/Other'
    const a = model('a', { container: { image: IMAGE, containerHostname: 'prep' }, role: ROLE })
    const b = model('b', { container: { image: IMAGE, containerHostname: 'prep' }, role: other, vpc: VPC })
    expect(messagesOf(pipelineModel('p', [a, b]))).toEqual([
      `steps.p.role: expected one role for the whole pipeline (models 0 and 1 differ): give role, found ["${ROLE}","${other}"]`,
      'steps.p.containers: expected distinct containerHostname values, found ["prep","prep"]',
    ])
    const c = model('c', { container: { image: IMAGE, containerHostname: 'model' }, role: other })
    const ok = pipelineModel('p', [a, c], { role: ROLE })
    expect(resolved(requestOf(planOf(ok), 'p', 'CreateModel'))).toMatchObject({ ExecutionRoleArn: ROLE })
  })

  it('keeps a model\'s network isolation and carries the models\' own errors, by container', () => {
    const isolated = model('a', { container: { image: IMAGE }, role: ROLE, enableNetworkIsolation: true })
    expect(pipelineModel('p', [isolated, model('b', { container: { image: IMAGE }, role: ROLE })]).enableNetworkIsolation).toBe(true)
    const bad = modelFromTraining(train, { instanceType: 'ml.c5.xlarge', frameworkVersion: '0.1' })
    expect(messagesOf(train, pipelineModel('p', [isolated, bad]))[0]).toMatch(/^steps\.p\.containers\.1\.frameworkVersion: expected/)
  })
})
