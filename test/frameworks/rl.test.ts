import { describe, expect, it } from 'vitest'
import { training } from '../../src/spec/step.js'
import { modelFromTraining, rl, RL_METRICS, type RLOptions } from '../../src/frameworks/index.js'
import { RUN, ROLE, SHA, expectServiceValid, messagesOf, planOf, requestOf, resolved, serviceSkip } from './presets-support.js'

const base: RLOptions = {
  entryPoint: 'train-coach.py',
  sourceDir: 'src',
  codeLocation: 's3://bucket/code',
  toolkit: 'coach',
  toolkitVersion: '1.0.0',
  framework: 'tensorflow',
  region: 'us-west-2',
  role: ROLE,
  instanceType: 'ml.c5.2xlarge',
  output: { s3OutputPath: 's3://bucket/rl-out' },
  hyperParameters: { 'rl.agent_params.algorithm.discount': 0.9 },
}

describe('rl training', () => {
  it('plans the exact CreateTrainingJob with the toolkit metrics and RL hyperparameters (golden)', () => {
    expect(resolved(requestOf(planOf(rl('rl', base)), 'rl', 'CreateTrainingJob'))).toEqual({
      TrainingJobName: `rl-${RUN}`,
      AlgorithmSpecification: {
        TrainingImage: '462105765813.dkr.ecr.us-west-2.amazonaws.com/sagemaker-rl-coach-container:coach-1.0.0-tf-cpu-py3',
        TrainingInputMode: 'File',
        MetricDefinitions: [
          { Name: 'reward-training', Regex: '^Training>.*Total reward=(.*?),' },
          { Name: 'reward-testing', Regex: '^Testing>.*Total reward=(.*?),' },
        ],
      },
      RoleArn: ROLE,
      OutputDataConfig: { S3OutputPath: 's3://bucket/rl-out' },
      ResourceConfig: { InstanceType: 'ml.c5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      HyperParameters: {
        'rl.agent_params.algorithm.discount': '0.9',
        sagemaker_program: '"train-coach.py"',
        sagemaker_submit_directory: `"s3://bucket/code/${SHA}/sourcedir.tar.gz"`,
        sagemaker_region: '"us-west-2"',
        sagemaker_job_name: `"rl-${RUN}"`,
        sagemaker_container_log_level: '20',
        sagemaker_s3_output: '"s3://bucket/rl-out"',
        sagemaker_estimator: '"RLEstimator"',
      },
    })
  })

  it('uses Ray reward metrics, and the user metrics when given', () => {
    const ray = rl('rl', { ...base, toolkit: 'ray', toolkitVersion: '0.6.5' })
    expect(ray.image).toBe('520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-rl-tensorflow:ray0.6.5-cpu-py3')
    expect(ray.metricDefinitions).toEqual(RL_METRICS.ray)
    expect(new RegExp(RL_METRICS.ray[0]!.regex).exec('episode_reward_mean: -1.5e-3')?.[1]).toBe('-1.5e-3')
    expect(rl('rl', { ...base, metricDefinitions: [{ name: 'r', regex: 'r=(.*)' }] }).metricDefinitions).toEqual([{ name: 'r', regex: 'r=(.*)' }])
  })

  it('reports unsupported toolkit/framework combinations with exact messages', () => {
    expect(messagesOf(rl('rl', { ...base, toolkit: 'ray', toolkitVersion: '0.6.5', framework: 'mxnet' }))).toEqual([
      'steps.rl.framework: expected a base framework for rl ray, one of: tensorflow, found "mxnet"',
    ])
    expect(messagesOf(rl('rl', { ...base, toolkit: 'gym' as never }))).toEqual(['steps.rl.toolkit: expected an RL toolkit, one of: coach, ray, found "gym"'])
    expect(messagesOf(rl('rl', { ...base, toolkitVersion: '2.0' }))).toEqual([
      'steps.rl.toolkitVersion: expected a coach-tensorflow training version, one of: 0.10.1, 0.11.0, 0.11.1, 1.0.0, 0.10, 0.11, found "2.0"',
    ])
    expect(messagesOf(rl('rl', { ...base, framework: 'mxnet' }))).toEqual([
      'steps.rl.toolkitVersion: expected a coach-mxnet training version, one of: 0.11.0, 0.11, found "1.0.0"',
    ])
  })

  it.skipIf(serviceSkip !== undefined)('sends a request the service model accepts', () => {
    expect(expectServiceValid(planOf(rl('rl', base)))).toBe(1)
  })
})

describe('rl models', () => {
  it('Coach on TensorFlow is served by TensorFlow Serving of the toolkit\'s TensorFlow version (golden)', () => {
    const train = rl('rl', base)
    const m = modelFromTraining(train, { instanceType: 'ml.m5.large' })
    expect(resolved(requestOf(planOf(train, m), 'rl-model', 'CreateModel'))).toEqual({
      ModelName: `rl-model-${RUN}`,
      PrimaryContainer: {
        Image: '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tensorflow-serving:1.12.0-cpu',
        ModelDataUrl: `s3://bucket/out/rl-${RUN}/output/model.tar.gz`,
        Environment: { SAGEMAKER_TFS_NGINX_LOGLEVEL: 'info' },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it('Coach on MXNet is served by MXNet 1.3 with the training script (golden)', () => {
    const train = rl('rl', { ...base, toolkitVersion: '0.11.0', framework: 'mxnet' })
    expect(train.image).toBe('520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-rl-mxnet:coach0.11.0-cpu-py3')
    const m = modelFromTraining(train, { instanceType: 'ml.m5.large' })
    expect(resolved(requestOf(planOf(train, m), 'rl-model', 'CreateModel'))).toEqual({
      ModelName: `rl-model-${RUN}`,
      PrimaryContainer: {
        Image: '520713654638.dkr.ecr.us-west-2.amazonaws.com/sagemaker-mxnet:1.3.0-cpu-py3',
        ModelDataUrl: `s3://bucket/out/rl-${RUN}/output/model.tar.gz`,
        Environment: {
          SAGEMAKER_PROGRAM: 'train-coach.py',
          SAGEMAKER_SUBMIT_DIRECTORY: `s3://bucket/code/${SHA}/sourcedir.tar.gz`,
          SAGEMAKER_REGION: 'us-west-2',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        },
      },
      ExecutionRoleArn: ROLE,
    })
  })

  it('Ray has no serving model', () => {
    const train = rl('rl', { ...base, toolkit: 'ray', toolkitVersion: '0.6.5' })
    expect(messagesOf(train, modelFromTraining(train, { instanceType: 'ml.m5.large' }))).toEqual([
      "steps.rl-model.framework.toolkit: expected a toolkit with a serving model (coach): Ray policies are not served automatically; they are in the job's checkpoints, found \"ray\"",
    ])
  })

  it('reports a recorded Coach version without a serving table entry (e.g. an edited JSON program)', () => {
    const { _tag, name, ...body } = rl('rl', base)
    const edited = training(name, { ...body, framework: { ...body.framework!, version: '9.9' } })
    expect(messagesOf(edited, modelFromTraining(edited, { instanceType: 'ml.m5.large' }))).toEqual([
      'steps.rl-model.framework: expected a Coach toolkit version and backend with a serving model, found {"toolkit":"coach","toolkitVersion":"9.9","framework":"tensorflow"}',
    ])
  })

  it.skipIf(serviceSkip !== undefined)('sends requests the service model accepts', () => {
    const train = rl('rl', base)
    expect(expectServiceValid(planOf(train, modelFromTraining(train, { instanceType: 'ml.m5.large' })))).toBe(2)
  })
})
