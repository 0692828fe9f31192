/**
 * Every hyperparameter rule of every Amazon algorithm, with a value just inside and just outside.
 *
 * Two views that must agree:
 * 1. `SPEC`: a hand-written table copied from the reference notes (§1.7 of sagemaker-python-sdk.md),
 *    with the exact `validate` message each outside value gets. It is written independently of
 *    `tables.ts`, so a wrong bound, wire name or interval end there fails here.
 * 2. Generated cases: for every descriptor in `tables.ts`, values at each bound (±1 for integers,
 *    ±ε for numbers, open vs closed), every enum value, and a value of the wrong kind.
 * A coverage test checks that the hand-written table names every rule the tables hold, and no other.
 */
import { describe, expect, it } from 'vitest'
import * as A from '../../../src/frameworks/algorithms/index.js'
import type { Descriptor, NumberDescriptor } from '../../../src/frameworks/algorithms/descriptors.js'
import { BASE, RECORDS, build, messages } from './support.js'

type Row = readonly [algorithm: A.AmazonAlgorithm, option: string, wire: string, inside: ReadonlyArray<unknown>, outside: ReadonlyArray<unknown>, expected: string]

const gt0 = 'an integer greater than 0'
const ge0 = 'a number of at least 0'
const pos = 'a number greater than 0'
const unit01 = 'a number greater than 0 and less than 1'
const unit01h = 'a number of at least 0 and less than 1'
const NUM = 'a number'
const BOOL = 'true or false'

/** §1.7, row by row. `inside` values pass; each `outside` value gets `expected`. */
const SPEC: ReadonlyArray<Row> = [
  // KMeans
  ['kmeans', 'k', 'k', [2], [1, 2.5], 'an integer greater than 1'],
  ['kmeans', 'initMethod', 'init_method', ['random', 'kmeans++'], ['kmeans'], 'one of "random", "kmeans++"'],
  ['kmeans', 'maxIterations', 'local_lloyd_max_iter', [1], [0], gt0],
  ['kmeans', 'tol', 'local_lloyd_tol', [0, 1], [-0.001, 1.001], 'a number from 0 to 1'],
  ['kmeans', 'numTrials', 'local_lloyd_num_trials', [1], [0], gt0],
  ['kmeans', 'localInitMethod', 'local_lloyd_init_method', ['random', 'kmeans++'], ['k-means++'], 'one of "random", "kmeans++"'],
  ['kmeans', 'halfLifeTimeSize', 'half_life_time_size', [0], [-1], 'an integer of at least 0'],
  ['kmeans', 'epochs', 'epochs', [1], [0], gt0],
  ['kmeans', 'centerFactor', 'extra_center_factor', [1], [0], gt0],
  ['kmeans', 'evalMetrics', 'eval_metrics', [['msd'], ['msd', 'ssd']], [['mse'], []], 'a non-empty list, each item one of "msd", "ssd"'],
  // PCA
  ['pca', 'numComponents', 'num_components', [1], [0], gt0],
  ['pca', 'algorithmMode', 'algorithm_mode', ['regular', 'randomized'], ['stable'], 'one of "regular", "randomized"'],
  ['pca', 'subtractMean', 'subtract_mean', [true, false], ['yes'], BOOL],
  ['pca', 'extraComponents', 'extra_components', [-1, 0], [-2], 'an integer of at least 0, or -1'],
  // LinearLearner
  ['linear-learner', 'predictorType', 'predictor_type', ['binary_classifier', 'regressor', 'multiclass_classifier'], ['classifier'], 'one of "binary_classifier", "regressor", "multiclass_classifier"'],
  [
    'linear-learner',
    'binaryClassifierModelSelectionCriteria',
    'binary_classifier_model_selection_criteria',
    ['accuracy', 'f1', 'f_beta', 'precision_at_target_recall', 'recall_at_target_precision', 'cross_entropy_loss', 'loss_function'],
    ['auc'],
    'one of "accuracy", "f1", "f_beta", "precision_at_target_recall", "recall_at_target_precision", "cross_entropy_loss", "loss_function"',
  ],
  ['linear-learner', 'targetRecall', 'target_recall', [0.001, 0.999], [0, 1], unit01],
  ['linear-learner', 'targetPrecision', 'target_precision', [0.001, 0.999], [0, 1], unit01],
  ['linear-learner', 'positiveExampleWeightMult', 'positive_example_weight_mult', [0.001, 'auto', 'balanced'], [0, 'none'], 'a number greater than 0, or "auto" or "balanced"'],
  ['linear-learner', 'epochs', 'epochs', [1], [0], gt0],
  ['linear-learner', 'useBias', 'use_bias', [true, false], [1], BOOL],
  ['linear-learner', 'numModels', 'num_models', [1], [0], gt0],
  ['linear-learner', 'numCalibrationSamples', 'num_calibration_samples', [1], [0], gt0],
  ['linear-learner', 'initMethod', 'init_method', ['uniform', 'normal'], ['xavier'], 'one of "uniform", "normal"'],
  ['linear-learner', 'initScale', 'init_scale', [0.001], [0], pos],
  ['linear-learner', 'initSigma', 'init_sigma', [0.001], [0], pos],
  ['linear-learner', 'initBias', 'init_bias', [-5, 0, 5], [Infinity, '0.5'], NUM],
  ['linear-learner', 'optimizer', 'optimizer', ['sgd', 'adam', 'rmsprop', 'auto'], ['adagrad'], 'one of "sgd", "adam", "rmsprop", "auto"'],
  [
    'linear-learner',
    'loss',
    'loss',
    ['logistic', 'squared_loss', 'absolute_loss', 'hinge_loss', 'eps_insensitive_squared_loss', 'eps_insensitive_absolute_loss', 'quantile_loss', 'huber_loss', 'softmax_loss', 'auto'],
    ['cross_entropy'],
    'one of "logistic", "squared_loss", "absolute_loss", "hinge_loss", "eps_insensitive_squared_loss", "eps_insensitive_absolute_loss", "quantile_loss", "huber_loss", "softmax_loss", "auto"',
  ],
  ['linear-learner', 'wd', 'wd', [0], [-0.001], ge0],
  ['linear-learner', 'l1', 'l1', [0], [-0.001], ge0],
  ['linear-learner', 'momentum', 'momentum', [0, 0.999], [-0.001, 1], unit01h],
  ['linear-learner', 'learningRate', 'learning_rate', [0.001], [0], pos],
  ['linear-learner', 'beta1', 'beta_1', [0, 0.999], [-0.001, 1], unit01h],
  ['linear-learner', 'beta2', 'beta_2', [0, 0.999], [-0.001, 1], unit01h],
  ['linear-learner', 'biasLrMult', 'bias_lr_mult', [0.001], [0], pos],
  ['linear-learner', 'biasWdMult', 'bias_wd_mult', [0], [-0.001], ge0],
  ['linear-learner', 'useLrScheduler', 'use_lr_scheduler', [true], ['true'], BOOL],
  ['linear-learner', 'lrSchedulerStep', 'lr_scheduler_step', [1], [0], gt0],
  ['linear-learner', 'lrSchedulerFactor', 'lr_scheduler_factor', [0.001, 0.999], [0, 1], unit01],
  ['linear-learner', 'lrSchedulerMinimumLr', 'lr_scheduler_minimum_lr', [0.001], [0], pos],
  ['linear-learner', 'normalizeData', 'normalize_data', [false], [0], BOOL],
  ['linear-learner', 'normalizeLabel', 'normalize_label', [false], [0], BOOL],
  ['linear-learner', 'unbiasData', 'unbias_data', [false], [0], BOOL],
  ['linear-learner', 'unbiasLabel', 'unbias_label', [false], [0], BOOL],
  ['linear-learner', 'numPointForScaler', 'num_point_for_scaler', [1], [0], gt0],
  ['linear-learner', 'margin', 'margin', [0], [-0.001], ge0],
  ['linear-learner', 'quantile', 'quantile', [0.001, 0.999], [0, 1], unit01],
  ['linear-learner', 'lossInsensitivity', 'loss_insensitivity', [0.001], [0], pos],
  ['linear-learner', 'huberDelta', 'huber_delta', [0], [-0.001], ge0],
  ['linear-learner', 'earlyStoppingPatience', 'early_stopping_patience', [1], [0], gt0],
  ['linear-learner', 'earlyStoppingTolerance', 'early_stopping_tolerance', [0.001], [0], pos],
  ['linear-learner', 'numClasses', 'num_classes', [3, 1000000], [0, 1000001], 'an integer from 1 to 1000000'],
  ['linear-learner', 'accuracyTopK', 'accuracy_top_k', [1, 1000000], [0, 1000001], 'an integer from 1 to 1000000'],
  ['linear-learner', 'fBeta', 'f_beta', [0.001], [0], pos],
  ['linear-learner', 'balanceMulticlassWeights', 'balance_multiclass_weights', [true], [null], BOOL],
  // FactorizationMachines
  ['factorization-machines', 'numFactors', 'num_factors', [1], [0], gt0],
  ['factorization-machines', 'predictorType', 'predictor_type', ['binary_classifier', 'regressor'], ['multiclass_classifier'], 'one of "binary_classifier", "regressor"'],
  ['factorization-machines', 'epochs', 'epochs', [1], [0], gt0],
  ['factorization-machines', 'clipGradient', 'clip_gradient', [-1, 1], [NaN], NUM],
  ['factorization-machines', 'eps', 'eps', [1e-8], ['1e-8'], NUM],
  ['factorization-machines', 'rescaleGrad', 'rescale_grad', [1], [-Infinity], NUM],
  ...(['bias', 'linear', 'factors'] as const).flatMap((p): Row[] => [
    ['factorization-machines', `${p}Lr`, `${p}_lr`, [0], [-0.001], ge0],
    ['factorization-machines', `${p}Wd`, `${p}_wd`, [0], [-0.001], ge0],
    ['factorization-machines', `${p}InitMethod`, `${p}_init_method`, ['normal', 'uniform', 'constant'], ['xavier'], 'one of "normal", "uniform", "constant"'],
    ['factorization-machines', `${p}InitScale`, `${p}_init_scale`, [0], [-0.001], ge0],
    ['factorization-machines', `${p}InitSigma`, `${p}_init_sigma`, [0], [-0.001], ge0],
    ['factorization-machines', `${p}InitValue`, `${p}_init_value`, [-1, 0.5], [NaN], NUM],
  ]),
  // LDA
  ['lda', 'numTopics', 'num_topics', [1], [0], gt0],
  ['lda', 'alpha0', 'alpha0', [0.001], [0], pos],
  ['lda', 'maxRestarts', 'max_restarts', [1], [0], gt0],
  ['lda', 'maxIterations', 'max_iterations', [1], [0], gt0],
  ['lda', 'tol', 'tol', [0.001], [0], pos],
  ['lda', 'miniBatchSize', 'mini_batch_size', [1], [0], gt0],
  // NTM
  ['ntm', 'numTopics', 'num_topics', [2, 1000], [1, 1001], 'an integer from 2 to 1000'],
  ['ntm', 'encoderLayers', 'encoder_layers', [[1], [100, 50]], [[0], [50, 2.5], []], 'a non-empty list, each item an integer greater than 0'],
  ['ntm', 'epochs', 'epochs', [1, 100], [0, 101], 'an integer from 1 to 100'],
  ['ntm', 'encoderLayersActivation', 'encoder_layers_activation', ['sigmoid', 'tanh', 'relu'], ['softmax'], 'one of "sigmoid", "tanh", "relu"'],
  ['ntm', 'optimizer', 'optimizer', ['adagrad', 'adam', 'rmsprop', 'sgd', 'adadelta'], ['auto'], 'one of "adagrad", "adam", "rmsprop", "sgd", "adadelta"'],
  ['ntm', 'tolerance', 'tolerance', [1e-6, 0.1], [9.99e-7, 0.1001], 'a number from 0.000001 to 0.1'],
  ['ntm', 'numPatienceEpochs', 'num_patience_epochs', [1, 10], [0, 11], 'an integer from 1 to 10'],
  ['ntm', 'batchNorm', 'batch_norm', [true, false], ['False'], BOOL],
  ['ntm', 'rescaleGradient', 'rescale_gradient', [1e-3, 1], [9.99e-4, 1.001], 'a number from 0.001 to 1'],
  ['ntm', 'clipGradient', 'clip_gradient', [1e-3], [9.99e-4], 'a number of at least 0.001'],
  ['ntm', 'weightDecay', 'weight_decay', [0, 1], [-0.001, 1.001], 'a number from 0 to 1'],
  ['ntm', 'learningRate', 'learning_rate', [1e-6, 1], [9.99e-7, 1.001], 'a number from 0.000001 to 1'],
  ['ntm', 'miniBatchSize', 'mini_batch_size', [1, 10000], [0, 10001], 'an integer from 1 to 10000'],
  // RandomCutForest
  ['randomcutforest', 'numSamplesPerTree', 'num_samples_per_tree', [1, 2048], [0, 2049], 'an integer from 1 to 2048'],
  ['randomcutforest', 'numTrees', 'num_trees', [50, 1000], [49, 1001], 'an integer from 50 to 1000'],
  ['randomcutforest', 'evalMetrics', 'eval_metrics', [['accuracy'], ['accuracy', 'precision_recall_fscore']], [['f1']], 'a non-empty list, each item one of "accuracy", "precision_recall_fscore"'],
  ['randomcutforest', 'miniBatchSize', 'mini_batch_size', [1000], [999, 1001], "an integer equal to 1000 (RandomCutForest's fixed mini-batch size)"],
  // KNN
  ['knn', 'k', 'k', [1], [0], 'an integer of at least 1'],
  ['knn', 'sampleSize', 'sample_size', [1], [0], 'an integer of at least 1'],
  ['knn', 'predictorType', 'predictor_type', ['classifier', 'regressor'], ['binary_classifier'], 'one of "classifier", "regressor"'],
  ['knn', 'dimensionReductionType', 'dimension_reduction_type', ['sign', 'fjlt'], ['pca'], 'one of "sign", "fjlt"'],
  ['knn', 'dimensionReductionTarget', 'dimension_reduction_target', [1], [0], 'an integer of at least 1'],
  ['knn', 'indexType', 'index_type', ['faiss.Flat', 'faiss.IVFFlat', 'faiss.IVFPQ'], ['faiss.HNSW'], 'one of "faiss.Flat", "faiss.IVFFlat", "faiss.IVFPQ"'],
  ['knn', 'indexMetric', 'index_metric', ['COSINE', 'INNER_PRODUCT', 'L2'], ['l2'], 'one of "COSINE", "INNER_PRODUCT", "L2"'],
  ['knn', 'faissIndexIvfNlists', 'faiss_index_ivf_nlists', ['auto', 1], [0, 'many'], 'an integer of at least 1, or "auto"'],
  ['knn', 'faissIndexPqM', 'faiss_index_pq_m', [1], [0], 'an integer of at least 1'],
  // Object2Vec
  ['object2vec', 'epochs', 'epochs', [1, 100], [0, 101], 'an integer from 1 to 100'],
  ['object2vec', 'enc0MaxSeqLen', 'enc0_max_seq_len', [1, 5000], [0, 5001], 'an integer from 1 to 5000'],
  ['object2vec', 'enc0VocabSize', 'enc0_vocab_size', [2, 3000000], [1, 3000001], 'an integer from 2 to 3000000'],
  ['object2vec', 'encDim', 'enc_dim', [4, 10000], [3, 10001], 'an integer from 4 to 10000'],
  ['object2vec', 'miniBatchSize', 'mini_batch_size', [1, 10000], [0, 10001], 'an integer from 1 to 10000'],
  ['object2vec', 'earlyStoppingPatience', 'early_stopping_patience', [1, 5], [0, 6], 'an integer from 1 to 5'],
  ['object2vec', 'earlyStoppingTolerance', 'early_stopping_tolerance', [1e-6, 0.1], [9.99e-7, 0.1001], 'a number from 0.000001 to 0.1'],
  ['object2vec', 'dropout', 'dropout', [0, 1], [-0.001, 1.001], 'a number from 0 to 1'],
  ['object2vec', 'weightDecay', 'weight_decay', [0, 10000], [-0.001, 10000.001], 'a number from 0 to 10000'],
  ['object2vec', 'bucketWidth', 'bucket_width', [0, 100], [-1, 101], 'an integer from 0 to 100'],
  ['object2vec', 'numClasses', 'num_classes', [2, 30], [1, 31], 'an integer from 2 to 30'],
  ['object2vec', 'mlpLayers', 'mlp_layers', [1, 10], [0, 11], 'an integer from 1 to 10'],
  ['object2vec', 'mlpDim', 'mlp_dim', [2, 10000], [1, 10001], 'an integer from 2 to 10000'],
  ['object2vec', 'mlpActivation', 'mlp_activation', ['tanh', 'relu', 'linear'], ['sigmoid'], 'one of "tanh", "relu", "linear"'],
  ['object2vec', 'outputLayer', 'output_layer', ['softmax', 'mean_squared_error'], ['sigmoid'], 'one of "softmax", "mean_squared_error"'],
  ['object2vec', 'optimizer', 'optimizer', ['adagrad', 'adam', 'rmsprop', 'sgd', 'adadelta'], ['auto'], 'one of "adagrad", "adam", "rmsprop", "sgd", "adadelta"'],
  ['object2vec', 'learningRate', 'learning_rate', [1e-6, 1], [9.99e-7, 1.001], 'a number from 0.000001 to 1'],
  ['object2vec', 'enc0Network', 'enc0_network', ['hcnn', 'bilstm', 'pooled_embedding'], ['enc0'], 'one of "hcnn", "bilstm", "pooled_embedding"'],
  ['object2vec', 'enc1Network', 'enc1_network', ['hcnn', 'bilstm', 'pooled_embedding', 'enc0'], ['enc1'], 'one of "hcnn", "bilstm", "pooled_embedding", "enc0"'],
  ['object2vec', 'enc0CnnFilterWidth', 'enc0_cnn_filter_width', [1, 9], [0, 10], 'an integer from 1 to 9'],
  ['object2vec', 'enc1CnnFilterWidth', 'enc1_cnn_filter_width', [1, 9], [0, 10], 'an integer from 1 to 9'],
  ['object2vec', 'enc1MaxSeqLen', 'enc1_max_seq_len', [1, 5000], [0, 5001], 'an integer from 1 to 5000'],
  ['object2vec', 'enc0TokenEmbeddingDim', 'enc0_token_embedding_dim', [2, 1000], [1, 1001], 'an integer from 2 to 1000'],
  ['object2vec', 'enc1TokenEmbeddingDim', 'enc1_token_embedding_dim', [2, 1000], [1, 1001], 'an integer from 2 to 1000'],
  ['object2vec', 'enc1VocabSize', 'enc1_vocab_size', [2, 3000000], [1, 3000001], 'an integer from 2 to 3000000'],
  ['object2vec', 'enc0Layers', 'enc0_layers', [1, 4], [0, 5], 'an integer from 1 to 4'],
  ['object2vec', 'enc1Layers', 'enc1_layers', [1, 4], [0, 5], 'an integer from 1 to 4'],
  ['object2vec', 'enc0FreezePretrainedEmbedding', 'enc0_freeze_pretrained_embedding', [true], ['no'], BOOL],
  ['object2vec', 'enc1FreezePretrainedEmbedding', 'enc1_freeze_pretrained_embedding', [false], ['no'], BOOL],
  // IPInsights
  ['ipinsights', 'numEntityVectors', 'num_entity_vectors', [1, 250000000], [0, 250000001], 'an integer from 1 to 250000000'],
  ['ipinsights', 'vectorDim', 'vector_dim', [4, 4096], [3, 4097], 'an integer from 4 to 4096'],
  ['ipinsights', 'batchMetricsPublishInterval', 'batch_metrics_publish_interval', [1], [0], 'an integer of at least 1'],
  ['ipinsights', 'epochs', 'epochs', [1], [0], 'an integer of at least 1'],
  ['ipinsights', 'learningRate', 'learning_rate', [1e-6, 10], [9.99e-7, 10.001], 'a number from 0.000001 to 10'],
  ['ipinsights', 'numIpEncoderLayers', 'num_ip_encoder_layers', [0, 100], [-1, 101], 'an integer from 0 to 100'],
  ['ipinsights', 'randomNegativeSamplingRate', 'random_negative_sampling_rate', [0, 500], [-1, 501], 'an integer from 0 to 500'],
  ['ipinsights', 'shuffledNegativeSamplingRate', 'shuffled_negative_sampling_rate', [0, 500], [-1, 501], 'an integer from 0 to 500'],
  ['ipinsights', 'weightDecay', 'weight_decay', [0, 10], [-0.001, 10.001], 'a number from 0 to 10'],
  ['ipinsights', 'miniBatchSize', 'mini_batch_size', [1, 500000], [0, 500001], 'an integer from 1 to 500000'],
]

/** feature_dim comes from the train record set: RandomCutForest bounds it to [1, 10000], the others to > 0. */
const FEATURE_DIM: ReadonlyArray<readonly [A.AmazonAlgorithm, ReadonlyArray<number>, ReadonlyArray<number>, string]> = [
  ...(['kmeans', 'pca', 'linear-learner', 'factorization-machines', 'lda', 'ntm', 'knn'] as const).map(
    (a) => [a, [1], [0, 1.5], 'an integer greater than 0 (from the train record set)'] as const,
  ),
  ['randomcutforest', [1, 10000], [0, 10001], 'an integer from 1 to 10000 (from the train record set)'],
  ['object2vec', [1], [0], 'an integer greater than 0'],
  ['ipinsights', [1], [0], 'an integer greater than 0'],
]

/** mini_batch_size of the algorithms whose own table does not bound it beyond "an integer > 0". */
const MINI_BATCH_GT0: ReadonlyArray<A.AmazonAlgorithm> = ['kmeans', 'pca', 'linear-learner', 'factorization-machines', 'knn']

const found = (v: unknown): string => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)))

describe('Amazon algorithm hyperparameters: the rules of §1.7', () => {
  describe.each(SPEC)('%s %s (%s)', (alg, option, wire, inside, outside, expected) => {
    it.each(inside.map((v) => [found(v), v]))('accepts %s', (_, v) => {
      expect(messages(build(alg, { [option]: v }))).toEqual([])
    })
    it.each(outside.map((v) => [found(v), v]))('rejects %s', (_, v) => {
      expect(messages(build(alg, { [option]: v }))).toEqual([`steps.t.hyperParameters.${wire}: expected ${expected}, found ${found(v)}`])
    })
  })

  describe.each(FEATURE_DIM)('%s feature_dim', (alg, inside, outside, expected) => {
    it.each(inside)('accepts %s from the record set', (v) => {
      expect(messages(build(alg, { records: { ...RECORDS, featureDim: v } }))).toEqual([])
    })
    it.each(outside)('rejects %s from the record set', (v) => {
      expect(messages(build(alg, { records: { ...RECORDS, featureDim: v } }))).toEqual([`steps.t.hyperParameters.feature_dim: expected ${expected}, found ${v}`])
    })
  })

  describe.each(MINI_BATCH_GT0)('%s mini_batch_size', (alg) => {
    it('accepts 1', () => expect(messages(build(alg, { miniBatchSize: 1 }))).toEqual([]))
    it('rejects 0', () => expect(messages(build(alg, { miniBatchSize: 0 }))).toEqual(['steps.t.hyperParameters.mini_batch_size: expected an integer greater than 0, found 0']))
  })

  it('names every rule of the tables, and no other', () => {
    const fromTables = A.AMAZON_ALGORITHMS.flatMap((a) => Object.entries(A.ALGORITHM_SPECS[a].hyperParameters).map(([o, d]) => `${a} ${o} ${(d as Descriptor).wire}`))
    const fromSpec = SPEC.filter(([, o]) => o !== 'miniBatchSize').map(([a, o, w]) => `${a} ${o} ${w}`)
    expect([...fromSpec].sort()).toEqual([...fromTables].sort())
  })

  it('required arguments: missing ones are reported with the rule they must meet', () => {
    const required: ReadonlyArray<readonly [A.AmazonAlgorithm, string, string, string]> = [
      ['kmeans', 'k', 'k', 'an integer greater than 1'],
      ['pca', 'numComponents', 'num_components', gt0],
      ['linear-learner', 'predictorType', 'predictor_type', 'one of "binary_classifier", "regressor", "multiclass_classifier"'],
      ['factorization-machines', 'numFactors', 'num_factors', gt0],
      ['factorization-machines', 'predictorType', 'predictor_type', 'one of "binary_classifier", "regressor"'],
      ['lda', 'numTopics', 'num_topics', gt0],
      ['ntm', 'numTopics', 'num_topics', 'an integer from 2 to 1000'],
      ['knn', 'k', 'k', 'an integer of at least 1'],
      ['knn', 'sampleSize', 'sample_size', 'an integer of at least 1'],
      ['knn', 'predictorType', 'predictor_type', 'one of "classifier", "regressor"'],
      ['object2vec', 'epochs', 'epochs', 'an integer from 1 to 100'],
      ['object2vec', 'enc0MaxSeqLen', 'enc0_max_seq_len', 'an integer from 1 to 5000'],
      ['object2vec', 'enc0VocabSize', 'enc0_vocab_size', 'an integer from 2 to 3000000'],
      ['ipinsights', 'numEntityVectors', 'num_entity_vectors', 'an integer from 1 to 250000000'],
      ['ipinsights', 'vectorDim', 'vector_dim', 'an integer from 4 to 4096'],
    ]
    for (const [alg, option, wire, expected] of required)
      expect(messages(build(alg, { [option]: undefined }))).toEqual([`steps.t.hyperParameters.${wire}: expected ${expected} (required), found nothing`])
    const requiredInTables = A.AMAZON_ALGORITHMS.flatMap((a) =>
      Object.entries(A.ALGORITHM_SPECS[a].hyperParameters)
        .filter(([, d]) => (d as Descriptor).required === true)
        .map(([o]) => `${a} ${o}`),
    )
    expect(requiredInTables.sort()).toEqual(required.map(([a, o]) => `${a} ${o}`).sort())
  })
})

// -------------------------------------------------------------------------------------
// generated from the tables
// -------------------------------------------------------------------------------------

const EPS = (v: number) => Math.max(Math.abs(v) * 1e-9, 1e-12)

/** Values just inside and just outside each bound of a number descriptor. */
const edges = (d: NumberDescriptor): ReadonlyArray<readonly [string, number, number]> => {
  const step = (v: number) => (d.type === 'int' ? 1 : EPS(v))
  const out: Array<readonly [string, number, number]> = []
  // An outside value that is one of the extra literals (PCA's -1) is inside: step past it.
  const beyond = (v: number, dir: number): number => ((d.also ?? []).includes(v) ? beyond(v + dir * step(v), dir) : v)
  if (d.min !== undefined) {
    const m = d.min.value
    out.push(d.min.open ? [`(${m}`, m + step(m), beyond(m, -1)] : [`[${m}`, m, beyond(m - step(m), -1)])
  }
  if (d.max !== undefined) {
    const m = d.max.value
    out.push(d.max.open ? [`${m})`, m - step(m), m] : [`${m}]`, m, m + step(m)])
  }
  return out
}

const cases = A.AMAZON_ALGORITHMS.flatMap((alg) =>
  Object.entries(A.ALGORITHM_SPECS[alg].hyperParameters).flatMap(([option, raw]) => {
    const d = raw as Descriptor
    const wrongKind: unknown = d.type === 'bool' ? 'True' : d.type === 'list' ? 'msd' : d.type === 'enum' ? 7 : 'seven'
    const rows: Array<readonly [string, A.AmazonAlgorithm, string, Descriptor, unknown, unknown]> = [[`${alg} ${d.wire}: wrong kind`, alg, option, d, undefined, wrongKind]]
    if (d.type === 'int' || d.type === 'float') for (const [label, inside, outside] of edges(d)) rows.push([`${alg} ${d.wire} ${label}`, alg, option, d, inside, outside])
    if (d.type === 'enum') for (const v of d.values) rows.push([`${alg} ${d.wire} = ${v}`, alg, option, d, v, `${v}-not`])
    if (d.type === 'int') rows.push([`${alg} ${d.wire}: not whole`, alg, option, d, undefined, (d.min?.value ?? 0) + 1.5])
    return rows
  }),
)

describe('Amazon algorithm hyperparameters: generated from the tables', () => {
  it('covers every hyperparameter of every table', () => {
    const count = A.AMAZON_ALGORITHMS.reduce((n, a) => n + Object.keys(A.ALGORITHM_SPECS[a].hyperParameters).length, 0)
    expect(new Set(cases.map(([, a, o]) => `${a} ${o}`)).size).toBe(count)
  })

  it.each(cases)('%s', (_, alg, option, d, inside, outside) => {
    if (inside !== undefined) expect(messages(build(alg, { ...BASE[alg], [option]: inside }))).toEqual([])
    const m = messages(build(alg, { [option]: outside }))
    expect(m).toHaveLength(1)
    expect(m[0]).toMatch(new RegExp(`^steps\\.t\\.hyperParameters\\.${d.wire}: expected `))
  })
})
