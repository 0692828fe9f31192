import { describe, expect, it } from 'vitest'
import { endpoint } from '../../src/spec/step.js'
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
