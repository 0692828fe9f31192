import { describe, expect, it } from 'vitest'
import { param } from '../../src/spec/val.js'
import { modelFromTraining, sklearn, sklearnModel, type SKLearnOptions } from '../../src/frameworks/index.js'
import { RUN, ROLE, SHA, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const base: SKLearnOptions = {
  entryPoint: 'train.py',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '1.2-1',
  region: 'us-west-2',
  role: ROLE,
  instanceType: 'ml.m5.large',
  output: { s3OutputPath: 's3://bucket/out' },
  channels: { train: { uri: 's3://bucket/iris.csv', contentType: 'text/csv' } },
  hyperParameters: { max_leaf_nodes: 30 },
}

describe('scikit-learn', () => {
  it('plans the exact CreateTrainingJob (golden)', () => {
    expect(resolved(requestOf(planOf(sklearn('sk', base)), 'sk', 'CreateTrainingJob'))).toEqual({
      TrainingJobName: `sk-${RUN}`,
      AlgorithmSpecification: { TrainingImage: '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', TrainingInputMode: 'File' },
      RoleArn: ROLE,
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/iris.csv', S3DataDistributionType: 'FullyReplicated' } },
          ContentType: 'text/csv',
        },
      ],
      OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      HyperParameters: {
        max_leaf_nodes: '30',
        sagemaker_program: '"train.py"',
        sagemaker_submit_directory: `"s3://bucket/code/${SHA}/sourcedir.tar.gz"`,
        sagemaker_region: '"us-west-2"',
        sagemaker_job_name: `"sk-${RUN}"`,
        sagemaker_container_log_level: '20',
      },
    })
  })

  it('refuses more than one instance and GPUs, with exact messages', () => {
    expect(messagesOf(sklearn('sk', { ...base, instanceCount: 2 }))).toEqual(['steps.sk.instanceCount: expected 1: scikit-learn trains on a single instance, found 2'])
    expect(messagesOf(sklearn('sk', { ...base, instanceCount: param.integer('n', { default: 1 }) }))).toEqual([
      'steps.sk.instanceCount: expected 1: scikit-learn trains on a single instance (not a run-time value), found {"_tag":"Param","name":"n","type":"Integer","default":1}',
    ])
    // The specific rule, not the image table's generic "no GPU image" message.
    expect(messagesOf(sklearn('sk', { ...base, instanceType: 'ml.p3.2xlarge' }))).toEqual(['steps.sk.instanceType: expected a CPU instance type: scikit-learn has no GPU images, found "ml.p3.2xlarge"'])
    expect(messagesOf(sklearn('sk', { ...base, instanceType: param.string('it'), processor: 'gpu' }))).toEqual([
      'steps.sk.instanceType: expected a CPU instance type: scikit-learn has no GPU images, found {"_tag":"Param","name":"it","type":"String"}',
    ])
    expect(messagesOf(sklearn('sk', { ...base, frameworkVersion: '0.24' }))).toEqual([
      'steps.sk.frameworkVersion: expected a sklearn training version, one of: 0.20.0, 0.23-1, 1.0-1, 1.2-1, found "0.24"',
    ])
  })

  it('plans the exact CreateModel from training (golden) and refuses GPU serving', () => {
    const train = sklearn('sk', base)
    const m = modelFromTraining(train, { instanceType: 'ml.c5.large', name: 'iris' })
    expect(resolved(requestOf(planOf(train, m), 'iris', 'CreateModel'))).toEqual({
      ModelName: `iris-${RUN}`,
      PrimaryContainer: {
        Image: '246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
        ModelDataUrl: `s3://bucket/out/sk-${RUN}/output/model.tar.gz`,
        Environment: {
          SAGEMAKER_PROGRAM: 'train.py',
          SAGEMAKER_SUBMIT_DIRECTORY: `s3://bucket/code/${SHA}/sourcedir.tar.gz`,
          SAGEMAKER_REGION: 'us-west-2',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        },
      },
      ExecutionRoleArn: ROLE,
    })
    expect(
      messagesOf(sklearnModel('m', { modelData: 's3://b/m.tar.gz', role: ROLE, entryPoint: 'serve.py', codeLocation: 's3://b/code', frameworkVersion: '1.2-1', instanceType: 'ml.g4dn.xlarge', region: 'us-west-2' })),
    ).toEqual(['steps.m.instanceType: expected a processor sklearn inference 1.2-1 has images for, one of: cpu, found "gpu (ml.g4dn.xlarge)"'])
  })

  it.skipIf(serviceSkip !== undefined)('sends requests the service model accepts', () => {
    const train = sklearn('sk', base)
    expect(expectServiceValid(planOf(train, modelFromTraining(train, { instanceType: 'ml.c5.large' })))).toBe(2)
  })
})
