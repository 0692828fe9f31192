import { describe, expect, it } from 'vitest'
import { endpoint } from '../../src/spec/step.js'
import { code, concat, isRepack, join, jsonOf, repack, runId } from '../../src/spec/val.js'
import { modelFromTraining, pytorch, pytorchModel, type PyTorchOptions } from '../../src/frameworks/index.js'
import { RUN, ROLE, SHA, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const base: PyTorchOptions = {
  entryPoint: 'train.py',
  sourceDir: 'examples/pytorch',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '2.2',
  region: 'us-west-2',
  role: ROLE,
  instanceType: 'ml.g5.xlarge',
  output: { s3OutputPath: 's3://bucket/out' },
  channels: { train: { uri: 's3://bucket/data/train' } },
  hyperParameters: { epochs: 3, lr: 0.01, optimizer: 'adam', amp: true },
}

describe('pytorch training', () => {
  it('plans the exact CreateTrainingJob (golden)', () => {
    const plan = planOf(pytorch('train', base))
    expect(resolved(requestOf(plan, 'train', 'CreateTrainingJob'))).toEqual({
      TrainingJobName: `train-${RUN}`,
      AlgorithmSpecification: {
        TrainingImage: '763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.2.0-gpu-py310',
        TrainingInputMode: 'File',
      },
      RoleArn: ROLE,
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/data/train', S3DataDistributionType: 'FullyReplicated' } },
        },
      ],
      OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
      ResourceConfig: { InstanceType: 'ml.g5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      HyperParameters: {
        epochs: '3',
        lr: '0.01',
        optimizer: '"adam"',
        amp: 'true',
        sagemaker_program: '"train.py"',
        sagemaker_submit_directory: `"s3://bucket/code/${SHA}/sourcedir.tar.gz"`,
        sagemaker_region: '"us-west-2"',
        sagemaker_job_name: `"train-${RUN}"`,
        sagemaker_container_log_level: '20',
      },
    })
  })

  it('keeps the archive and the job name symbolic in the plan', () => {
    const hp = requestOf(planOf(pytorch('train', base)), 'train', 'CreateTrainingJob').input.HyperParameters!
    expect(hp.sagemaker_submit_directory).toEqual(jsonOf(code({ entryPoint: 'train.py', sourceDir: 'examples/pytorch', s3Prefix: 's3://bucket/code' })))
    expect(hp.sagemaker_job_name).toEqual(jsonOf(join('-', ['train', runId])))
  })

  it('records the framework on the step and sends JSON-encoded hyperparameters', () => {
    const s = pytorch('train', { ...base, pyVersion: 'py310', containerLogLevel: 10, dependencies: ['lib'] })
    expect(s.hyperParameterEncoding).toBe('json')
    expect(s.framework).toEqual({
      name: 'pytorch',
      version: '2.2',
      region: 'us-west-2',
      entryPoint: 'train.py',
      codeLocation: 's3://bucket/code',
      pyVersion: 'py310',
      sourceDir: 'examples/pytorch',
      dependencies: ['lib'],
      containerLogLevel: 10,
    })
    expect(s.hyperParameters?.sagemaker_container_log_level).toBe(10)
  })

  it('picks the CPU image for a CPU instance type', () => {
    const plan = planOf(pytorch('train', { ...base, instanceType: 'ml.c5.2xlarge', instanceCount: 2 }))
    const req = resolved(requestOf(plan, 'train', 'CreateTrainingJob')) as { AlgorithmSpecification: { TrainingImage: string }; ResourceConfig: unknown }
    expect(req.AlgorithmSpecification.TrainingImage).toBe('763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.2.0-cpu-py310')
    expect(req.ResourceConfig).toEqual({ InstanceType: 'ml.c5.2xlarge', InstanceCount: 2, VolumeSizeInGB: 30 })
  })

  it('maps distribution options to the launcher hyperparameters', () => {
    const hp = (d: PyTorchOptions['distribution'], instanceType = 'ml.p4d.24xlarge') =>
      (resolved(requestOf(planOf(pytorch('train', { ...base, instanceType, distribution: d })), 'train', 'CreateTrainingJob')) as { HyperParameters: Record<string, string> })
        .HyperParameters
    expect(hp({ torchDistributed: { enabled: true } })).toMatchObject({ sagemaker_torch_distributed_enabled: 'true' })
    const mpi = hp({ mpi: { enabled: true, processesPerHost: 8, customMpiOptions: '-verbose' } })
    expect(mpi).toMatchObject({ sagemaker_mpi_enabled: 'true', sagemaker_mpi_num_of_processes_per_host: '8', sagemaker_mpi_custom_mpi_options: '"-verbose"' })
    const mpiDefaults = hp({ mpi: { enabled: true } })
    expect(mpiDefaults).toMatchObject({ sagemaker_mpi_enabled: 'true', sagemaker_mpi_custom_mpi_options: '""' })
    expect(mpiDefaults).not.toHaveProperty('sagemaker_mpi_num_of_processes_per_host')
    expect(hp({ smdistributed: { dataParallel: { enabled: true } } })).toMatchObject({
      sagemaker_distributed_dataparallel_enabled: 'true',
      sagemaker_instance_type: '"ml.p4d.24xlarge"',
      sagemaker_distributed_dataparallel_custom_mpi_options: '""',
    })
  })

  it('reports unsupported distribution with exact messages', () => {
    expect(messagesOf(pytorch('train', { ...base, distribution: { parameterServer: { enabled: true } } }))).toEqual([
      'steps.train.distribution.parameterServer: expected a launcher pytorch supports, one of: mpi, torchDistributed, smdistributed, found {"enabled":true}',
    ])
    expect(
      messagesOf(pytorch('train', { ...base, frameworkVersion: '1.0.0', pyVersion: 'py3', instanceType: 'ml.p3.2xlarge', distribution: { torchDistributed: { enabled: true } } })),
    ).toEqual(['steps.train.distribution.torchDistributed: expected pytorch 1.13 or later for torchDistributed, found "1.0.0"'])
    expect(messagesOf(pytorch('train', { ...base, distribution: { mpi: { enabled: true }, torchDistributed: { enabled: true } } }))).toEqual([
      'steps.train.distribution: expected at most one enabled launcher, found "mpi, torchDistributed"',
    ])
    expect(messagesOf(pytorch('train', { ...base, distribution: { smdistributed: { dataParallel: { enabled: true } } } }))).toEqual([
      'steps.train.instanceType: expected one of ml.p3.16xlarge, ml.p3dn.24xlarge, ml.p4d.24xlarge, ml.p4de.24xlarge, ml.p5.48xlarge for smdistributed data parallel, found "ml.g5.xlarge"',
    ])
    expect(messagesOf(pytorch('train', { ...base, distribution: { mpi: { enabled: true, processesPerHost: 0 } } }))).toEqual([
      'steps.train.distribution.mpi.processesPerHost: expected a whole number of at least 1, found 0',
    ])
  })

  it('reports image problems at the option the user wrote', () => {
    expect(messagesOf(pytorch('train', { ...base, frameworkVersion: '9.9' }))).toEqual([
      'steps.train.frameworkVersion: expected a pytorch training version, one of: 0.4.0, 1.0.0, 2.1.0, 2.2.0, 2.3.0, 2.4.0, 2.5.1, 2.6.0, 0.4, 1.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, found "9.9"',
    ])
    expect(messagesOf(pytorch('train', { ...base, pyVersion: 'py27' }))).toEqual([
      'steps.train.pyVersion: expected a Python version for pytorch training 2.2.0, one of: py310, found "py27"',
    ])
    expect(messagesOf(pytorch('train', { ...base, frameworkVersion: '1.0', instanceType: 'ml.p3.2xlarge' }))).toEqual([
      'steps.train.pyVersion: expected a Python version for pytorch training 1.0.0, one of: py2, py3, found "(none)"',
    ])
    expect(messagesOf(pytorch('train', { ...base, region: 'mars-north-1' }))).toEqual([
      'steps.train.region: expected a region with pytorch training 2.2.0 images, one of: us-east-1, us-east-2, us-west-1, us-west-2, ca-central-1, sa-east-1, eu-west-1, eu-west-2, eu-west-3, eu-central-1, eu-north-1, ap-northeast-1, ap-northeast-2, ap-southeast-1, ap-southeast-2, ap-south-1, us-gov-west-1, cn-north-1, cn-northwest-1, found "mars-north-1"',
    ])
    expect(messagesOf(pytorch('train', { ...base, instanceType: 'ml.p2.xlarge' }))).toEqual([
      'steps.train.instanceType: expected an instance type for pytorch training 2.2.0, one of: ml.<family>.<size> with a family other than p2, local, local_gpu, found "ml.p2.xlarge (P2 instances are retired from pytorch 1.13 on)"',
    ])
    expect(messagesOf(pytorch('train', { ...base, instanceType: 'ml.trn1.2xlarge' }))).toEqual([
      'steps.train.instanceType: expected a processor pytorch training 2.2.0 has images for, one of: cpu, gpu, found "trn (ml.trn1.2xlarge)"',
    ])
  })

  it('rejects hyperparameters the preset sets itself', () => {
    expect(messagesOf(pytorch('train', { ...base, hyperParameters: { sagemaker_program: 'other.py', sagemaker_region: 'eu-west-1' } }))).toEqual([
      'steps.train.hyperParameters.sagemaker_program: expected a name the preset leaves to you (it sets sagemaker_program itself), found "other.py"',
      'steps.train.hyperParameters.sagemaker_region: expected a name the preset leaves to you (it sets sagemaker_region itself), found "eu-west-1"',
    ])
    expect(messagesOf(pytorch('train', { ...base, distribution: { torchDistributed: { enabled: true } }, hyperParameters: { sagemaker_torch_distributed_enabled: false } }))).toEqual([
      'steps.train.hyperParameters.sagemaker_torch_distributed_enabled: expected a name the preset leaves to you (it sets sagemaker_torch_distributed_enabled itself), found false',
    ])
  })

  it.skipIf(serviceSkip !== undefined)('sends requests the SageMaker service model accepts', () => {
    expect(expectServiceValid(planOf(pytorch('train', { ...base, distribution: { mpi: { enabled: true, processesPerHost: 4 } } })))).toBe(1)
  })
})

describe('pytorch models', () => {
  const train = pytorch('train', base)

  it('plans the exact CreateModel of pytorchModel (golden)', () => {
    const m = pytorchModel('model', {
      modelData: 's3://bucket/models/model.tar.gz',
      role: ROLE,
      entryPoint: 'inference.py',
      sourceDir: 'examples/pytorch',
      codeLocation: 's3://bucket/code',
      frameworkVersion: '2.1.0',
      instanceType: 'ml.g4dn.xlarge',
      region: 'eu-west-1',
      modelServerWorkers: 2,
      env: { TS_MAX_RESPONSE_SIZE: '20000000' },
    })
    // PyTorch ≥ 1.2 serves with TorchServe, which reads the script from the model archive's code/:
    // the archive is repacked with it, and the container is told to look there.
    expect(resolved(requestOf(planOf(m), 'model', 'CreateModel'))).toEqual({
      ModelName: `model-${RUN}`,
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.1.0-gpu-py310',
        ModelDataUrl: `s3://bucket/code/${SHA}/model.tar.gz`,
        Environment: {
          TS_MAX_RESPONSE_SIZE: '20000000',
          SAGEMAKER_PROGRAM: 'inference.py',
          SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
          SAGEMAKER_REGION: 'eu-west-1',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
          SAGEMAKER_MODEL_SERVER_WORKERS: '2',
        },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it('modelFromTraining serves the job artifacts with the same code, version and region (golden)', () => {
    const m = modelFromTraining(train, { instanceType: 'ml.m5.large' })
    const e = endpoint('serve', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }] })
    const plan = planOf(train, m, e)
    expect(plan.steps.map((s) => s.name)).toEqual(['train', 'train-model', 'serve'])
    expect(plan.steps[1]?.dependsOn).toEqual(['train'])
    expect(resolved(requestOf(plan, 'train-model', 'CreateModel'))).toEqual({
      ModelName: `train-model-${RUN}`,
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:2.2.0-cpu-py310',
        ModelDataUrl: `s3://bucket/code/${SHA}/model.tar.gz`,
        Environment: {
          SAGEMAKER_PROGRAM: 'train.py',
          SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
          SAGEMAKER_REGION: 'us-west-2',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        },
      },
      ExecutionRoleArn: ROLE,
    })
    // The job's artifacts, repacked with the training's own code; the plan carries the repack with its
    // edges: after the training, before the model.
    expect(m.container?.modelDataUrl).toEqual(repack(train.outputs.modelArtifacts, train.hyperParameters?.sagemaker_submit_directory as never))
    expect(plan.assets.filter((a) => a._tag === 'Repack').map((a) => [a._tag, a.usedBy, a._tag === 'Repack' ? a.dependsOn : []])).toEqual([['Repack', ['train-model'], ['train']]])
  })

  it('a version whose container reads SAGEMAKER_SUBMIT_DIRECTORY (before 1.2) is not repacked', () => {
    const m = pytorchModel('model', {
      modelData: 's3://bucket/models/model.tar.gz',
      role: ROLE,
      entryPoint: 'inference.py',
      sourceDir: 'examples/pytorch',
      codeLocation: 's3://bucket/code',
      frameworkVersion: '1.0.0',
      pyVersion: 'py3',
      instanceType: 'ml.m5.large',
      region: 'us-west-2',
    })
    expect(isRepack(m.container?.modelDataUrl)).toBe(false)
    expect(m.container?.modelDataUrl).toBe('s3://bucket/models/model.tar.gz')
    expect(m.container?.environment?.SAGEMAKER_SUBMIT_DIRECTORY).toEqual(code({ entryPoint: 'inference.py', sourceDir: 'examples/pytorch', s3Prefix: 's3://bucket/code' }))
    expect(planOf(m).assets.map((a) => a._tag)).toEqual(['CodeArchive'])
  })

  it('versions from 1.2 on are repacked, before are not (numeric comparison, not string)', () => {
    const at = (frameworkVersion: string) =>
      isRepack(
        pytorchModel('m', { modelData: 's3://b/m.tar.gz', role: ROLE, entryPoint: 'i.py', codeLocation: 's3://b/code', frameworkVersion, pyVersion: 'py3', instanceType: 'ml.m5.large', region: 'us-west-2' }).container
          ?.modelDataUrl,
      )
    expect(['1.0.0', '1.1.0', '1.2.0', '1.10.0', '2.2'].map(at)).toEqual([false, false, true, true, true])
  })

  it('reports model preset problems with exact messages', () => {
    const opts = { modelData: 's3://b/m.tar.gz', role: ROLE, entryPoint: 'inference.py', codeLocation: 's3://b/code', frameworkVersion: '2.2', instanceType: 'ml.m5.large', region: 'us-west-2' }
    expect(messagesOf(pytorchModel('m', { ...opts, env: { SAGEMAKER_PROGRAM: 'x.py' } }))).toEqual([
      'steps.m.env.SAGEMAKER_PROGRAM: expected a name the preset leaves to you (it sets SAGEMAKER_PROGRAM itself), found "x.py"',
    ])
    expect(messagesOf(pytorchModel('m', { ...opts, modelServerWorkers: 0 }))).toEqual(['steps.m.modelServerWorkers: expected a whole number of at least 1, found 0'])
    expect(messagesOf(pytorchModel('m', { ...opts, frameworkVersion: '3.0' }))).toEqual([
      'steps.m.frameworkVersion: expected a pytorch inference version, one of: 0.4.0, 1.0.0, 2.1.0, 2.2.0, 2.3.0, 2.4.0, 2.5.1, 2.6.0, 0.4, 1.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, found "3.0"',
    ])
  })

  it.skipIf(serviceSkip !== undefined)('sends model and endpoint requests the service model accepts', () => {
    const m = modelFromTraining(train, { instanceType: 'ml.m5.large', modelServerWorkers: 4 })
    const e = endpoint('serve', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }] })
    expect(expectServiceValid(planOf(train, m, e))).toBe(5)
  })
})
