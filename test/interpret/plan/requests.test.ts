import { describe, expect, it } from 'vitest'
import { endpoint, model, modelPackage, training, transform, tuning } from '../../../src/spec/step.js'
import type { Step, StepOf } from '../../../src/spec/step.js'
import { program } from '../../../src/spec/program.js'
import { concat, existing, join, jsonOf, param, ref, runId } from '../../../src/spec/val.js'
import * as R from '../../../src/interpret/plan/requests.js'
import { RUN_ID_MAX_LENGTH, fitBase } from '../../../src/interpret/plan/names.js'
import { resolve } from '../../../src/interpret/plan/symbolic.js'
import { IMAGE, ROLE, planOf, plannedStep, requestOf } from '../../support/fixtures.js'

type TrainingBody = Omit<StepOf<'Training'>, '_tag' | 'name'>

const base = {
  image: IMAGE,
  role: ROLE,
  resources: { instanceType: 'ml.m5.xlarge' },
  output: { s3OutputPath: 's3://bucket/out' },
} as const

/** Plan one training step (plus whatever else the program holds) and return its CreateTrainingJob input. */
const trainingRequest = (body: Partial<TrainingBody>, ...others: ReadonlyArray<Step>) => {
  const step = training('train', { ...base, ...body } as TrainingBody)
  return requestOf(planOf(program(...others, step)), 'train', 'CreateTrainingJob').input
}

const trainName = join('-', ['train', runId])

describe('requests', () => {
  describe('createTrainingJob', () => {
    it('applies every documented default to a minimal BYO-image job', () => {
      expect(trainingRequest({})).toStrictEqual({
        TrainingJobName: trainName,
        AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
        RoleArn: ROLE,
        OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
        ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      })
    })

    it('sends AlgorithmName instead of TrainingImage for an algorithm', () => {
      const { image: _, ...noImage } = base
      const step = training('train', { ...noImage, algorithmName: 'arn:aws:sagemaker:us-east-1:123456789012:algorithm/my-algo' })
      expect(requestOf(planOf(program(step)), 'train', 'CreateTrainingJob').input.AlgorithmSpecification).toStrictEqual({
        AlgorithmName: 'arn:aws:sagemaker:us-east-1:123456789012:algorithm/my-algo',
        TrainingInputMode: 'File',
      })
    })

    it('maps every job-level option', () => {
      expect(
        trainingRequest({
          resources: { instanceType: 'ml.p3.2xlarge', instanceCount: 2, volumeSizeInGb: 100, volumeKmsKeyId: 'alias/volume', keepAlivePeriodInSeconds: 600 },
          output: { s3OutputPath: 's3://bucket/out', kmsKeyId: 'alias/output' },
          inputMode: 'Pipe',
          stopping: { maxRuntimeInSeconds: 3600 },
          spot: { maxWaitTimeInSeconds: 7200 },
          checkpoint: { s3Uri: 's3://bucket/checkpoints', localPath: '/opt/ml/checkpoints' },
          vpc: { subnets: ['subnet-0a', 'subnet-0b'], securityGroupIds: ['sg-0123'] },
          enableNetworkIsolation: true,
          enableInterContainerTrafficEncryption: true,
          enableSageMakerMetricsTimeSeries: true,
          metricDefinitions: [
            { name: 'train:loss', regex: 'loss=([0-9.]+)' },
            { name: 'validation:auc', regex: 'auc=([0-9.]+)' },
          ],
          environment: { MODE: 'fast', THREADS: '4' },
          retryAttempts: 3,
          tags: { project: 'churn', team: 'ml' },
          baseJobName: 'churn-train',
        }),
      ).toStrictEqual({
        TrainingJobName: join('-', ['churn-train', runId]),
        AlgorithmSpecification: {
          TrainingImage: IMAGE,
          TrainingInputMode: 'Pipe',
          MetricDefinitions: [
            { Name: 'train:loss', Regex: 'loss=([0-9.]+)' },
            { Name: 'validation:auc', Regex: 'auc=([0-9.]+)' },
          ],
          EnableSageMakerMetricsTimeSeries: true,
        },
        RoleArn: ROLE,
        OutputDataConfig: { S3OutputPath: 's3://bucket/out', KmsKeyId: 'alias/output' },
        ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 2, VolumeSizeInGB: 100, VolumeKmsKeyId: 'alias/volume', KeepAlivePeriodInSeconds: 600 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 },
        VpcConfig: { SecurityGroupIds: ['sg-0123'], Subnets: ['subnet-0a', 'subnet-0b'] },
        EnableNetworkIsolation: true,
        EnableInterContainerTrafficEncryption: true,
        EnableManagedSpotTraining: true,
        CheckpointConfig: { S3Uri: 's3://bucket/checkpoints', LocalPath: '/opt/ml/checkpoints' },
        Environment: { MODE: 'fast', THREADS: '4' },
        RetryStrategy: { MaximumRetryAttempts: 3 },
        Tags: [
          { Key: 'project', Value: 'churn' },
          { Key: 'team', Value: 'ml' },
        ],
      })
    })

    it('omits flags that are off and empty maps, lists and tags', () => {
      expect(
        trainingRequest({
          enableNetworkIsolation: false,
          enableInterContainerTrafficEncryption: false,
          enableSageMakerMetricsTimeSeries: false,
          metricDefinitions: [],
          environment: {},
          tags: {},
          channels: {},
          hyperParameters: {},
        }),
      ).toStrictEqual(trainingRequest({}))
    })

    it('sends a flag decided at run time (a boolean param) as the param', () => {
      const isolate = param.boolean('isolate', { default: false })
      expect(trainingRequest({ enableNetworkIsolation: isolate }).EnableNetworkIsolation).toStrictEqual(isolate)
    })

    it('spot training without checkpoints still enables managed spot and sets the wait time', () => {
      const r = trainingRequest({ spot: { maxWaitTimeInSeconds: 86400 } })
      expect(r.EnableManagedSpotTraining).toBe(true)
      expect(r.StoppingCondition).toStrictEqual({ MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 86400 })
      expect(r).not.toHaveProperty('CheckpointConfig')
    })

    it('maps every channel option', () => {
      const r = trainingRequest({
        channels: {
          train: {
            uri: 's3://bucket/train.manifest',
            s3DataType: 'ManifestFile',
            distribution: 'ShardedByS3Key',
            compression: 'Gzip',
            contentType: 'application/x-recordio-protobuf',
            recordWrapper: 'RecordIO',
            inputMode: 'FastFile',
            shuffleSeed: 7,
          },
          labelled: { uri: 's3://bucket/labelled.manifest', s3DataType: 'AugmentedManifestFile', attributeNames: ['source-ref', 'label'], recordWrapper: 'RecordIO', inputMode: 'Pipe' },
          plain: { uri: 's3://bucket/plain/' },
        },
      })
      expect(r.InputDataConfig).toStrictEqual([
        {
          ChannelName: 'train',
          DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: 's3://bucket/train.manifest', S3DataDistributionType: 'ShardedByS3Key' } },
          ContentType: 'application/x-recordio-protobuf',
          CompressionType: 'Gzip',
          RecordWrapperType: 'RecordIO',
          InputMode: 'FastFile',
          ShuffleConfig: { Seed: 7 },
        },
        {
          ChannelName: 'labelled',
          DataSource: {
            S3DataSource: {
              S3DataType: 'AugmentedManifestFile',
              S3Uri: 's3://bucket/labelled.manifest',
              S3DataDistributionType: 'FullyReplicated',
              AttributeNames: ['source-ref', 'label'],
            },
          },
          RecordWrapperType: 'RecordIO',
          InputMode: 'Pipe',
        },
        {
          ChannelName: 'plain',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/plain/', S3DataDistributionType: 'FullyReplicated' } },
        },
      ])
    })

    it('omits empty attribute names', () => {
      const r = trainingRequest({ channels: { train: { uri: 's3://bucket/train/', attributeNames: [] } } })
      expect(r.InputDataConfig).toStrictEqual([
        { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/train/', S3DataDistributionType: 'FullyReplicated' } } },
      ])
    })

    it('turns a file:// channel into a FileDataSource (for local runs)', () => {
      const r = trainingRequest({ channels: { train: { uri: 'file:///data/train', contentType: 'text/csv' }, sharded: { uri: 'file://./shards', distribution: 'ShardedByS3Key' } } })
      expect(r.InputDataConfig).toStrictEqual([
        { ChannelName: 'train', DataSource: { FileDataSource: { FileDataDistributionType: 'FullyReplicated', FileUri: 'file:///data/train' } }, ContentType: 'text/csv' },
        { ChannelName: 'sharded', DataSource: { FileDataSource: { FileDataDistributionType: 'ShardedByS3Key', FileUri: 'file://./shards' } } },
      ])
    })

    it('adds the model channel of incremental training after the data channels', () => {
      const r = trainingRequest({ channels: { train: { uri: 's3://bucket/train/' } }, modelUri: 's3://bucket/previous/model.tar.gz' })
      expect(r.InputDataConfig).toStrictEqual([
        { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/train/', S3DataDistributionType: 'FullyReplicated' } } },
        {
          ChannelName: 'model',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/previous/model.tar.gz', S3DataDistributionType: 'FullyReplicated' } },
          ContentType: 'application/x-sagemaker-model',
          InputMode: 'File',
        },
      ])
    })

    it('names the model channel as asked, and takes the model from another step by ref', () => {
      const first = training('first', base)
      const r = trainingRequest({ modelUri: first.outputs.modelArtifacts, modelChannelName: 'pretrained' }, first)
      expect(r.InputDataConfig).toStrictEqual([
        {
          ChannelName: 'pretrained',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: ref('first', ['ModelArtifacts', 'S3ModelArtifacts']), S3DataDistributionType: 'FullyReplicated' } },
          ContentType: 'application/x-sagemaker-model',
          InputMode: 'File',
        },
      ])
    })

    describe('hyperparameters', () => {
      const literals = { epochs: 10, eta: 0.25, verbose: true, objective: 'binary:logistic', big: 1e21 }

      it('plain encoding (the default) is String(v)', () => {
        expect(trainingRequest({ hyperParameters: literals }).HyperParameters).toStrictEqual({
          epochs: '10',
          eta: '0.25',
          verbose: 'true',
          objective: 'binary:logistic',
          big: '1e+21',
        })
        expect(trainingRequest({ hyperParameters: literals, hyperParameterEncoding: 'plain' }).HyperParameters).toStrictEqual(
          trainingRequest({ hyperParameters: literals }).HyperParameters,
        )
      })

      it('json encoding is JSON.stringify(v): strings gain quotes', () => {
        expect(trainingRequest({ hyperParameters: literals, hyperParameterEncoding: 'json' }).HyperParameters).toStrictEqual({
          epochs: '10',
          eta: '0.25',
          verbose: 'true',
          objective: '"binary:logistic"',
          big: '1e+21',
        })
      })

      it('json encoding JSON-encodes a String param or a string ref when it is known (quotes and escapes); plain keeps it bare', () => {
        const first = training('first', base)
        const objective = param.string('objective', { default: 'reg:squarederror' })
        const hp = { objective, parent: first.outputs.jobName }
        expect(trainingRequest({ hyperParameters: hp, hyperParameterEncoding: 'json' }, first).HyperParameters).toStrictEqual({
          objective: jsonOf(objective),
          parent: jsonOf(ref<string>('first', ['TrainingJobName'])),
        })
        expect(trainingRequest({ hyperParameters: hp }, first).HyperParameters).toStrictEqual({ objective, parent: ref('first', ['TrainingJobName']) })
      })

      it('a number-valued param or ref becomes a string in either encoding (hyperparameter values are strings)', () => {
        const tune = tuning('tune', {
          training: { ...base, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }] },
          objective: { metricName: 'auc', type: 'Maximize' },
          ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
        })
        const epochs = param.integer('epochs', { default: 20 })
        const hp = { epochs, best: tune.outputs.bestTrainingJob.objectiveValue }
        for (const encoding of ['plain', 'json'] as const) {
          const r = trainingRequest({ hyperParameters: hp, hyperParameterEncoding: encoding }, tune)
          expect(r.HyperParameters).toStrictEqual({ epochs: jsonOf(epochs), best: jsonOf(ref<number>('tune', ['BestTrainingJob', 'FinalHyperParameterTuningJobObjectiveMetric', 'Value'])) })
          expect(resolve(r.HyperParameters!, { ref: () => 0.93, param: () => 20, runId: 'r', code: () => '' })).toStrictEqual({ epochs: '20', best: '0.93' })
        }
      })

      it('a string param resolves to a JSON string in json encoding', () => {
        const objective = param.string('objective', { default: 'x' })
        const r = trainingRequest({ hyperParameters: { objective }, hyperParameterEncoding: 'json' })
        expect(resolve(r.HyperParameters!, { ref: () => '', param: () => 'reg:squarederror', runId: 'r', code: () => '' })).toStrictEqual({
          objective: '"reg:squarederror"',
        })
      })
    })

    it('deep-merges overrides last: objects key by key, lists and scalars replaced', () => {
      const r = trainingRequest({
        tags: { project: 'churn' },
        overrides: {
          ResourceConfig: { InstanceCount: 4 },
          AlgorithmSpecification: { TrainingImageConfig: { TrainingRepositoryAccessMode: 'Vpc' } },
          Tags: [{ Key: 'replaced', Value: 'yes' }],
          StoppingCondition: { MaxPendingTimeInSeconds: 7200 },
        },
      })
      expect(r).toStrictEqual({
        TrainingJobName: trainName,
        AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File', TrainingImageConfig: { TrainingRepositoryAccessMode: 'Vpc' } },
        RoleArn: ROLE,
        OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
        ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 4, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 86400, MaxPendingTimeInSeconds: 7200 },
        Tags: [{ Key: 'replaced', Value: 'yes' }],
      })
    })

    it('prints a number-valued param placed in a string field (or a number ref joined into one), and leaves it bare in a number field', () => {
      const count = param.integer('count', { default: 2 })
      const tune = tuning('tune', {
        training: { ...base, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }] },
        objective: { metricName: 'auc', type: 'Maximize' },
        ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
      })
      // JSON programs may put a number param in a string field (validate allows it); the TS types do not.
      // A number ref goes through a join, as the compiler and validate both require.
      const score = ref<number>('tune', ['BestTrainingJob', 'FinalHyperParameterTuningJobObjectiveMetric', 'Value'])
      const r = trainingRequest({ resources: { instanceType: 'ml.m5.xlarge', instanceCount: count }, environment: { COUNT: count as never, SCORE: concat(score), NAME: 'x' } }, tune)
      expect(r.ResourceConfig?.InstanceCount).toStrictEqual(count)
      expect(r.Environment).toStrictEqual({ COUNT: jsonOf(count), SCORE: concat(score), NAME: 'x' })
      expect(resolve(r.Environment!, { ref: () => 0.93, param: () => 2, runId: 'r', code: () => '' })).toStrictEqual({ COUNT: '2', SCORE: '0.93', NAME: 'x' })
    })

    it('keeps params and refs symbolic in every field', () => {
      const instanceType = param.string('instanceType', { default: 'ml.m5.xlarge' })
      const count = param.integer('count', { default: 1 })
      const first = training('first', base)
      const r = trainingRequest({ resources: { instanceType, instanceCount: count }, output: { s3OutputPath: join('/', ['s3://bucket/out', runId]) }, channels: { train: { uri: first.outputs.modelArtifacts } } }, first)
      expect(r.ResourceConfig).toStrictEqual({ InstanceType: instanceType, InstanceCount: count, VolumeSizeInGB: 30 })
      expect(r.OutputDataConfig).toStrictEqual({ S3OutputPath: join('/', ['s3://bucket/out', runId]) })
      expect(r.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3Uri).toStrictEqual(ref('first', ['ModelArtifacts', 'S3ModelArtifacts']))
    })
  })

  describe('createHyperParameterTuningJob', () => {
    const template = {
      ...base,
      channels: { train: { uri: 's3://bucket/train/' } },
      hyperParameters: { num_round: 100, eta: 0.2, max_depth: 5, objective: 'binary:logistic' },
      metricDefinitions: [{ name: 'validation:auc', regex: 'auc=([0-9.]+)' }],
      tags: { team: 'ml' },
    }
    const trainingJobDefinition = {
      StaticHyperParameters: { num_round: '100', objective: 'binary:logistic' },
      AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File', MetricDefinitions: [{ Name: 'validation:auc', Regex: 'auc=([0-9.]+)' }] },
      RoleArn: ROLE,
      InputDataConfig: [
        { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/train/', S3DataDistributionType: 'FullyReplicated' } } },
      ],
      OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
    }

    it('maps ranges of all three kinds with scaling, applies defaults, and sends the template minus the tuned names as static hyperparameters', () => {
      const tune = tuning('tune', {
        training: template,
        objective: { metricName: 'validation:auc', type: 'Maximize' },
        ranges: {
          eta: { _tag: 'Continuous', min: 0.01, max: 0.5, scaling: 'Logarithmic' },
          alpha: { _tag: 'Continuous', min: 0, max: 2 },
          max_depth: { _tag: 'Integer', min: 3, max: 10, scaling: 'Linear' },
          booster: { _tag: 'Categorical', values: ['gbtree', 'dart'] },
        },
      })
      expect(requestOf(planOf(program(tune)), 'tune', 'CreateHyperParameterTuningJob').input).toStrictEqual({
        HyperParameterTuningJobName: join('-', ['tune', runId]),
        HyperParameterTuningJobConfig: {
          Strategy: 'Bayesian',
          HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:auc' },
          ResourceLimits: { MaxNumberOfTrainingJobs: 1, MaxParallelTrainingJobs: 1 },
          ParameterRanges: {
            ContinuousParameterRanges: [
              { Name: 'eta', MinValue: '0.01', MaxValue: '0.5', ScalingType: 'Logarithmic' },
              { Name: 'alpha', MinValue: '0', MaxValue: '2', ScalingType: 'Auto' },
            ],
            IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '10', ScalingType: 'Linear' }],
            CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
          },
          TrainingJobEarlyStoppingType: 'Off',
        },
        TrainingJobDefinition: trainingJobDefinition,
        // Without tags of its own, the tuning job takes its template's.
        Tags: [{ Key: 'team', Value: 'ml' }],
      })
    })

    it('maps every tuner option: strategy, limits, early stopping, seed, completion criteria, own metric definitions, tags, overrides', () => {
      const tune = tuning('tune', {
        training: template,
        objective: { metricName: 'validation:rmse', type: 'Minimize' },
        ranges: { eta: { _tag: 'Continuous', min: 0.001, max: 0.1, scaling: 'ReverseLogarithmic' } },
        strategy: 'Random',
        maxJobs: 50,
        maxParallelJobs: 5,
        maxRuntimeInSeconds: 7200,
        earlyStopping: 'Auto',
        randomSeed: 42,
        targetObjectiveMetricValue: 0.1,
        metricDefinitions: [{ name: 'validation:rmse', regex: 'rmse=([0-9.]+)' }],
        tags: { project: 'churn' },
        baseJobName: 'churn-tune',
        overrides: { HyperParameterTuningJobConfig: { ResourceLimits: { MaxParallelTrainingJobs: 10 } } },
      })
      expect(requestOf(planOf(program(tune)), 'tune', 'CreateHyperParameterTuningJob').input).toStrictEqual({
        HyperParameterTuningJobName: join('-', ['churn-tune', runId]),
        HyperParameterTuningJobConfig: {
          Strategy: 'Random',
          HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:rmse' },
          ResourceLimits: { MaxNumberOfTrainingJobs: 50, MaxParallelTrainingJobs: 10, MaxRuntimeInSeconds: 7200 },
          ParameterRanges: {
            ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0.001', MaxValue: '0.1', ScalingType: 'ReverseLogarithmic' }],
            IntegerParameterRanges: [],
            CategoricalParameterRanges: [],
          },
          TrainingJobEarlyStoppingType: 'Auto',
          RandomSeed: 42,
          TuningJobCompletionCriteria: { TargetObjectiveMetricValue: 0.1 },
        },
        TrainingJobDefinition: {
          ...trainingJobDefinition,
          StaticHyperParameters: { num_round: '100', max_depth: '5', objective: 'binary:logistic' },
          AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File', MetricDefinitions: [{ Name: 'validation:rmse', Regex: 'rmse=([0-9.]+)' }] },
        },
        Tags: [{ Key: 'project', Value: 'churn' }],
      })
    })

    it('Grid sends no MaxNumberOfTrainingJobs; categorical values follow the template encoding', () => {
      const tune = tuning('tune', {
        training: { ...template, hyperParameterEncoding: 'json' },
        objective: { metricName: 'validation:auc', type: 'Maximize' },
        ranges: { booster: { _tag: 'Categorical', values: ['gbtree', 'dart'] }, depth: { _tag: 'Categorical', values: [3, 5] }, flag: { _tag: 'Categorical', values: [true, false] } },
        strategy: 'Grid',
        maxParallelJobs: 2,
      })
      const config = requestOf(planOf(program(tune)), 'tune', 'CreateHyperParameterTuningJob').input.HyperParameterTuningJobConfig!
      expect(config.ResourceLimits).toStrictEqual({ MaxParallelTrainingJobs: 2 })
      expect(config.ParameterRanges).toStrictEqual({
        ContinuousParameterRanges: [],
        IntegerParameterRanges: [],
        CategoricalParameterRanges: [
          { Name: 'booster', Values: ['"gbtree"', '"dart"'] },
          { Name: 'depth', Values: ['3', '5'] },
          { Name: 'flag', Values: ['true', 'false'] },
        ],
      })
    })

    it('Hyperband sends its strategy config', () => {
      const tune = tuning('tune', {
        training: template,
        objective: { metricName: 'validation:auc', type: 'Maximize' },
        ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
        strategy: 'Hyperband',
        hyperband: { minResource: 1, maxResource: 27 },
      })
      const config = requestOf(planOf(program(tune)), 'tune', 'CreateHyperParameterTuningJob').input.HyperParameterTuningJobConfig!
      expect(config.Strategy).toBe('Hyperband')
      expect(config.StrategyConfig).toStrictEqual({ HyperbandStrategyConfig: { MinResource: 1, MaxResource: 27 } })
    })

    it('warm-starts from a parent tuning step by ref and from a literal job name', () => {
      const parent = tuning('parent', { training: template, objective: { metricName: 'validation:auc', type: 'Maximize' }, ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } } })
      const child = tuning('child', {
        training: template,
        objective: { metricName: 'validation:auc', type: 'Maximize' },
        ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
        warmStart: { type: 'TransferLearning', parents: [parent.outputs.jobName, existing('older-tuning-job')] },
      })
      const plan = planOf(program(child, parent))
      expect(plan.steps.map((s) => s.name)).toStrictEqual(['parent', 'child'])
      expect(plannedStep(plan, 'child').dependsOn).toStrictEqual(['parent'])
      expect(requestOf(plan, 'child', 'CreateHyperParameterTuningJob').input.WarmStartConfig).toStrictEqual({
        WarmStartType: 'TransferLearning',
        ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: ref('parent', ['HyperParameterTuningJobName']) }, { HyperParameterTuningJobName: 'older-tuning-job' }],
      })
    })

    it('leaves EnableSageMakerMetricsTimeSeries out of the tuning definition (the tuning API has no such member)', () => {
      const tune = tuning('tune', {
        training: { ...template, enableSageMakerMetricsTimeSeries: true },
        objective: { metricName: 'validation:auc', type: 'Maximize' },
        ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
      })
      const def = requestOf(planOf(program(tune)), 'tune', 'CreateHyperParameterTuningJob').input.TrainingJobDefinition!
      expect(def.AlgorithmSpecification).toStrictEqual(trainingJobDefinition.AlgorithmSpecification)
    })

    it('ranges from params stay symbolic but become strings', () => {
      const lo = param.float('lo', { default: 0.01 })
      const tune = tuning('tune', {
        training: template,
        objective: { metricName: 'validation:auc', type: 'Maximize' },
        ranges: { eta: { _tag: 'Continuous', min: lo, max: 0.5 } },
      })
      const ranges = requestOf(planOf(program(tune)), 'tune', 'CreateHyperParameterTuningJob').input.HyperParameterTuningJobConfig!.ParameterRanges!
      expect(ranges.ContinuousParameterRanges).toStrictEqual([{ Name: 'eta', MinValue: concat(lo), MaxValue: '0.5', ScalingType: 'Auto' }])
      expect(resolve(ranges, { ref: () => '', param: () => 0.01, runId: 'r', code: () => '' }).ContinuousParameterRanges).toStrictEqual([
        { Name: 'eta', MinValue: '0.01', MaxValue: '0.5', ScalingType: 'Auto' },
      ])
    })

    it('an algorithm template needs no metric definitions for its objective', () => {
      const { image: _, ...noImage } = template
      const tune = tuning('tune', {
        training: { ...noImage, algorithmName: 'xgboost-algo', metricDefinitions: [] },
        objective: { metricName: 'validation:auc', type: 'Maximize' },
        ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
      })
      const def = requestOf(planOf(program(tune)), 'tune', 'CreateHyperParameterTuningJob').input.TrainingJobDefinition!
      expect(def.AlgorithmSpecification).toStrictEqual({ AlgorithmName: 'xgboost-algo', TrainingInputMode: 'File' })
    })
  })

  describe('createModel', () => {
    it('maps a single container with every container option', () => {
      const train = training('train', base)
      const m = model('churn-model', {
        container: {
          image: IMAGE,
          modelDataUrl: train.outputs.modelArtifacts,
          environment: { WORKERS: '2' },
          containerHostname: 'main',
          mode: 'SingleModel',
        },
        role: ROLE,
      })
      expect(requestOf(planOf(program(train, m)), 'churn-model', 'CreateModel').input).toStrictEqual({
        ModelName: join('-', ['churn-model', runId]),
        PrimaryContainer: {
          ContainerHostname: 'main',
          Image: IMAGE,
          Mode: 'SingleModel',
          ModelDataUrl: ref('train', ['ModelArtifacts', 'S3ModelArtifacts']),
          Environment: { WORKERS: '2' },
        },
        ExecutionRoleArn: ROLE,
      })
    })

    it('maps an inference pipeline in order, with VPC, network isolation, tags, base name and overrides', () => {
      const m = model('pipeline', {
        containers: [
          { image: 'pre:1', modelDataUrl: 's3://bucket/pre.tar.gz', environment: {} },
          { image: IMAGE, modelDataUrl: 's3://bucket/model.tar.gz' },
        ],
        role: ROLE,
        vpc: { subnets: ['subnet-1'], securityGroupIds: ['sg-1', 'sg-2'] },
        enableNetworkIsolation: true,
        tags: { project: 'churn' },
        baseName: 'churn-pipeline',
        overrides: { InferenceExecutionConfig: { Mode: 'Serial' } },
      })
      expect(requestOf(planOf(program(m)), 'pipeline', 'CreateModel').input).toStrictEqual({
        ModelName: join('-', ['churn-pipeline', runId]),
        Containers: [
          { Image: 'pre:1', ModelDataUrl: 's3://bucket/pre.tar.gz' },
          { Image: IMAGE, ModelDataUrl: 's3://bucket/model.tar.gz' },
        ],
        ExecutionRoleArn: ROLE,
        VpcConfig: { SecurityGroupIds: ['sg-1', 'sg-2'], Subnets: ['subnet-1'] },
        EnableNetworkIsolation: true,
        Tags: [{ Key: 'project', Value: 'churn' }],
        InferenceExecutionConfig: { Mode: 'Serial' },
      })
    })

    it('maps a model package without a role', () => {
      const m = model('packaged', { container: { modelPackageName: existing('arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3') } })
      expect(requestOf(planOf(program(m)), 'packaged', 'CreateModel').input).toStrictEqual({
        ModelName: join('-', ['packaged', runId]),
        PrimaryContainer: { ModelPackageName: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3' },
      })
    })
  })

  describe('createEndpointConfig and createEndpoint', () => {
    const m = model('m', { container: { image: IMAGE, modelDataUrl: 's3://bucket/model.tar.gz' }, role: ROLE })

    it('names variants by default, applies defaults, and creates or updates a stable endpoint', () => {
      const e = endpoint('serve', {
        variants: [
          { model: m.outputs.name, instanceType: 'ml.m5.large' },
          { model: existing('existing-model'), instanceType: 'ml.c5.xlarge', initialInstanceCount: 2, initialWeight: 0.5, acceleratorType: 'ml.eia2.medium' },
        ],
      })
      const plan = planOf(program(m, e))
      const step = plannedStep(plan, 'serve')
      expect(step.physicalName).toBe('serve')
      expect(step.requests).toStrictEqual([
        {
          _tag: 'CreateEndpointConfig',
          input: {
            EndpointConfigName: join('-', ['serve', runId]),
            ProductionVariants: [
              { VariantName: 'AllTraffic', ModelName: ref('m', ['ModelName']), InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 },
              { VariantName: 'variant-2', ModelName: 'existing-model', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 2, InitialVariantWeight: 0.5, AcceleratorType: 'ml.eia2.medium' },
            ],
          },
        },
        {
          _tag: 'CreateEndpoint',
          input: { EndpointName: 'serve', EndpointConfigName: join('-', ['serve', runId]) },
          orUpdate: { EndpointName: 'serve', EndpointConfigName: join('-', ['serve', runId]) },
        },
      ])
    })

    it('maps named variants, names, KMS key, tags and overrides; update: false sends no UpdateEndpoint', () => {
      const e = endpoint('serve', {
        variants: [
          { name: 'blue', model: m.outputs.name, instanceType: 'ml.m5.large', initialWeight: 9 },
          { name: 'green', model: m.outputs.name, instanceType: 'ml.m5.large', initialWeight: 1 },
        ],
        endpointName: 'churn-endpoint',
        configName: 'churn-config-v2',
        kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd',
        tags: { project: 'churn' },
        update: false,
        overrides: { AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://bucket/async' } } },
      })
      expect(plannedStep(planOf(program(m, e)), 'serve').requests).toStrictEqual([
        {
          _tag: 'CreateEndpointConfig',
          input: {
            EndpointConfigName: 'churn-config-v2',
            ProductionVariants: [
              { VariantName: 'blue', ModelName: ref('m', ['ModelName']), InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 9 },
              { VariantName: 'green', ModelName: ref('m', ['ModelName']), InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 },
            ],
            KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd',
            Tags: [{ Key: 'project', Value: 'churn' }],
            AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://bucket/async' } },
          },
        },
        {
          _tag: 'CreateEndpoint',
          input: { EndpointName: 'churn-endpoint', EndpointConfigName: 'churn-config-v2', Tags: [{ Key: 'project', Value: 'churn' }] },
        },
      ])
    })

    it('names the config after the step when the endpoint name is known only at run time', () => {
      const name = param.string('endpoint', { default: 'e'.repeat(63) })
      const e = endpoint('serve', { variants: [{ model: existing('m1'), instanceType: 'ml.m5.large' }], endpointName: name })
      const step = plannedStep(planOf(program(e)), 'serve')
      expect(step.physicalName).toStrictEqual(name)
      expect(step.requests[1]).toStrictEqual({
        _tag: 'CreateEndpoint',
        input: { EndpointName: name, EndpointConfigName: join('-', ['serve', runId]) },
        orUpdate: { EndpointName: name, EndpointConfigName: join('-', ['serve', runId]) },
      })
    })

    it('update: true is the same as the default', () => {
      const e = (update?: boolean) => endpoint('serve', { variants: [{ model: existing('x'), instanceType: 'ml.m5.large' }], ...(update === undefined ? {} : { update }) })
      expect(plannedStep(planOf(program(e(true))), 'serve').requests).toStrictEqual(plannedStep(planOf(program(e())), 'serve').requests)
      expect(requestOf(planOf(program(e())), 'serve', 'CreateEndpoint').orUpdate).toBeDefined()
    })
  })

  describe('createTransformJob', () => {
    it('applies defaults to a minimal job', () => {
      const t = transform('score', {
        model: existing('churn-model'),
        resources: { instanceType: 'ml.m5.xlarge' },
        input: { uri: 's3://bucket/in/' },
        output: { s3OutputPath: 's3://bucket/out/' },
      })
      expect(requestOf(planOf(program(t)), 'score', 'CreateTransformJob').input).toStrictEqual({
        TransformJobName: join('-', ['score', runId]),
        ModelName: 'churn-model',
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/in/' } } },
        TransformOutput: { S3OutputPath: 's3://bucket/out/' },
        TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
      })
    })

    it('maps every option, DataProcessing included', () => {
      const m = model('m', { container: { image: IMAGE }, role: ROLE })
      const t = transform('score', {
        model: m.outputs.name,
        resources: { instanceType: 'ml.c5.xlarge', instanceCount: 3, volumeKmsKeyId: 'alias/volume' },
        input: { uri: 's3://bucket/in.manifest', dataType: 'ManifestFile', contentType: 'text/csv', compression: 'Gzip', splitType: 'Line' },
        output: { s3OutputPath: 's3://bucket/out/', kmsKeyId: 'alias/out', accept: 'text/csv', assembleWith: 'Line' },
        batchStrategy: 'MultiRecord',
        maxPayloadInMb: 6,
        maxConcurrentTransforms: 4,
        environment: { MODE: 'batch' },
        dataProcessing: { inputFilter: '$[1:]', outputFilter: '$[0,-1]', joinSource: 'Input' },
        baseJobName: 'churn-score',
        tags: { project: 'churn' },
        overrides: { ExperimentConfig: { ExperimentName: 'churn' } },
      })
      expect(requestOf(planOf(program(m, t)), 'score', 'CreateTransformJob').input).toStrictEqual({
        TransformJobName: join('-', ['churn-score', runId]),
        ModelName: ref('m', ['ModelName']),
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: 's3://bucket/in.manifest' } },
          ContentType: 'text/csv',
          CompressionType: 'Gzip',
          SplitType: 'Line',
        },
        TransformOutput: { S3OutputPath: 's3://bucket/out/', KmsKeyId: 'alias/out', Accept: 'text/csv', AssembleWith: 'Line' },
        TransformResources: { InstanceType: 'ml.c5.xlarge', InstanceCount: 3, VolumeKmsKeyId: 'alias/volume' },
        BatchStrategy: 'MultiRecord',
        MaxPayloadInMB: 6,
        MaxConcurrentTransforms: 4,
        Environment: { MODE: 'batch' },
        DataProcessing: { InputFilter: '$[1:]', OutputFilter: '$[0,-1]', JoinSource: 'Input' },
        Tags: [{ Key: 'project', Value: 'churn' }],
        ExperimentConfig: { ExperimentName: 'churn' },
      })
    })

    it('sends only the DataProcessing fields given', () => {
      const t = transform('score', {
        model: existing('m'),
        resources: { instanceType: 'ml.m5.xlarge' },
        input: { uri: 's3://bucket/in/' },
        output: { s3OutputPath: 's3://bucket/out/' },
        dataProcessing: { joinSource: 'None' },
      })
      expect(requestOf(planOf(program(t)), 'score', 'CreateTransformJob').input.DataProcessing).toStrictEqual({ JoinSource: 'None' })
    })
  })

  describe('createModelPackage', () => {
    it('maps the algorithm, the model data by ref, the description, tags and overrides', () => {
      const train = training('train', base)
      const pkg = modelPackage('churn-package', {
        algorithmName: 'arn:aws:sagemaker:us-east-1:123456789012:algorithm/churn-algo',
        modelDataUrl: train.outputs.modelArtifacts,
        description: 'churn model',
        tags: { project: 'churn' },
        baseName: 'churn-pkg',
        overrides: { CertifyForMarketplace: true },
      })
      expect(requestOf(planOf(program(train, pkg)), 'churn-package', 'CreateModelPackage').input).toStrictEqual({
        ModelPackageName: join('-', ['churn-pkg', runId]),
        ModelPackageDescription: 'churn model',
        SourceAlgorithmSpecification: {
          SourceAlgorithms: [{ AlgorithmName: 'arn:aws:sagemaker:us-east-1:123456789012:algorithm/churn-algo', ModelDataUrl: ref('train', ['ModelArtifacts', 'S3ModelArtifacts']) }],
        },
        Tags: [{ Key: 'project', Value: 'churn' }],
        CertifyForMarketplace: true,
      })
    })

    it('omits what is not given', () => {
      const pkg = modelPackage('pkg', { algorithmName: 'churn-algo', modelDataUrl: 's3://bucket/model.tar.gz' })
      expect(requestOf(planOf(program(pkg)), 'pkg', 'CreateModelPackage').input).toStrictEqual({
        ModelPackageName: join('-', ['pkg', runId]),
        SourceAlgorithmSpecification: { SourceAlgorithms: [{ AlgorithmName: 'churn-algo', ModelDataUrl: 's3://bucket/model.tar.gz' }] },
      })
    })
  })

  describe('physical names', () => {
    const sampleRun = 'x'.repeat(RUN_ID_MAX_LENGTH)
    const resolveName = (name: unknown) => resolve(name as never, { ref: () => '', param: () => '', runId: sampleRun, code: () => '' }) as unknown as string

    it('joins <base>-<run>', () => {
      expect(R.trainingJobName(training('train', base))).toStrictEqual(join('-', ['train', runId]))
      expect(resolveName(R.trainingJobName(training('train', base)))).toBe(`train-${sampleRun}`)
    })

    it('truncates a long base so that base and stamp fit 63 characters', () => {
      const long = 'a'.repeat(63)
      const name = R.trainingJobName(training(long, base))
      expect(name).toStrictEqual(join('-', ['a'.repeat(63 - RUN_ID_MAX_LENGTH - 1), runId]))
      expect(resolveName(name)).toHaveLength(63)
      for (const s of [model(long, { container: { image: IMAGE }, role: ROLE })]) expect(resolveName(R.modelName(s))).toHaveLength(63)
      const t = transform(long, { model: existing('m'), resources: { instanceType: 'ml.m5.xlarge' }, input: { uri: 's3://b/i' }, output: { s3OutputPath: 's3://b/o' } })
      expect(resolveName(R.transformJobName(t))).toHaveLength(63)
      const e = endpoint(long, { variants: [{ model: existing('m'), instanceType: 'ml.m5.large' }] })
      expect(R.endpointName(e)).toBe(long)
      expect(resolveName(R.endpointConfigName(e))).toHaveLength(63)
    })

    it('truncates tuning job bases so that base and stamp fit 32 characters', () => {
      const t = tuning('a'.repeat(40), {
        training: { ...base, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }] },
        objective: { metricName: 'auc', type: 'Maximize' },
        ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
      })
      expect(R.tuningJobName(t)).toStrictEqual(join('-', ['a'.repeat(32 - RUN_ID_MAX_LENGTH - 1), runId]))
      expect(resolveName(R.tuningJobName(t))).toHaveLength(32)
    })

    it('never leaves a trailing hyphen where the cut falls', () => {
      // The cut at 16 characters (32 - 15 - 1) ends in hyphens, which are dropped.
      expect(fitBase('abcdefghijklmn--opq', 32)).toBe('abcdefghijklmn')
      expect(fitBase(`${'a'.repeat(46)}-bcd`, 63)).toBe('a'.repeat(46))
      expect(fitBase('short', 63)).toBe('short')
      const t = training(`${'a'.repeat(46)}-bcd`, base)
      expect(resolveName(R.trainingJobName(t))).toBe(`${'a'.repeat(46)}-${sampleRun}`)
    })

    it('uses the base name given in preference to the step name', () => {
      expect(R.trainingJobName(training('train', { ...base, baseJobName: 'churn' }))).toStrictEqual(join('-', ['churn', runId]))
      expect(R.modelName(model('m', { container: { image: IMAGE }, role: ROLE, baseName: 'churn-model' }))).toStrictEqual(join('-', ['churn-model', runId]))
    })

    it('is what the plan records as each step\'s physical name', () => {
      const plan = planOf(program(training('train', base)))
      expect(plannedStep(plan, 'train').physicalName).toStrictEqual(join('-', ['train', runId]))
    })
  })
})

describe('sample values for refs', () => {
  it("a ref whose last segment is an Object.prototype name (a hyperparameter called valueOf) gets the plain sample", async () => {
    const { sampleRefValue } = await import('../../../src/interpret/plan/sample.js')
    expect(sampleRefValue(ref('tune', ['BestTrainingJob', 'TunedHyperParameters', 'valueOf']))).toBe('0.1')
    expect(sampleRefValue(ref('tune', ['BestTrainingJob', 'TunedHyperParameters', 'constructor']))).toBe('0.1')
  })
})
