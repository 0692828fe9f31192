import { describe, expect, it } from 'vitest'
import * as A from '../../../src/frameworks/algorithms/index.js'
import { training } from '../../../src/spec/step.js'
import { param } from '../../../src/spec/val.js'
import { COMMON, OUTPUT, RECORDS, ROLE, RUN, build, expectValidRequest, messages, resolvedRequests } from './support.js'

const objective = { metricName: 'test:msd', type: 'Minimize' } as const

describe('algorithmTuning', () => {
  it('golden CreateHyperParameterTuningJob: static hyperparameters minus the tuned ones, no metric definitions needed', () => {
    const template = A.kmeans('km', { ...COMMON, k: 10, tol: 0.01, initMethod: 'random' })
    const tune = A.algorithmTuning('tune', {
      training: template,
      objective,
      ranges: {
        k: { _tag: 'Integer', min: 2, max: 20 },
        local_lloyd_tol: { _tag: 'Continuous', min: 0.0001, max: 0.1, scaling: 'Logarithmic' },
        init_method: { _tag: 'Categorical', values: ['random', 'kmeans++'] },
      },
      maxJobs: 10,
      maxParallelJobs: 2,
    })
    const [req] = resolvedRequests(tune)
    expect(req!.input).toEqual({
      HyperParameterTuningJobName: `tune-${RUN}`,
      HyperParameterTuningJobConfig: {
        Strategy: 'Bayesian',
        HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'test:msd' },
        ResourceLimits: { MaxNumberOfTrainingJobs: 10, MaxParallelTrainingJobs: 2 },
        ParameterRanges: {
          ContinuousParameterRanges: [{ Name: 'local_lloyd_tol', MinValue: '0.0001', MaxValue: '0.1', ScalingType: 'Logarithmic' }],
          IntegerParameterRanges: [{ Name: 'k', MinValue: '2', MaxValue: '20', ScalingType: 'Auto' }],
          CategoricalParameterRanges: [{ Name: 'init_method', Values: ['random', 'kmeans++'] }],
        },
        TrainingJobEarlyStoppingType: 'Off',
      },
      TrainingJobDefinition: {
        StaticHyperParameters: { feature_dim: '8', mini_batch_size: '5000', force_dense: 'True' },
        AlgorithmSpecification: { TrainingImage: '174872318107.dkr.ecr.us-west-2.amazonaws.com/kmeans:1', TrainingInputMode: 'File' },
        RoleArn: ROLE,
        InputDataConfig: [
          { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: RECORDS.uri, S3DataDistributionType: 'ShardedByS3Key' } } },
        ],
        OutputDataConfig: { S3OutputPath: OUTPUT.s3OutputPath },
        ResourceConfig: { InstanceType: 'ml.c5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      },
    })
    expectValidRequest('CreateHyperParameterTuningJob', req!.input)
  })

  it('range endpoints are checked against the hyperparameter (as the SDK\'s tuner did)', () => {
    const tune = A.algorithmTuning('tune', {
      training: build('kmeans'),
      objective,
      ranges: { k: { _tag: 'Integer', min: 1, max: 20 }, local_lloyd_tol: { _tag: 'Continuous', min: 0, max: 1.5 } },
    })
    expect(messages(tune)).toEqual([
      'steps.tune.ranges.k.min: expected an integer greater than 1, found 1',
      'steps.tune.ranges.local_lloyd_tol.max: expected a number from 0 to 1, found 1.5',
    ])
  })

  it('categorical values are checked one by one, and sent as the static value would be', () => {
    const bad = A.algorithmTuning('tune', {
      training: build('linear-learner'),
      objective: { metricName: 'validation:objective_loss', type: 'Minimize' },
      ranges: { optimizer: { _tag: 'Categorical', values: ['sgd', 'adagrad'] }, use_bias: { _tag: 'Categorical', values: [true, 'maybe'] } },
    })
    expect(messages(bad)).toEqual([
      'steps.tune.ranges.optimizer.values.1: expected one of "sgd", "adam", "rmsprop", "auto", found "adagrad"',
      'steps.tune.ranges.use_bias.values.1: expected true or false, found "maybe"',
    ])
    const good = A.algorithmTuning('tune', {
      training: build('linear-learner'),
      objective: { metricName: 'validation:objective_loss', type: 'Minimize' },
      ranges: { use_bias: { _tag: 'Categorical', values: [true, false] }, learning_rate: { _tag: 'Categorical', values: [1, 0.5] } },
    })
    expect(good.ranges).toEqual({ use_bias: { _tag: 'Categorical', values: ['True', 'False'] }, learning_rate: { _tag: 'Categorical', values: ['1.0', '0.5'] } })
    expect(messages(good)).toEqual([])
  })

  it('a range must fit the kind of hyperparameter', () => {
    const tune = A.algorithmTuning('tune', {
      training: build('kmeans'),
      objective,
      ranges: { k: { _tag: 'Continuous', min: 2, max: 3 }, init_method: { _tag: 'Integer', min: 1, max: 2 } },
    })
    expect(messages(tune)).toEqual([
      'steps.tune.ranges.k: expected an Integer or Categorical range: k is an integer greater than 1, found "Continuous"',
      'steps.tune.ranges.init_method: expected a Categorical range: init_method is one of "random", "kmeans++", found "Integer"',
    ])
  })

  it('a name the algorithm does not have is an error (the SDK ignored it; SageMaker refuses it later)', () => {
    const tune = A.algorithmTuning('tune', { training: build('pca'), objective, ranges: { num_component: { _tag: 'Integer', min: 1, max: 3 } } })
    expect(messages(tune)).toEqual([
      'steps.tune.ranges.num_component: expected a hyperparameter of PCA: num_components, algorithm_mode, subtract_mean, extra_components, feature_dim, mini_batch_size, found "num_component"',
    ])
  })

  it('RandomCutForest\'s fixed mini-batch size cannot be tuned away from 1000', () => {
    const tune = A.algorithmTuning('tune', { training: build('randomcutforest'), objective, ranges: { mini_batch_size: { _tag: 'Integer', min: 500, max: 1000 } } })
    expect(messages(tune)).toEqual(["steps.tune.ranges.mini_batch_size.min: expected an integer equal to 1000 (RandomCutForest's fixed mini-batch size), found 500"])
  })

  it('params in ranges are checked when known, at run time', () => {
    const hi = param.integer('maxK', { default: 30 })
    expect(messages(A.algorithmTuning('tune', { training: build('kmeans'), objective, ranges: { k: { _tag: 'Integer', min: 2, max: hi } } }))).toEqual([])
  })

  it('carries the template\'s own problems, under training.', () => {
    const tune = A.algorithmTuning('tune', { training: build('kmeans', { tol: 3 }), objective, ranges: { k: { _tag: 'Integer', min: 2, max: 4 } } })
    expect(messages(tune)).toEqual(['steps.tune.training.hyperParameters.local_lloyd_tol: expected a number from 0 to 1, found 3'])
  })

  it('needs an Amazon algorithm template (or the algorithm named)', () => {
    const byo = training('t', { image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1.0', role: ROLE, resources: { instanceType: 'ml.m5.large' }, output: OUTPUT })
    const tune = A.algorithmTuning('tune', { training: byo, objective, ranges: { k: { _tag: 'Integer', min: 2, max: 4 } }, metricDefinitions: [{ name: 'test:msd', regex: 'msd=(.*)' }] })
    expect(messages(tune)).toEqual([
      'steps.tune.training.image: expected the image of an Amazon algorithm (kmeans, pca, linear-learner, factorization-machines, lda, ntm, randomcutforest, knn, object2vec, ipinsights), or give algorithm, found "111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1.0"',
    ])
    const named = A.algorithmTuning('tune', { training: byo, algorithm: 'kmeans', objective, ranges: { k: { _tag: 'Integer', min: 1, max: 4 } }, metricDefinitions: [{ name: 'test:msd', regex: 'msd=(.*)' }] })
    expect(messages(named)).toEqual(['steps.tune.ranges.k.min: expected an integer greater than 1, found 1'])
  })

  it('finds the algorithm from any region\'s image', () => {
    expect(A.algorithmOfImage('438346466558.dkr.ecr.eu-west-1.amazonaws.com/linear-learner:1')).toBe('linear-learner')
    expect(A.algorithmOfImage('266724342769.dkr.ecr.us-west-2.amazonaws.com/lda:1')).toBe('lda')
    expect(A.algorithmOfImage('111122223333.dkr.ecr.us-west-2.amazonaws.com/kmeans:latest')).toBeUndefined()
  })

  it('a BYO image still needs its objective among the metric definitions (only built-in images are exempt)', () => {
    const byo = training('t', { image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/kmeans-copy:1', role: ROLE, resources: { instanceType: 'ml.m5.large' }, output: OUTPUT })
    const tune = A.algorithmTuning('tune', { training: byo, algorithm: 'kmeans', objective, ranges: { k: { _tag: 'Integer', min: 2, max: 4 } } })
    expect(messages(tune)).toEqual(['steps.tune.objective.metricName: expected a metric defined in metricDefinitions (none are defined), found "test:msd"'])
  })
})
