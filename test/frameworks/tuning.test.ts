import { describe, expect, it } from 'vitest'
import { endpoint, training, tuning } from '../../src/spec/step.js'
import { kmeans } from '../../src/frameworks/algorithms/index.js'
import { frameworkTuning, modelFromTuning, pytorch, tensorflow, type PyTorchOptions } from '../../src/frameworks/index.js'
import { RUN, ROLE, SHA, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const train: PyTorchOptions = {
  entryPoint: 'train.py',
  sourceDir: 'src',
  codeLocation: 's3://bucket/code',
  frameworkVersion: '2.4',
  region: 'us-west-2',
  role: ROLE,
  instanceType: 'ml.g5.xlarge',
  output: { s3OutputPath: 's3://bucket/out' },
  channels: { train: { uri: 's3://bucket/train' } },
  hyperParameters: { epochs: 10, optimizer: 'sgd', lr: 0.01 },
  metricDefinitions: [{ name: 'val:loss', regex: 'val_loss=([0-9.]+)' }],
}

const tuneOf = (o: Partial<PyTorchOptions> = {}) =>
  frameworkTuning('tune', pytorch('train', { ...train, ...o }), {
    objective: { metricName: 'val:loss', type: 'Minimize' },
    ranges: {
      optimizer: { _tag: 'Categorical', values: ['sgd', 'adam'] },
      lr: { _tag: 'Continuous', min: 0.001, max: 0.1, scaling: 'Logarithmic' },
      batch: { _tag: 'Categorical', values: [32, 64] },
    },
    maxJobs: 8,
    maxParallelJobs: 2,
  })

describe('tuning with a framework template', () => {
  it('plans the exact CreateHyperParameterTuningJob: JSON-encoded categoricals, the tuning job as sagemaker_job_name, class metadata (golden)', () => {
    expect(resolved(requestOf(planOf(tuneOf()), 'tune', 'CreateHyperParameterTuningJob'))).toEqual({
      HyperParameterTuningJobName: `tune-${RUN}`,
      HyperParameterTuningJobConfig: {
        Strategy: 'Bayesian',
        HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'val:loss' },
        ResourceLimits: { MaxNumberOfTrainingJobs: 8, MaxParallelTrainingJobs: 2 },
        ParameterRanges: {
          ContinuousParameterRanges: [{ Name: 'lr', MinValue: '0.001', MaxValue: '0.1', ScalingType: 'Logarithmic' }],
          IntegerParameterRanges: [],
          CategoricalParameterRanges: [
            { Name: 'optimizer', Values: ['"sgd"', '"adam"'] },
            { Name: 'batch', Values: ['32', '64'] },
          ],
        },
        TrainingJobEarlyStoppingType: 'Off',
      },
      TrainingJobDefinition: {
        StaticHyperParameters: {
          epochs: '10',
          sagemaker_program: '"train.py"',
          sagemaker_submit_directory: `"s3://bucket/code/${SHA}/sourcedir.tar.gz"`,
          sagemaker_region: '"us-west-2"',
          sagemaker_job_name: `"tune-${RUN}"`,
          sagemaker_container_log_level: '20',
          sagemaker_estimator_class_name: '"PyTorch"',
          sagemaker_estimator_module: '"sagemaker.pytorch.estimator"',
        },
        AlgorithmSpecification: {
          TrainingImage: '763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.4.0-gpu-py311',
          TrainingInputMode: 'File',
          MetricDefinitions: [{ Name: 'val:loss', Regex: 'val_loss=([0-9.]+)' }],
        },
        RoleArn: ROLE,
        InputDataConfig: [
          { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/train', S3DataDistributionType: 'FullyReplicated' } } },
        ],
        OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
        ResourceConfig: { InstanceType: 'ml.g5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      },
    })
  })

  it('renames the job inside derived values too (TensorFlow model_dir)', () => {
    const tf = tensorflow('tf', { ...train, frameworkVersion: '2.16', instanceType: 'ml.c5.xlarge' })
    const tune = frameworkTuning('tftune', tf, {
      objective: { metricName: 'val:loss', type: 'Minimize' },
      ranges: { optimizer: { _tag: 'Categorical', values: ['sgd', 'adam'] } },
      baseJobName: 'tf-search',
    })
    const req = resolved(requestOf(planOf(tune), 'tftune', 'CreateHyperParameterTuningJob')) as {
      HyperParameterTuningJobName: string
      TrainingJobDefinition: { StaticHyperParameters: Record<string, string> }
    }
    expect(req.HyperParameterTuningJobName).toBe(`tf-search-${RUN}`)
    expect(req.TrainingJobDefinition.StaticHyperParameters).toMatchObject({
      sagemaker_job_name: `"tf-search-${RUN}"`,
      model_dir: `"s3://bucket/out/tf-search-${RUN}/model"`,
      sagemaker_estimator_class_name: '"TensorFlow"',
      sagemaker_estimator_module: '"sagemaker.tensorflow.estimator"',
    })
  })

  it("reports the template's preset problems under training.", () => {
    expect(messagesOf(tuneOf({ frameworkVersion: '7.0', entryPoint: '/abs.py' }))).toEqual([
      'steps.tune.training.entryPoint: expected a path relative to sourceDir without ".." segments (not an absolute path), found "/abs.py"',
      'steps.tune.training.frameworkVersion: expected a pytorch training version, one of: 0.4.0, 1.0.0, 2.1.0, 2.2.0, 2.3.0, 2.4.0, 2.5.1, 2.6.0, 0.4, 1.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, found "7.0"',
    ])
  })

  it('modelFromTuning serves the best job of the tuning (golden)', () => {
    const tune = tuneOf()
    const m = modelFromTuning(tune, { instanceType: 'ml.g5.xlarge' })
    const plan = planOf(tune, m)
    expect(plan.steps[1]?.dependsOn).toEqual(['tune'])
    expect(resolved(requestOf(plan, 'tune-model', 'CreateModel'))).toEqual({
      ModelName: `tune-model-${RUN}`,
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:2.4.0-gpu-py311',
        // The best job's artifacts, repacked with the code (PyTorch ≥ 1.2 reads it from the archive).
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
  })

  it.skipIf(serviceSkip !== undefined)('sends requests the service model accepts', () => {
    const tune = tuneOf()
    const m = modelFromTuning(tune, { instanceType: 'ml.g5.xlarge' })
    const e = endpoint('serve', { variants: [{ model: m.outputs.name, instanceType: 'ml.g5.xlarge' }] })
    expect(expectServiceValid(planOf(tune, m, e))).toBe(5)
  })
})

describe('tuning(...) given a training step', () => {
  const options = {
    objective: { metricName: 'val:loss', type: 'Minimize' },
    ranges: { lr: { _tag: 'Continuous', min: 0.001, max: 0.1 } },
  } as const

  it('takes a framework preset step directly, with the same result as frameworkTuning', () => {
    const step = pytorch('train', train)
    const direct = tuning('tune', { ...options, training: step })
    expect({ ...direct }).toEqual({ ...frameworkTuning('tune', step, options) })
    expect(resolved(requestOf(planOf(direct), 'tune', 'CreateHyperParameterTuningJob'))).toMatchObject({
      TrainingJobDefinition: { StaticHyperParameters: { sagemaker_job_name: `"tune-${RUN}"`, sagemaker_estimator_class_name: '"PyTorch"' } },
    })
  })

  it('takes a bring-your-own step: the step\'s own fields are not sent, its dependencies move to the tuning step', () => {
    const byo = training('byo', {
      image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1',
      role: ROLE,
      resources: { instanceType: 'ml.m5.xlarge' },
      output: { s3OutputPath: 's3://bucket/out' },
      metricDefinitions: [{ name: 'val:loss', regex: 'loss=(.*)' }],
      after: ['prep'],
    })
    const t = tuning('tune', { ...options, training: byo })
    expect(t.training).not.toHaveProperty('_tag')
    expect(t.after).toEqual(['prep'])
    const { _tag, name, after, ...body } = byo
    const prep = training('prep', body)
    expect(planOf(prep, t).steps.find((s) => s.name === 'tune')?.dependsOn).toEqual(['prep'])
  })

  it('says what to set instead of tuning a hyperparameter the preset sets itself', () => {
    const t = tuning('tune', { ...options, training: pytorch('train', train), ranges: { ...options.ranges, sagemaker_program: { _tag: 'Categorical', values: ['a.py', 'b.py'] } } })
    expect(messagesOf(t)).toEqual([
      'steps.tune.ranges.sagemaker_program: expected a hyperparameter of your own: the pytorch preset sets sagemaker_program from entryPoint (to compare scripts, tune a hyperparameter your script reads), found "sagemaker_program"',
    ])
    const tf = tensorflow('tf', { ...train, frameworkVersion: '2.16', instanceType: 'ml.c5.xlarge' })
    expect(messagesOf(tuning('tune', { ...options, training: tf, ranges: { model_dir: { _tag: 'Categorical', values: ['/a', '/b'] } } }))).toEqual([
      'steps.tune.ranges.model_dir: expected a hyperparameter of your own: the tensorflow preset sets model_dir from modelDir, found "model_dir"',
    ])
  })

  it('says what to use for an Amazon algorithm step and for a setting tuning jobs lack', () => {
    const km = kmeans('km', { role: ROLE, region: 'us-west-2', instanceType: 'ml.c5.xlarge', output: { s3OutputPath: 's3://bucket/km' }, records: { uri: 's3://bucket/train/', featureDim: 4 }, k: 3, miniBatchSize: 10 })
    expect(messagesOf(tuning('tune', { objective: { metricName: 'test:msd', type: 'Minimize' }, ranges: { k: { _tag: 'Integer', min: 2, max: 9 } }, training: km }))).toEqual([
      "steps.tune.training: expected a training step of your own image or a framework preset: tune an Amazon algorithm's step with algorithmTuning(name, { training, … }), which checks the ranges against the algorithm's hyperparameters and encodes categorical values as it reads them, found \"km\"",
    ])
    expect(messagesOf(tuning('tune', { ...options, training: pytorch('train', { ...train, enableSageMakerMetricsTimeSeries: true }) }))).toEqual([
      "steps.tune.training.enableSageMakerMetricsTimeSeries: expected nothing: a tuning job's training definition has no metrics time series setting (leave it out of the template), found true",
    ])
  })
})
