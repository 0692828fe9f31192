/**
 * Golden CreateTrainingJob requests for every Amazon algorithm preset: the full request, written by
 * hand from the reference SDK's behaviour (plain `str(v)` hyperparameters, Python float and bool
 * printing, JSON lists, feature_dim/mini_batch_size from the record sets), and each one checked
 * against botocore's SageMaker service model.
 */
import { describe, expect, it } from 'vitest'
import * as A from '../../../src/frameworks/algorithms/index.js'
import type { Step } from '../../../src/spec/step.js'
import { param } from '../../../src/spec/val.js'
import { COMMON, OUTPUT, RECORDS, ROLE, RUN, expectValidRequest, resolvedRequests, serviceModelSkip, violations } from './support.js'

const US_WEST_2 = '174872318107.dkr.ecr.us-west-2.amazonaws.com'

/** What every golden request shares: the job name, role, output, resources and stopping condition. */
const request = (image: string, hyperParameters: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  TrainingJobName: `t-${RUN}`,
  AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' },
  RoleArn: ROLE,
  InputDataConfig: [
    {
      ChannelName: 'train',
      DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: RECORDS.uri, S3DataDistributionType: 'ShardedByS3Key' } },
    },
  ],
  OutputDataConfig: { S3OutputPath: OUTPUT.s3OutputPath },
  ResourceConfig: { InstanceType: 'ml.c5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
  StoppingCondition: { MaxRuntimeInSeconds: 86400 },
  HyperParameters: hyperParameters,
  ...extra,
})

const only = (step: Step) => {
  const rs = resolvedRequests(step)
  expect(rs.map((r) => r._tag)).toEqual(['CreateTrainingJob'])
  expectValidRequest('CreateTrainingJob', rs[0]!.input)
  return rs[0]!.input
}

describe('Amazon algorithm presets: golden CreateTrainingJob requests', () => {
  if (serviceModelSkip !== undefined) it.skip(`service-model checks: ${serviceModelSkip}`, () => {})

  it('KMeans: wire names, force_dense, default mini-batch 5000, a JSON list, a Python float', () => {
    const step = A.kmeans('t', { ...COMMON, k: 10, initMethod: 'kmeans++', maxIterations: 50, tol: 1e-6, numTrials: 3, localInitMethod: 'random', halfLifeTimeSize: 0, epochs: 2, centerFactor: 4, evalMetrics: ['msd', 'ssd'] })
    expect(only(step)).toEqual(
      request(`${US_WEST_2}/kmeans:1`, {
        k: '10',
        init_method: 'kmeans++',
        local_lloyd_max_iter: '50',
        local_lloyd_tol: '1e-06',
        local_lloyd_num_trials: '3',
        local_lloyd_init_method: 'random',
        half_life_time_size: '0',
        epochs: '2',
        extra_center_factor: '4',
        eval_metrics: '["msd", "ssd"]',
        feature_dim: '8',
        mini_batch_size: '5000',
        force_dense: 'True',
      }),
    )
  })

  it('PCA: booleans as Python prints them, mini-batch min(500, 1000 // 1)', () => {
    const step = A.pca('t', { ...COMMON, numComponents: 3, algorithmMode: 'randomized', subtractMean: true, extraComponents: -1 })
    expect(only(step)).toEqual(
      request(`${US_WEST_2}/pca:1`, {
        num_components: '3',
        algorithm_mode: 'randomized',
        subtract_mean: 'True',
        extra_components: '-1',
        feature_dim: '8',
        mini_batch_size: '500',
      }),
    )
  })

  it('LinearLearner: positive_example_weight_mult is sent as str(value), so a whole number stays "2" (no .0)', () => {
    // The reference SDK declares it data_type=str (it also takes "auto" and "balanced"): str(2) is "2".
    const hp = (v: number) =>
      ((only(A.linearLearner('t', { ...COMMON, predictorType: 'binary_classifier', positiveExampleWeightMult: v })) as { HyperParameters: Record<string, string> }).HyperParameters)
        .positive_example_weight_mult
    expect(hp(2)).toBe('2')
    expect(hp(0.5)).toBe('0.5')
  })

  it('LinearLearner: floats gain .0, "auto" passes as a string, mini-batch min(1000, 1000 // 4) = 250', () => {
    const step = A.linearLearner('t', {
      ...COMMON,
      instanceCount: 4,
      predictorType: 'multiclass_classifier',
      numClasses: 3,
      positiveExampleWeightMult: 'auto',
      learningRate: 1,
      momentum: 0.9,
      useBias: false,
      lrSchedulerFactor: 0.99,
      l1: 0,
    })
    expect(only(step)).toEqual(
      request(
        `${US_WEST_2}/linear-learner:1`,
        {
          predictor_type: 'multiclass_classifier',
          positive_example_weight_mult: 'auto',
          use_bias: 'False',
          l1: '0.0',
          momentum: '0.9',
          learning_rate: '1.0',
          lr_scheduler_factor: '0.99',
          num_classes: '3',
          feature_dim: '8',
          mini_batch_size: '250',
        },
        { ResourceConfig: { InstanceType: 'ml.c5.xlarge', InstanceCount: 4, VolumeSizeInGB: 30 } },
      ),
    )
  })

  it('FactorizationMachines: no mini-batch size unless given', () => {
    const step = A.factorizationMachines('t', { ...COMMON, numFactors: 64, predictorType: 'binary_classifier', epochs: 5, biasInitMethod: 'constant', biasInitValue: 0, factorsWd: 0.00001 })
    expect(only(step)).toEqual(
      request(`${US_WEST_2}/factorization-machines:1`, {
        num_factors: '64',
        predictor_type: 'binary_classifier',
        epochs: '5',
        factors_wd: '1e-05',
        bias_init_method: 'constant',
        bias_init_value: '0.0',
        feature_dim: '8',
      }),
    )
  })

  it('LDA: its own registry account, one instance, the required mini-batch size', () => {
    const step = A.lda('t', { ...COMMON, numTopics: 5, alpha0: 0.5, maxRestarts: 2, maxIterations: 100, tol: 0.001, miniBatchSize: 128 })
    expect(only(step)).toEqual(
      request('266724342769.dkr.ecr.us-west-2.amazonaws.com/lda:1', {
        num_topics: '5',
        alpha0: '0.5',
        max_restarts: '2',
        max_iterations: '100',
        tol: '0.001',
        feature_dim: '8',
        mini_batch_size: '128',
      }),
    )
  })

  it('NTM: a list of integers, JSON-encoded', () => {
    const step = A.ntm('t', { ...COMMON, numTopics: 20, encoderLayers: [100, 50], encoderLayersActivation: 'relu', batchNorm: false, clipGradient: 10, miniBatchSize: 64 })
    expect(only(step)).toEqual(
      request(`${US_WEST_2}/ntm:1`, {
        num_topics: '20',
        encoder_layers: '[100, 50]',
        encoder_layers_activation: 'relu',
        batch_norm: 'False',
        clip_gradient: '10.0',
        feature_dim: '8',
        mini_batch_size: '64',
      }),
    )
  })

  it('RandomCutForest: the fixed mini-batch size 1000', () => {
    const step = A.randomCutForest('t', { ...COMMON, numSamplesPerTree: 256, numTrees: 50, evalMetrics: ['accuracy', 'precision_recall_fscore'] })
    expect(only(step)).toEqual(
      request(`${US_WEST_2}/randomcutforest:1`, {
        num_samples_per_tree: '256',
        num_trees: '50',
        eval_metrics: '["accuracy", "precision_recall_fscore"]',
        feature_dim: '8',
        mini_batch_size: '1000',
      }),
    )
  })

  it('KNN: dimension reduction with its target, nlists given as a number', () => {
    const step = A.knn('t', {
      ...COMMON,
      k: 5,
      sampleSize: 500,
      predictorType: 'regressor',
      dimensionReductionType: 'fjlt',
      dimensionReductionTarget: 4,
      indexType: 'faiss.IVFFlat',
      indexMetric: 'L2',
      faissIndexIvfNlists: 16,
    })
    expect(only(step)).toEqual(
      request(`${US_WEST_2}/knn:1`, {
        k: '5',
        sample_size: '500',
        predictor_type: 'regressor',
        dimension_reduction_type: 'fjlt',
        dimension_reduction_target: '4',
        index_type: 'faiss.IVFFlat',
        index_metric: 'L2',
        faiss_index_ivf_nlists: '16',
        feature_dim: '8',
      }),
    )
  })

  it('Object2Vec: JSON-lines data under S3Prefix, default mini-batch 32, no feature_dim when the data has none', () => {
    const records: A.RecordInput = { uri: 's3://example-bucket/o2v/train/', s3DataType: 'S3Prefix', distribution: 'FullyReplicated', contentType: 'application/jsonlines' }
    const step = A.object2vec('t', { ...COMMON, records, epochs: 10, enc0MaxSeqLen: 50, enc0VocabSize: 30000, enc0Network: 'bilstm', enc1Network: 'enc0', dropout: 0.2, enc0FreezePretrainedEmbedding: true })
    expect(only(step)).toEqual(
      request(
        `${US_WEST_2}/object2vec:1`,
        {
          epochs: '10',
          enc0_max_seq_len: '50',
          enc0_vocab_size: '30000',
          dropout: '0.2',
          enc0_network: 'bilstm',
          enc1_network: 'enc0',
          enc0_freeze_pretrained_embedding: 'True',
          mini_batch_size: '32',
        },
        {
          InputDataConfig: [
            {
              ChannelName: 'train',
              DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://example-bucket/o2v/train/', S3DataDistributionType: 'FullyReplicated' } },
              ContentType: 'application/jsonlines',
            },
          ],
        },
      ),
    )
  })

  it('IPInsights: CSV data, a symbolic epoch count kept for the run to fill in', () => {
    const records: A.RecordInput = { uri: 's3://example-bucket/ip/train/', s3DataType: 'S3Prefix', contentType: 'text/csv' }
    const epochs = param.integer('epochs', { default: 3 })
    const step = A.ipInsights('t', { ...COMMON, records, numEntityVectors: 20000, vectorDim: 128, epochs, learningRate: 0.01, randomNegativeSamplingRate: 0, miniBatchSize: 1000 })
    expect(only(step)).toEqual(
      request(
        `${US_WEST_2}/ipinsights:1`,
        {
          num_entity_vectors: '20000',
          vector_dim: '128',
          epochs: '3', // the param's run-time value, printed by the plan's plain encoding
          learning_rate: '0.01',
          random_negative_sampling_rate: '0',
          mini_batch_size: '1000',
        },
        {
          InputDataConfig: [
            {
              ChannelName: 'train',
              DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://example-bucket/ip/train/', S3DataDistributionType: 'ShardedByS3Key' } },
              ContentType: 'text/csv',
            },
          ],
        },
      ),
    )
  })

  it('a test channel and passed-through job fields (tags, stopping, VPC, Pipe mode)', () => {
    const test: A.RecordInput = { uri: 's3://example-bucket/data/test/.amazon.manifest', s3DataType: 'ManifestFile', featureDim: 8, numRecords: 100, channel: 'test' }
    const step = A.kmeans('t', {
      ...COMMON,
      records: [RECORDS, test],
      k: 3,
      inputMode: 'Pipe',
      stopping: { maxRuntimeInSeconds: 3600 },
      tags: { project: 'clusters' },
      vpc: { subnets: ['subnet-0123abcd'], securityGroupIds: ['sg-0123abcd'] },
      volumeSizeInGb: 50,
    })
    expect(only(step)).toEqual({
      TrainingJobName: `t-${RUN}`,
      AlgorithmSpecification: { TrainingImage: `${US_WEST_2}/kmeans:1`, TrainingInputMode: 'Pipe' },
      RoleArn: ROLE,
      InputDataConfig: [
        { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: RECORDS.uri, S3DataDistributionType: 'ShardedByS3Key' } } },
        { ChannelName: 'test', DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: test.uri, S3DataDistributionType: 'ShardedByS3Key' } } },
      ],
      OutputDataConfig: { S3OutputPath: OUTPUT.s3OutputPath },
      ResourceConfig: { InstanceType: 'ml.c5.xlarge', InstanceCount: 1, VolumeSizeInGB: 50 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      VpcConfig: { SecurityGroupIds: ['sg-0123abcd'], Subnets: ['subnet-0123abcd'] },
      HyperParameters: { k: '3', feature_dim: '8', mini_batch_size: '5000', force_dense: 'True' },
      Tags: [{ Key: 'project', Value: 'clusters' }],
    })
  })

  it.skipIf(serviceModelSkip !== undefined)('the service-model check is not vacuous: a broken request fails it', () => {
    const good = only(A.kmeans('t', { ...COMMON, k: 2 })) as Record<string, unknown>
    expect(violations('CreateTrainingJob', { ...good, TrainingJobName: 'bad_name!', HyperParameters: { k: 2 } })).toEqual(['TrainingJobName [pattern]', 'HyperParameters.k [type]'])
    expect(violations('CreateModelPackage', { ModelPackageName: 'pkg', SourceAlgorithmSpecification: { SourceAlgorithms: [{ ModelDataUrl: 's3://b/m' }] } })).toEqual([
      'SourceAlgorithmSpecification.SourceAlgorithms.0.AlgorithmName [required]',
    ])
  })

  it('every preset declares plain encoding (the strings are already what SageMaker gets)', () => {
    const step = A.pca('t', { ...COMMON, numComponents: 2 })
    expect(step.hyperParameterEncoding).toBe('plain')
    expect(step.presetErrors).toBeUndefined()
  })
})
