import { describe, expect, it } from 'vitest'
import { ProgramCodec, program, toJson } from '../../src/spec/program.js'
import { training, tuning, type TrainingStep } from '../../src/spec/step.js'
import { algorithmImage, modelFromTraining, modelFromTuning, pytorch, type PyTorchOptions } from '../../src/frameworks/index.js'
import { kmeans } from '../../src/frameworks/algorithms/index.js'
import { algorithmEstimator } from '../../src/frameworks/marketplace.js'
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

const IMAGE = '111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1'
const VPC = { subnets: ['subnet-0abc'], securityGroupIds: ['sg-0abc'] }

const byoTraining = (name = 'byo') =>
  training(name, {
    image: IMAGE,
    role: ROLE,
    resources: { instanceType: 'ml.m5.xlarge' },
    output: { s3OutputPath: 's3://bucket/out/' },
    vpc: VPC,
    tags: { project: 'demo' },
    metricDefinitions: [{ name: 'auc', regex: 'auc=([0-9.]+)' }],
  })

describe('modelFromTraining for jobs no framework preset built', () => {
  it('serves a bring-your-own job with its image, artifacts, role, VPC and tags (the SDK\'s Estimator.create_model)', () => {
    const train = byoTraining()
    const m = modelFromTraining(train)
    expect(resolved(requestOf(planOf(train, m), 'byo-model', 'CreateModel'))).toEqual({
      ModelName: 'byo-model-20240102T030405',
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://bucket/out/byo-20240102T030405/output/model.tar.gz' },
      ExecutionRoleArn: ROLE,
      VpcConfig: { SecurityGroupIds: ['sg-0abc'], Subnets: ['subnet-0abc'] },
      Tags: [{ Key: 'project', Value: 'demo' }],
    })
  })

  it('takes another image, an environment and the model fields over the job\'s', () => {
    const train = byoTraining()
    const other = '111122223333.dkr.ecr.us-west-2.amazonaws.com/server:2'
    const m = modelFromTraining(train, { name: 'served', image: other, env: { WORKERS: '2' }, tags: { team: 'x' }, enableNetworkIsolation: true })
    expect(resolved(requestOf(planOf(train, m), 'served', 'CreateModel'))).toMatchObject({
      PrimaryContainer: { Image: other, Environment: { WORKERS: '2' } },
      Tags: [{ Key: 'team', Value: 'x' }],
      EnableNetworkIsolation: true,
    })
  })

  it('serves an Amazon algorithm job with the algorithm\'s inference image for its region', () => {
    const records = { uri: 's3://bucket/train/', featureDim: 10 }
    const train = kmeans('km', { role: ROLE, region: 'eu-west-1', instanceType: 'ml.c5.xlarge', output: { s3OutputPath: 's3://bucket/km' }, records, k: 3, miniBatchSize: 100 })
    const m = modelFromTraining(train)
    const image = algorithmImage('kmeans', 'eu-west-1')
    if (image._tag === 'Left') throw new Error('no kmeans image for eu-west-1')
    expect(resolved(requestOf(planOf(train, m), 'km-model', 'CreateModel'))).toMatchObject({
      PrimaryContainer: { Image: image.right, ModelDataUrl: 's3://bucket/out/km-20240102T030405/output/model.tar.gz' },
      ExecutionRoleArn: ROLE,
    })
  })

  it('says what to use for a job trained with an algorithm resource, and which options an image job ignores', () => {
    const train = algorithmEstimator('algo', {
      algorithmName: 'arn:aws:sagemaker:us-west-2:111122223333:algorithm/scorer',
      role: ROLE,
      instanceType: 'ml.m5.xlarge',
      output: { s3OutputPath: 's3://bucket/out' },
    })
    expect(messagesOf(train, modelFromTraining(train))).toContain(
      'steps.algo-model.image: expected a job trained from an image: one trained with an algorithm resource is served through a model package (modelPackageFromTraining, then modelFromPackage), found "arn:aws:sagemaker:us-west-2:111122223333:algorithm/scorer"',
    )
    const byo = byoTraining()
    expect(messagesOf(byo, modelFromTraining(byo, { entryPoint: 'serve.py' }))).toEqual([
      'steps.byo-model.entryPoint: expected no entryPoint: the job was not built by a framework preset, so its image serves as it is (serve a script with a framework preset, or with scriptModel), found "serve.py"',
    ])
  })

  it('needs an instance type for a framework job, and refuses an image for one', () => {
    const train = pytorch('train', opts)
    expect(messagesOf(train, modelFromTraining(train))).toEqual([
      "steps.train-model.instanceType: expected the instance type the model will be served on: it picks the framework's CPU or GPU serving image, found nothing",
    ])
    expect(messagesOf(train, modelFromTraining(train, { instanceType: 'ml.m5.large', image: IMAGE }))).toEqual([
      `steps.train-model.image: expected no image for a framework job: its serving image follows frameworkVersion and pyVersion (for another image, build the model with model(...)), found "${IMAGE}"`,
    ])
  })
})

describe('modelFromTuning for any template', () => {
  it('serves the best job of a bring-your-own tuning: <output>/<best job>/output/model.tar.gz, a join on the BestTrainingJob ref', () => {
    const { _tag, name, ...template } = byoTraining()
    const tune = tuning('tune', { training: template, objective: { metricName: 'auc', type: 'Maximize' }, ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } } })
    const m = modelFromTuning(tune)
    expect(m.container?.modelDataUrl).toEqual({
      _tag: 'Join',
      on: '',
      values: ['s3://bucket/out/', { _tag: 'Ref', step: 'tune', path: ['BestTrainingJob', 'TrainingJobName'] }, '/output/model.tar.gz'],
    })
    expect(resolved(requestOf(planOf(tune, m), 'tune-model', 'CreateModel'))).toMatchObject({
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://bucket/out/tune-20240102T030405-001-abcdef12/output/model.tar.gz' },
      ExecutionRoleArn: ROLE,
      VpcConfig: { SecurityGroupIds: ['sg-0abc'], Subnets: ['subnet-0abc'] },
      Tags: [{ Key: 'project', Value: 'demo' }],
    })
  })
})
