import { describe, expect, it } from 'vitest'
import { chainer, chainerModel, modelFromTraining, type ChainerOptions } from '../../src/frameworks/index.js'
import { RUN, ROLE, SHA, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const base: ChainerOptions = {
  entryPoint: 'train_mnist.py',
  sourceDir: 'chainer_src',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '5.0.0',
  pyVersion: 'py3',
  region: 'us-west-2',
  role: ROLE,
  instanceType: 'ml.p3.8xlarge',
  instanceCount: 2,
  output: { s3OutputPath: 's3://bucket/out' },
  useMpi: true,
  numProcesses: 8,
  processSlotsPerHost: 4,
  additionalMpiOptions: '-x NCCL_DEBUG=INFO',
}

const hpOf = (o: Partial<ChainerOptions>) =>
  (resolved(requestOf(planOf(chainer('ch', { ...base, ...o })), 'ch', 'CreateTrainingJob')) as { HyperParameters: Record<string, string> }).HyperParameters

describe('chainer', () => {
  it('plans the exact CreateTrainingJob with the MPI settings (golden)', () => {
    expect(resolved(requestOf(planOf(chainer('ch', base)), 'ch', 'CreateTrainingJob'))).toEqual({
      TrainingJobName: `ch-${RUN}`,
      AlgorithmSpecification: { TrainingImage: '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-chainer:5.0.0-gpu-py3', TrainingInputMode: 'File' },
      RoleArn: ROLE,
      OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
      ResourceConfig: { InstanceType: 'ml.p3.8xlarge', InstanceCount: 2, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      HyperParameters: {
        sagemaker_program: '"train_mnist.py"',
        sagemaker_submit_directory: `"s3://bucket/code/${SHA}/sourcedir.tar.gz"`,
        sagemaker_region: '"us-west-2"',
        sagemaker_job_name: `"ch-${RUN}"`,
        sagemaker_container_log_level: '20',
        sagemaker_use_mpi: 'true',
        sagemaker_num_processes: '8',
        sagemaker_process_slots_per_host: '4',
        sagemaker_additional_mpi_options: '"-x NCCL_DEBUG=INFO"',
      },
    })
  })

  it('sends each MPI setting only when it is set', () => {
    const hp = hpOf({ useMpi: undefined, numProcesses: undefined, processSlotsPerHost: undefined, additionalMpiOptions: undefined })
    expect(Object.keys(hp).filter((k) => !/^sagemaker_(program|submit_directory|region|job_name|container_log_level)$/.test(k))).toEqual([])
    expect(Object.keys(hpOf({ useMpi: false, numProcesses: undefined, processSlotsPerHost: undefined, additionalMpiOptions: undefined }))).toContain('sagemaker_use_mpi')
  })

  it('reports bad process counts and a missing Python version', () => {
    expect(messagesOf(chainer('ch', { ...base, numProcesses: 0, processSlotsPerHost: 1.5 }))).toEqual([
      'steps.ch.numProcesses: expected a whole number of at least 1, found 0',
      'steps.ch.processSlotsPerHost: expected a whole number of at least 1, found 1.5',
    ])
    const { pyVersion: _py, ...noPy } = base
    expect(messagesOf(chainer('ch', noPy))).toEqual(['steps.ch.pyVersion: expected a Python version for chainer training 5.0.0, one of: py2, py3, found "(none)"'])
  })

  it('plans the exact CreateModel of chainerModel (golden), and modelFromTraining keeps the Python version', () => {
    const m = chainerModel('m', { modelData: 's3://b/m.tar.gz', role: ROLE, entryPoint: 'serve.py', codeLocation: 's3://b/code', frameworkVersion: '4.1', pyVersion: 'py2', instanceType: 'ml.m5.large', region: 'us-gov-west-1' })
    expect(resolved(requestOf(planOf(m), 'm', 'CreateModel'))).toEqual({
      ModelName: `m-${RUN}`,
      PrimaryContainer: {
        Image: '246785580436.dkr.ecr.us-gov-west-1.amazonaws.com/sagemaker-chainer:4.1.0-cpu-py2',
        ModelDataUrl: 's3://b/m.tar.gz',
        Environment: {
          SAGEMAKER_PROGRAM: 'serve.py',
          SAGEMAKER_SUBMIT_DIRECTORY: `s3://b/code/${SHA}/sourcedir.tar.gz`,
          SAGEMAKER_REGION: 'us-gov-west-1',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        },
      },
      ExecutionRoleArn: ROLE,
    })
    expect(modelFromTraining(chainer('ch', base), { instanceType: 'ml.m5.large' }).container?.image).toBe(
      '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-chainer:5.0.0-cpu-py3',
    )
  })

  it.skipIf(serviceSkip !== undefined)('sends requests the service model accepts', () => {
    const train = chainer('ch', base)
    expect(expectServiceValid(planOf(train, modelFromTraining(train, { instanceType: 'ml.m5.large' })))).toBe(2)
  })
})
