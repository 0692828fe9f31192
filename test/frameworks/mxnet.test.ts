import { describe, expect, it } from 'vitest'
import { endpoint } from '../../src/spec/step.js'
import { modelFromTraining, mxnet, mxnetModel, type MXNetOptions } from '../../src/frameworks/index.js'
import { RUN, ROLE, SHA, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const base: MXNetOptions = {
  entryPoint: 'mnist.py',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '1.9',
  region: 'ap-southeast-2',
  role: ROLE,
  instanceType: 'ml.c5.4xlarge',
  instanceCount: 2,
  output: { s3OutputPath: 's3://bucket/out' },
  hyperParameters: { 'learning-rate': 0.1 },
  distribution: { parameterServer: { enabled: true } },
}

describe('mxnet', () => {
  it('plans the exact CreateTrainingJob with the parameter server (golden)', () => {
    expect(resolved(requestOf(planOf(mxnet('mx', base)), 'mx', 'CreateTrainingJob'))).toEqual({
      TrainingJobName: `mx-${RUN}`,
      AlgorithmSpecification: { TrainingImage: '763104351884.dkr.ecr.ap-southeast-2.amazonaws.com/mxnet-training:1.9.0-cpu-py38', TrainingInputMode: 'File' },
      RoleArn: ROLE,
      OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
      ResourceConfig: { InstanceType: 'ml.c5.4xlarge', InstanceCount: 2, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      HyperParameters: {
        'learning-rate': '0.1',
        sagemaker_program: '"mnist.py"',
        sagemaker_submit_directory: `"s3://bucket/code/${SHA}/sourcedir.tar.gz"`,
        sagemaker_region: '"ap-southeast-2"',
        sagemaker_job_name: `"mx-${RUN}"`,
        sagemaker_container_log_level: '20',
        sagemaker_parameter_server_enabled: 'true',
      },
    })
  })

  it('plans the exact CreateModel from the training job (golden)', () => {
    const train = mxnet('mx', base)
    const m = modelFromTraining(train, { instanceType: 'ml.p3.2xlarge', entryPoint: 'serve.py', modelServerWorkers: 1 })
    expect(resolved(requestOf(planOf(train, m), 'mx-model', 'CreateModel'))).toEqual({
      ModelName: `mx-model-${RUN}`,
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.ap-southeast-2.amazonaws.com/mxnet-inference:1.9.0-gpu-py38',
        // MXNet ≥ 1.4 serves with the multi-model server, which reads the script from the model archive.
        ModelDataUrl: `s3://bucket/code/${SHA}/model.tar.gz`,
        Environment: {
          SAGEMAKER_PROGRAM: 'serve.py',
          SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
          SAGEMAKER_REGION: 'ap-southeast-2',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
          SAGEMAKER_MODEL_SERVER_WORKERS: '1',
        },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it('serves v1-era versions from the same sagemaker-mxnet image', () => {
    const m = mxnetModel('m', { modelData: 's3://b/m.tar.gz', role: ROLE, entryPoint: 'serve.py', codeLocation: 's3://b/code', frameworkVersion: '1.3', pyVersion: 'py3', instanceType: 'ml.m5.large', region: 'us-west-2' })
    expect(m.container?.image).toBe('520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-mxnet:1.3.0-cpu-py3')
  })

  it('reports distribution before MXNet 1.3 and launchers it lacks', () => {
    expect(messagesOf(mxnet('mx', { ...base, frameworkVersion: '1.2', pyVersion: 'py3' }))).toEqual([
      'steps.mx.distribution.parameterServer: expected mxnet 1.3 or later for parameterServer, found "1.2"',
    ])
    expect(messagesOf(mxnet('mx', { ...base, distribution: { smdistributed: { dataParallel: { enabled: true } } } }))).toEqual([
      'steps.mx.distribution.smdistributed: expected a launcher mxnet supports, one of: parameterServer, mpi, found {"dataParallel":{"enabled":true}}',
    ])
  })

  it.skipIf(serviceSkip !== undefined)('sends requests the service model accepts', () => {
    const train = mxnet('mx', base)
    const m = modelFromTraining(train, { instanceType: 'ml.m5.large' })
    const e = endpoint('serve', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }] })
    expect(expectServiceValid(planOf(train, m, e))).toBe(5)
  })
})
