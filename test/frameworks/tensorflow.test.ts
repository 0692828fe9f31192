import { describe, expect, it } from 'vitest'
import { endpoint } from '../../src/spec/step.js'
import { modelFromTraining, tensorflow, tensorflowServingModel, type TensorFlowOptions } from '../../src/frameworks/index.js'
import { RUN, ROLE, SHA, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const base: TensorFlowOptions = {
  entryPoint: 'train.py',
  sourceDir: 'src',
  codeLocation: 's3://bucket/code/',
  frameworkVersion: '2.16',
  region: 'us-west-2',
  role: ROLE,
  instanceType: 'ml.c5.xlarge',
  output: { s3OutputPath: 's3://bucket/out/' },
  channels: { training: { uri: 's3://bucket/data' } },
  hyperParameters: { epochs: 5 },
}

const hpOf = (o: Partial<TensorFlowOptions>) =>
  (resolved(requestOf(planOf(tensorflow('tf', { ...base, ...o })), 'tf', 'CreateTrainingJob')) as { HyperParameters: Record<string, string> }).HyperParameters

describe('tensorflow training (script mode)', () => {
  it('plans the exact CreateTrainingJob with model_dir under the job (golden)', () => {
    expect(resolved(requestOf(planOf(tensorflow('tf', base)), 'tf', 'CreateTrainingJob'))).toEqual({
      TrainingJobName: `tf-${RUN}`,
      AlgorithmSpecification: {
        TrainingImage: '763104351884.dkr.ecr.us-west-2.amazonaws.com/tensorflow-training:2.16.2-cpu-py310',
        TrainingInputMode: 'File',
      },
      RoleArn: ROLE,
      InputDataConfig: [
        { ChannelName: 'training', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/data', S3DataDistributionType: 'FullyReplicated' } } },
      ],
      OutputDataConfig: { S3OutputPath: 's3://bucket/out/' },
      ResourceConfig: { InstanceType: 'ml.c5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      HyperParameters: {
        epochs: '5',
        sagemaker_program: '"train.py"',
        sagemaker_submit_directory: `"s3://bucket/code/${SHA}/sourcedir.tar.gz"`,
        sagemaker_region: '"us-west-2"',
        sagemaker_job_name: `"tf-${RUN}"`,
        sagemaker_container_log_level: '20',
        model_dir: `"s3://bucket/out/tf-${RUN}/model"`,
      },
    })
  })

  it('keeps model_dir local under MPI, and honours an explicit or absent one', () => {
    expect(hpOf({ distribution: { mpi: { enabled: true, processesPerHost: 2, customMpiOptions: 'options' } } })).toMatchObject({
      sagemaker_mpi_enabled: 'true',
      sagemaker_mpi_num_of_processes_per_host: '2',
      sagemaker_mpi_custom_mpi_options: '"options"',
      model_dir: '"/opt/ml/model"',
    })
    expect(hpOf({ distribution: { mpi: { enabled: false } } }).model_dir).toBe(`"s3://bucket/out/tf-${RUN}/model"`)
    expect(hpOf({ modelDir: 's3://elsewhere/model' }).model_dir).toBe('"s3://elsewhere/model"')
    expect(hpOf({ modelDir: false })).not.toHaveProperty('model_dir')
  })

  it('maps the parameter server', () => {
    expect(hpOf({ distribution: { parameterServer: { enabled: true } }, instanceCount: 2 })).toMatchObject({ sagemaker_parameter_server_enabled: 'true' })
  })

  it('uses the script-mode image for TensorFlow 1.x with py2', () => {
    const req = resolved(requestOf(planOf(tensorflow('tf', { ...base, frameworkVersion: '1.12', pyVersion: 'py2' })), 'tf', 'CreateTrainingJob')) as {
      AlgorithmSpecification: { TrainingImage: string }
    }
    expect(req.AlgorithmSpecification.TrainingImage).toBe('520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tensorflow-scriptmode:1.12.0-cpu-py2')
  })

  it('refuses the legacy-mode arguments, each at its option', () => {
    const legacy = { trainingSteps: 100, evaluationSteps: 10, checkpointPath: 's3://b/ckpt', requirementsFile: 'requirements.txt' } as unknown as Partial<TensorFlowOptions>
    expect(messagesOf(tensorflow('tf', { ...base, ...legacy }))).toEqual([
      "steps.tf.trainingSteps: expected no trainingSteps: it belongs to TensorFlow's legacy mode, and this preset is script mode (give your script the value in hyperParameters), found 100",
      "steps.tf.evaluationSteps: expected no evaluationSteps: it belongs to TensorFlow's legacy mode, and this preset is script mode (give your script the value in hyperParameters), found 10",
      'steps.tf.checkpointPath: expected no checkpointPath: it belongs to TensorFlow\'s legacy mode, and this preset is script mode (give your script the value in hyperParameters), found "s3://b/ckpt"',
      'steps.tf.requirementsFile: expected no requirementsFile: it belongs to TensorFlow\'s legacy mode, and this preset is script mode (give your script the value in hyperParameters), found "requirements.txt"',
    ])
  })

  it('reports launchers TensorFlow lacks and the model_dir it sets itself', () => {
    expect(messagesOf(tensorflow('tf', { ...base, distribution: { torchDistributed: { enabled: true } } }))).toEqual([
      'steps.tf.distribution.torchDistributed: expected a launcher tensorflow supports, one of: parameterServer, mpi, smdistributed, found {"enabled":true}',
    ])
    expect(messagesOf(tensorflow('tf', { ...base, hyperParameters: { model_dir: 's3://x' } }))).toEqual([
      'steps.tf.hyperParameters.model_dir: expected a name the preset leaves to you (it sets model_dir itself), found "s3://x"',
    ])
  })

  it.skipIf(serviceSkip !== undefined)('sends a request the service model accepts', () => {
    expect(expectServiceValid(planOf(tensorflow('tf', { ...base, distribution: { parameterServer: { enabled: true } } })))).toBe(1)
  })
})

describe('TensorFlow Serving models', () => {
  it('plans the exact CreateModel: no script, nginx log level (golden)', () => {
    const m = tensorflowServingModel('tfs', {
      modelData: 's3://bucket/model.tar.gz',
      role: ROLE,
      frameworkVersion: '2.14',
      instanceType: 'ml.g4dn.xlarge',
      region: 'eu-central-1',
      containerLogLevel: 30,
    })
    expect(resolved(requestOf(planOf(m), 'tfs', 'CreateModel'))).toEqual({
      ModelName: `tfs-${RUN}`,
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.eu-central-1.amazonaws.com/tensorflow-inference:2.14.1-gpu',
        ModelDataUrl: 's3://bucket/model.tar.gz',
        Environment: { SAGEMAKER_TFS_NGINX_LOGLEVEL: 'warn' },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it('sends no environment without a log level or a script', () => {
    const m = tensorflowServingModel('tfs', { modelData: 's3://b/m.tar.gz', role: ROLE, frameworkVersion: '1.12', instanceType: 'ml.m5.large', region: 'us-east-1' })
    expect(resolved(requestOf(planOf(m), 'tfs', 'CreateModel'))).toEqual({
      ModelName: `tfs-${RUN}`,
      PrimaryContainer: { Image: '520713654638.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tensorflow-serving:1.12.0-cpu', ModelDataUrl: 's3://b/m.tar.gz' },
      ExecutionRoleArn: ROLE,
    })
  })

  it('adds the script contract when an entry point is given', () => {
    const m = tensorflowServingModel('tfs', {
      modelData: 's3://b/m.tar.gz',
      role: ROLE,
      frameworkVersion: '2.18',
      instanceType: 'ml.m5.large',
      region: 'us-east-1',
      entryPoint: 'inference.py',
      codeLocation: 's3://b/code',
    })
    expect((resolved(requestOf(planOf(m), 'tfs', 'CreateModel')) as { PrimaryContainer: { Environment: unknown } }).PrimaryContainer.Environment).toEqual({
      SAGEMAKER_PROGRAM: 'inference.py',
      // TensorFlow Serving reads an entry point only from the model archive's code/: repacked.
      SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
      SAGEMAKER_REGION: 'us-east-1',
      SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
    })
  })

  it('reports incomplete code options and unknown log levels', () => {
    const o = { modelData: 's3://b/m.tar.gz', role: ROLE, frameworkVersion: '2.18', instanceType: 'ml.m5.large', region: 'us-east-1' }
    expect(messagesOf(tensorflowServingModel('tfs', { ...o, entryPoint: 'inference.py' }))).toEqual([
      'steps.tfs.codeLocation: expected an S3 prefix for the code archive (s3://bucket/prefix) beside entryPoint, found nothing',
    ])
    expect(messagesOf(tensorflowServingModel('tfs', { ...o, sourceDir: 'src', codeLocation: 's3://b/code' }))).toEqual([
      'steps.tfs.entryPoint: expected an entry point: sourceDir, dependencies and codeLocation come with one, found nothing',
    ])
    expect(messagesOf(tensorflowServingModel('tfs', { ...o, containerLogLevel: 25 }))).toEqual([
      'steps.tfs.containerLogLevel: expected one of 10, 20, 30, 40, 50 (Python logging levels, mapped to nginx levels), found 25',
    ])
  })

  it('modelFromTraining gives TensorFlow Serving for the training version, falling back to its minor alias (golden)', () => {
    const train = tensorflow('tf', { ...base, frameworkVersion: '2.12.0' })
    const m = modelFromTraining(train, { instanceType: 'ml.c5.large' })
    const plan = planOf(train, m)
    expect(resolved(requestOf(plan, 'tf-model', 'CreateModel'))).toEqual({
      ModelName: `tf-model-${RUN}`,
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.us-west-2.amazonaws.com/tensorflow-inference:2.12.1-cpu',
        ModelDataUrl: `s3://bucket/out/tf-${RUN}/output/model.tar.gz`,
        Environment: { SAGEMAKER_TFS_NGINX_LOGLEVEL: 'info' },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it('modelFromTraining uses the training code only when asked for an entry point', () => {
    const train = tensorflow('tf', base)
    const m = modelFromTraining(train, { instanceType: 'ml.c5.large', entryPoint: 'inference.py' })
    expect(m.container?.environment).toMatchObject({ SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_TFS_NGINX_LOGLEVEL: 'info' })
  })

  it.skipIf(serviceSkip !== undefined)('sends model and endpoint requests the service model accepts', () => {
    const train = tensorflow('tf', base)
    const m = modelFromTraining(train, { instanceType: 'ml.c5.large' })
    const e = endpoint('serve', { variants: [{ model: m.outputs.name, instanceType: 'ml.c5.large' }] })
    expect(expectServiceValid(planOf(train, m, e))).toBe(5)
  })
})
