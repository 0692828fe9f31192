import { describe, expect, it } from 'vitest'
import { modelFromTraining, xgboost, xgboostModel, type XGBoostOptions } from '../../src/frameworks/index.js'
import { RUN, ROLE, SHA, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const base: XGBoostOptions = {
  entryPoint: 'abalone.py',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '1.7-1',
  region: 'eu-west-1',
  role: ROLE,
  instanceType: 'ml.g4dn.xlarge',
  output: { s3OutputPath: 's3://bucket/out' },
  channels: { train: { uri: 's3://bucket/abalone/train', contentType: 'text/libsvm' } },
  hyperParameters: { num_round: 50, objective: 'reg:squarederror', tree_method: 'gpu_hist' },
}

describe('xgboost (framework mode)', () => {
  it('plans the exact CreateTrainingJob; one image serves CPU and GPU (golden)', () => {
    expect(resolved(requestOf(planOf(xgboost('xgb', base)), 'xgb', 'CreateTrainingJob'))).toEqual({
      TrainingJobName: `xgb-${RUN}`,
      AlgorithmSpecification: { TrainingImage: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1', TrainingInputMode: 'File' },
      RoleArn: ROLE,
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/abalone/train', S3DataDistributionType: 'FullyReplicated' } },
          ContentType: 'text/libsvm',
        },
      ],
      OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      HyperParameters: {
        num_round: '50',
        objective: '"reg:squarederror"',
        tree_method: '"gpu_hist"',
        sagemaker_program: '"abalone.py"',
        sagemaker_submit_directory: `"s3://bucket/code/${SHA}/sourcedir.tar.gz"`,
        sagemaker_region: '"eu-west-1"',
        sagemaker_job_name: `"xgb-${RUN}"`,
        sagemaker_container_log_level: '20',
      },
    })
    expect(xgboost('xgb', { ...base, instanceType: 'ml.m5.xlarge' }).image).toBe('141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1')
  })

  it('refuses GPUs on the CPU-only early versions', () => {
    expect(messagesOf(xgboost('xgb', { ...base, frameworkVersion: '0.90-2' }))).toEqual([
      'steps.xgb.instanceType: expected a processor xgboost training 0.90-2 has images for, one of: cpu, found "gpu (ml.g4dn.xlarge)"',
    ])
  })

  it('plans the exact CreateModel of xgboostModel (golden)', () => {
    const m = xgboostModel('m', { modelData: 's3://b/m.tar.gz', role: ROLE, entryPoint: 'serve.py', codeLocation: 's3://b/code', frameworkVersion: '1.5-1', instanceType: 'ml.m5.large', region: 'cn-north-1' })
    expect(resolved(requestOf(planOf(m), 'm', 'CreateModel'))).toEqual({
      ModelName: `m-${RUN}`,
      PrimaryContainer: {
        Image: '450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.5-1',
        ModelDataUrl: 's3://b/m.tar.gz',
        Environment: {
          SAGEMAKER_PROGRAM: 'serve.py',
          SAGEMAKER_SUBMIT_DIRECTORY: `s3://b/code/${SHA}/sourcedir.tar.gz`,
          SAGEMAKER_REGION: 'cn-north-1',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it.skipIf(serviceSkip !== undefined)('sends requests the service model accepts', () => {
    const train = xgboost('xgb', base)
    expect(expectServiceValid(planOf(train, modelFromTraining(train, { instanceType: 'ml.m5.large' })))).toBe(2)
  })
})
