import { describe, expect, it } from 'vitest'
import { ProgramCodec, program, toJson } from '../../src/spec/program.js'
import { training, type TrainingStep } from '../../src/spec/step.js'
import { modelFromTraining, pytorch, type PyTorchOptions } from '../../src/frameworks/index.js'
import { ROLE, messagesOf, planOf, requestOf, resolved } from './presets-support.js'

const opts: PyTorchOptions = {
  entryPoint: 'train.py',
  sourceDir: 'src',
  dependencies: ['lib'],
  codeLocation: 's3://bucket/code',
  frameworkVersion: '2.5',
  region: 'eu-west-2',
  role: ROLE,
  instanceType: 'ml.m5.xlarge',
  output: { s3OutputPath: 's3://bucket/out' },
  vpc: { subnets: ['subnet-0abc'], securityGroupIds: ['sg-0abc'] },
  tags: { project: 'demo' },
}

describe('modelFromTraining', () => {
  it('inherits role, VPC and tags, and lets each be overridden', () => {
    const train = pytorch('train', opts)
    const m = modelFromTraining(train, { instanceType: 'ml.m5.large' })
    expect(resolved(requestOf(planOf(train, m), 'train-model', 'CreateModel'))).toMatchObject({
      ExecutionRoleArn: ROLE,
      VpcConfig: { SecurityGroupIds: ['sg-0abc'], Subnets: ['subnet-0abc'] },
      Tags: [{ Key: 'project', Value: 'demo' }],
    })
    const other = 'arn:aws:iam::111122223333:role/Serving'
    const m2 = modelFromTraining(train, { instanceType: 'ml.m5.large', role: other, tags: { project: 'serving' }, enableNetworkIsolation: true, name: 'served' })
    expect(resolved(requestOf(planOf(train, m2), 'served', 'CreateModel'))).toMatchObject({
      ExecutionRoleArn: other,
      Tags: [{ Key: 'project', Value: 'serving' }],
      EnableNetworkIsolation: true,
    })
  })

  it('reuses the training archive, or builds another from the parts given', () => {
    const train = pytorch('train', opts)
    // PyTorch serving reads the code from the model archive: the training's code goes into it.
    expect(modelFromTraining(train, { instanceType: 'ml.m5.large' }).container?.modelDataUrl).toMatchObject({
      _tag: 'Repack',
      code: { _tag: 'Code', entryPoint: 'train.py', sourceDir: 'src', dependencies: ['lib'], s3Prefix: 's3://bucket/code' },
    })
    const served = modelFromTraining(train, { instanceType: 'ml.m5.large', entryPoint: 'serve.py', codeLocation: 's3://bucket/serving-code' }).container
    expect(served?.modelDataUrl).toMatchObject({ _tag: 'Repack', code: { _tag: 'Code', entryPoint: 'serve.py', sourceDir: 'src', dependencies: ['lib'], s3Prefix: 's3://bucket/serving-code' } })
    expect(served?.environment).toMatchObject({
      SAGEMAKER_PROGRAM: 'serve.py',
      SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
    })
  })

  it('works the same on a step decoded from JSON (the framework record is plain data)', () => {
    const train = pytorch('train', opts)
    const decoded = ProgramCodec.decode(JSON.parse(toJson(program(train))))
    if (decoded._tag === 'Left') throw new Error('the program did not decode')
    const fromJson = decoded.right.steps[0] as TrainingStep
    expect(fromJson.framework).toEqual(train.framework)
    expect({ ...modelFromTraining(fromJson, { instanceType: 'ml.m5.large' }) }).toEqual({ ...modelFromTraining(train, { instanceType: 'ml.m5.large' }) })
  })

  it('reports a job no framework preset built', () => {
    const byo = training('byo', {
      image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1',
      role: ROLE,
      resources: { instanceType: 'ml.m5.xlarge' },
      output: { s3OutputPath: 's3://bucket/out' },
    })
    expect(messagesOf(byo, modelFromTraining(byo, { instanceType: 'ml.m5.large' }))).toEqual([
      'steps.byo-model.framework: expected a job built by a framework preset (pytorch, tensorflow, …), which records the framework to serve with, found nothing',
    ])
  })

  it('reports a framework it does not know', () => {
    const train = pytorch('train', opts)
    const { _tag, name, ...body } = train
    const odd = training(name, { ...body, framework: { ...train.framework!, name: 'caffe' } })
    expect(messagesOf(odd, modelFromTraining(odd, { instanceType: 'ml.m5.large' }))).toEqual([
      'steps.train-model.framework.name: expected one of pytorch, tensorflow, mxnet, chainer, sklearn, xgboost, huggingface, rl, found "caffe"',
    ])
  })

  it('reports a Python version the overridden serving version lacks', () => {
    const train = pytorch('train', opts)
    expect(messagesOf(train, modelFromTraining(train, { instanceType: 'ml.m5.large', frameworkVersion: '1.0', pyVersion: 'py4' }))).toEqual([
      'steps.train-model.pyVersion: expected a Python version for pytorch inference 1.0.0, one of: py2, py3, found "py4"',
    ])
  })
})
