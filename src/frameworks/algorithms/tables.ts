/**
 * The Amazon algorithms' hyperparameters as data: one table per algorithm, with the reference SDK's
 * (v1.18) option names (camelCase), wire names, types, bounds and required arguments, plus each
 * algorithm's `feature_dim` / `mini_batch_size` rules. Intervals are written as they are documented:
 * `open(0)` is `(0`, `closed(1)` is `1]`.
 *
 * Where v1.18 documented a rule in its message but did not check it (PCA `extra_components`,
 * LinearLearner `positive_example_weight_mult`, KNN `faiss_index_ivf_nlists`, the list items of
 * `eval_metrics` and `encoder_layers`), we check what the message says: SageMaker rejects those
 * values anyway, only later.
 *
 * @since 0.1.0
 */
import type { Algorithm } from '../images.js'
import { closed, open, type HpTable, type NumberDescriptor } from './descriptors.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** How `mini_batch_size` is chosen when the user does not give one. */
export type MiniBatchPolicy =
  /** Sent with this value. */
  | { readonly _tag: 'Default'; readonly value: number }
  /**
   * `min(cap, max(1, floor(numRecords / instanceCount)))` from the train record set. When that cannot
   * be computed (no record count, or a symbolic instance count), `required` says whether that is an
   * error or the algorithm's own default applies.
   */
  | { readonly _tag: 'Computed'; readonly cap: number; readonly required: boolean }
  /** The user must give it. */
  | { readonly _tag: 'Required' }
  /** Always this value; any other is an error. */
  | { readonly _tag: 'Fixed'; readonly value: number }
  /** Sent only when given. */
  | { readonly _tag: 'Optional' }

export interface AlgorithmSpec<H extends HpTable = HpTable> {
  /** Key into the image tables. */
  readonly algorithm: Algorithm
  /** The reference SDK's class name, for messages. */
  readonly title: string
  readonly hyperParameters: H
  readonly featureDim: NumberDescriptor
  readonly miniBatchSize: NumberDescriptor
  readonly miniBatch: MiniBatchPolicy
  /** Always sent (KMeans' `force_dense`). */
  readonly constants?: Readonly<Record<string, string>>
}

const spec = <const H extends HpTable>(s: AlgorithmSpec<H>): AlgorithmSpec<H> => s

/**
 * The base estimator's `feature_dim` and `mini_batch_size`: integers greater than 0. `feature_dim`
 * comes from the train record set; every algorithm but Object2Vec and IPInsights (which read
 * sequences and CSV, not feature vectors) needs it.
 */
const FEATURE_DIM: NumberDescriptor = { wire: 'feature_dim', type: 'int', min: open(0), required: true, note: 'from the train record set' }
const OPTIONAL_FEATURE_DIM: NumberDescriptor = { wire: 'feature_dim', type: 'int', min: open(0) }
const MINI_BATCH_SIZE: NumberDescriptor = { wire: 'mini_batch_size', type: 'int', min: open(0) }

// -------------------------------------------------------------------------------------
// tables
// -------------------------------------------------------------------------------------

export const KMEANS = spec({
  algorithm: 'kmeans',
  title: 'KMeans',
  hyperParameters: {
    k: { wire: 'k', type: 'int', min: open(1), required: true },
    initMethod: { wire: 'init_method', type: 'enum', values: ['random', 'kmeans++'] },
    maxIterations: { wire: 'local_lloyd_max_iter', type: 'int', min: open(0) },
    tol: { wire: 'local_lloyd_tol', type: 'float', min: closed(0), max: closed(1) },
    numTrials: { wire: 'local_lloyd_num_trials', type: 'int', min: open(0) },
    localInitMethod: { wire: 'local_lloyd_init_method', type: 'enum', values: ['random', 'kmeans++'] },
    halfLifeTimeSize: { wire: 'half_life_time_size', type: 'int', min: closed(0) },
    epochs: { wire: 'epochs', type: 'int', min: open(0) },
    centerFactor: { wire: 'extra_center_factor', type: 'int', min: open(0) },
    evalMetrics: { wire: 'eval_metrics', type: 'list', items: { type: 'enum', values: ['msd', 'ssd'] } },
  },
  featureDim: FEATURE_DIM,
  miniBatchSize: MINI_BATCH_SIZE,
  miniBatch: { _tag: 'Default', value: 5000 },
  constants: { force_dense: 'True' },
})

export const PCA = spec({
  algorithm: 'pca',
  title: 'PCA',
  hyperParameters: {
    numComponents: { wire: 'num_components', type: 'int', min: open(0), required: true },
    algorithmMode: { wire: 'algorithm_mode', type: 'enum', values: ['regular', 'randomized'] },
    subtractMean: { wire: 'subtract_mean', type: 'bool' },
    extraComponents: { wire: 'extra_components', type: 'int', min: closed(0), also: [-1] },
  },
  featureDim: FEATURE_DIM,
  miniBatchSize: MINI_BATCH_SIZE,
  miniBatch: { _tag: 'Computed', cap: 500, required: true },
})

const LOSSES = [
  'logistic',
  'squared_loss',
  'absolute_loss',
  'hinge_loss',
  'eps_insensitive_squared_loss',
  'eps_insensitive_absolute_loss',
  'quantile_loss',
  'huber_loss',
  'softmax_loss',
  'auto',
] as const

export const LINEAR_LEARNER = spec({
  algorithm: 'linear-learner',
  title: 'LinearLearner',
  hyperParameters: {
    predictorType: { wire: 'predictor_type', type: 'enum', values: ['binary_classifier', 'regressor', 'multiclass_classifier'], required: true },
    binaryClassifierModelSelectionCriteria: {
      wire: 'binary_classifier_model_selection_criteria',
      type: 'enum',
      values: ['accuracy', 'f1', 'f_beta', 'precision_at_target_recall', 'recall_at_target_precision', 'cross_entropy_loss', 'loss_function'],
    },
    targetRecall: { wire: 'target_recall', type: 'float', min: open(0), max: open(1) },
    targetPrecision: { wire: 'target_precision', type: 'float', min: open(0), max: open(1) },
    positiveExampleWeightMult: { wire: 'positive_example_weight_mult', type: 'float', min: open(0), also: ['auto', 'balanced'], encodeAs: 'str' },
    epochs: { wire: 'epochs', type: 'int', min: open(0) },
    useBias: { wire: 'use_bias', type: 'bool' },
    numModels: { wire: 'num_models', type: 'int', min: open(0) },
    numCalibrationSamples: { wire: 'num_calibration_samples', type: 'int', min: open(0) },
    initMethod: { wire: 'init_method', type: 'enum', values: ['uniform', 'normal'] },
    initScale: { wire: 'init_scale', type: 'float', min: open(0) },
    initSigma: { wire: 'init_sigma', type: 'float', min: open(0) },
    initBias: { wire: 'init_bias', type: 'float' },
    optimizer: { wire: 'optimizer', type: 'enum', values: ['sgd', 'adam', 'rmsprop', 'auto'] },
    loss: { wire: 'loss', type: 'enum', values: LOSSES },
    wd: { wire: 'wd', type: 'float', min: closed(0) },
    l1: { wire: 'l1', type: 'float', min: closed(0) },
    momentum: { wire: 'momentum', type: 'float', min: closed(0), max: open(1) },
    learningRate: { wire: 'learning_rate', type: 'float', min: open(0) },
    beta1: { wire: 'beta_1', type: 'float', min: closed(0), max: open(1) },
    beta2: { wire: 'beta_2', type: 'float', min: closed(0), max: open(1) },
    biasLrMult: { wire: 'bias_lr_mult', type: 'float', min: open(0) },
    biasWdMult: { wire: 'bias_wd_mult', type: 'float', min: closed(0) },
    useLrScheduler: { wire: 'use_lr_scheduler', type: 'bool' },
    lrSchedulerStep: { wire: 'lr_scheduler_step', type: 'int', min: open(0) },
    lrSchedulerFactor: { wire: 'lr_scheduler_factor', type: 'float', min: open(0), max: open(1) },
    lrSchedulerMinimumLr: { wire: 'lr_scheduler_minimum_lr', type: 'float', min: open(0) },
    normalizeData: { wire: 'normalize_data', type: 'bool' },
    normalizeLabel: { wire: 'normalize_label', type: 'bool' },
    unbiasData: { wire: 'unbias_data', type: 'bool' },
    unbiasLabel: { wire: 'unbias_label', type: 'bool' },
    numPointForScaler: { wire: 'num_point_for_scaler', type: 'int', min: open(0) },
    margin: { wire: 'margin', type: 'float', min: closed(0) },
    quantile: { wire: 'quantile', type: 'float', min: open(0), max: open(1) },
    lossInsensitivity: { wire: 'loss_insensitivity', type: 'float', min: open(0) },
    huberDelta: { wire: 'huber_delta', type: 'float', min: closed(0) },
    earlyStoppingPatience: { wire: 'early_stopping_patience', type: 'int', min: open(0) },
    earlyStoppingTolerance: { wire: 'early_stopping_tolerance', type: 'float', min: open(0) },
    numClasses: { wire: 'num_classes', type: 'int', min: closed(1), max: closed(1e6) },
    accuracyTopK: { wire: 'accuracy_top_k', type: 'int', min: closed(1), max: closed(1e6) },
    fBeta: { wire: 'f_beta', type: 'float', min: open(0) },
    balanceMulticlassWeights: { wire: 'balance_multiclass_weights', type: 'bool' },
  },
  featureDim: FEATURE_DIM,
  miniBatchSize: MINI_BATCH_SIZE,
  miniBatch: { _tag: 'Computed', cap: 1000, required: false },
})

export const FACTORIZATION_MACHINES = spec({
  algorithm: 'factorization-machines',
  title: 'FactorizationMachines',
  hyperParameters: {
    numFactors: { wire: 'num_factors', type: 'int', min: open(0), required: true },
    predictorType: { wire: 'predictor_type', type: 'enum', values: ['binary_classifier', 'regressor'], required: true },
    epochs: { wire: 'epochs', type: 'int', min: open(0) },
    clipGradient: { wire: 'clip_gradient', type: 'float' },
    eps: { wire: 'eps', type: 'float' },
    rescaleGrad: { wire: 'rescale_grad', type: 'float' },
    biasLr: { wire: 'bias_lr', type: 'float', min: closed(0) },
    linearLr: { wire: 'linear_lr', type: 'float', min: closed(0) },
    factorsLr: { wire: 'factors_lr', type: 'float', min: closed(0) },
    biasWd: { wire: 'bias_wd', type: 'float', min: closed(0) },
    linearWd: { wire: 'linear_wd', type: 'float', min: closed(0) },
    factorsWd: { wire: 'factors_wd', type: 'float', min: closed(0) },
    biasInitMethod: { wire: 'bias_init_method', type: 'enum', values: ['normal', 'uniform', 'constant'] },
    biasInitScale: { wire: 'bias_init_scale', type: 'float', min: closed(0) },
    biasInitSigma: { wire: 'bias_init_sigma', type: 'float', min: closed(0) },
    biasInitValue: { wire: 'bias_init_value', type: 'float' },
    linearInitMethod: { wire: 'linear_init_method', type: 'enum', values: ['normal', 'uniform', 'constant'] },
    linearInitScale: { wire: 'linear_init_scale', type: 'float', min: closed(0) },
    linearInitSigma: { wire: 'linear_init_sigma', type: 'float', min: closed(0) },
    linearInitValue: { wire: 'linear_init_value', type: 'float' },
    factorsInitMethod: { wire: 'factors_init_method', type: 'enum', values: ['normal', 'uniform', 'constant'] },
    factorsInitScale: { wire: 'factors_init_scale', type: 'float', min: closed(0) },
    factorsInitSigma: { wire: 'factors_init_sigma', type: 'float', min: closed(0) },
    factorsInitValue: { wire: 'factors_init_value', type: 'float' },
  },
  featureDim: FEATURE_DIM,
  miniBatchSize: MINI_BATCH_SIZE,
  miniBatch: { _tag: 'Optional' },
})

export const LDA = spec({
  algorithm: 'lda',
  title: 'LDA',
  hyperParameters: {
    numTopics: { wire: 'num_topics', type: 'int', min: open(0), required: true },
    alpha0: { wire: 'alpha0', type: 'float', min: open(0) },
    maxRestarts: { wire: 'max_restarts', type: 'int', min: open(0) },
    maxIterations: { wire: 'max_iterations', type: 'int', min: open(0) },
    tol: { wire: 'tol', type: 'float', min: open(0) },
  },
  featureDim: FEATURE_DIM,
  miniBatchSize: MINI_BATCH_SIZE,
  miniBatch: { _tag: 'Required' },
})

const OPTIMIZERS = ['adagrad', 'adam', 'rmsprop', 'sgd', 'adadelta'] as const

export const NTM = spec({
  algorithm: 'ntm',
  title: 'NTM',
  hyperParameters: {
    numTopics: { wire: 'num_topics', type: 'int', min: closed(2), max: closed(1000), required: true },
    encoderLayers: { wire: 'encoder_layers', type: 'list', items: { type: 'int', min: open(0) } },
    epochs: { wire: 'epochs', type: 'int', min: closed(1), max: closed(100) },
    encoderLayersActivation: { wire: 'encoder_layers_activation', type: 'enum', values: ['sigmoid', 'tanh', 'relu'] },
    optimizer: { wire: 'optimizer', type: 'enum', values: OPTIMIZERS },
    tolerance: { wire: 'tolerance', type: 'float', min: closed(1e-6), max: closed(0.1) },
    numPatienceEpochs: { wire: 'num_patience_epochs', type: 'int', min: closed(1), max: closed(10) },
    batchNorm: { wire: 'batch_norm', type: 'bool' },
    rescaleGradient: { wire: 'rescale_gradient', type: 'float', min: closed(1e-3), max: closed(1) },
    clipGradient: { wire: 'clip_gradient', type: 'float', min: closed(1e-3) },
    weightDecay: { wire: 'weight_decay', type: 'float', min: closed(0), max: closed(1) },
    learningRate: { wire: 'learning_rate', type: 'float', min: closed(1e-6), max: closed(1) },
  },
  featureDim: FEATURE_DIM,
  miniBatchSize: { wire: 'mini_batch_size', type: 'int', min: closed(1), max: closed(10000) },
  miniBatch: { _tag: 'Optional' },
})

export const RANDOM_CUT_FOREST = spec({
  algorithm: 'randomcutforest',
  title: 'RandomCutForest',
  hyperParameters: {
    numSamplesPerTree: { wire: 'num_samples_per_tree', type: 'int', min: closed(1), max: closed(2048) },
    numTrees: { wire: 'num_trees', type: 'int', min: closed(50), max: closed(1000) },
    evalMetrics: { wire: 'eval_metrics', type: 'list', items: { type: 'enum', values: ['accuracy', 'precision_recall_fscore'] } },
  },
  featureDim: { wire: 'feature_dim', type: 'int', min: closed(1), max: closed(10000), required: true, note: 'from the train record set' },
  miniBatchSize: { wire: 'mini_batch_size', type: 'int', min: closed(1000), max: closed(1000), note: "RandomCutForest's fixed mini-batch size" },
  miniBatch: { _tag: 'Fixed', value: 1000 },
})

export const KNN = spec({
  algorithm: 'knn',
  title: 'KNN',
  hyperParameters: {
    k: { wire: 'k', type: 'int', min: closed(1), required: true },
    sampleSize: { wire: 'sample_size', type: 'int', min: closed(1), required: true },
    predictorType: { wire: 'predictor_type', type: 'enum', values: ['classifier', 'regressor'], required: true },
    dimensionReductionType: { wire: 'dimension_reduction_type', type: 'enum', values: ['sign', 'fjlt'] },
    dimensionReductionTarget: { wire: 'dimension_reduction_target', type: 'int', min: closed(1) },
    indexType: { wire: 'index_type', type: 'enum', values: ['faiss.Flat', 'faiss.IVFFlat', 'faiss.IVFPQ'] },
    indexMetric: { wire: 'index_metric', type: 'enum', values: ['COSINE', 'INNER_PRODUCT', 'L2'] },
    faissIndexIvfNlists: { wire: 'faiss_index_ivf_nlists', type: 'int', min: closed(1), also: ['auto'], encodeAs: 'str' },
    faissIndexPqM: { wire: 'faiss_index_pq_m', type: 'int', min: closed(1) },
  },
  featureDim: FEATURE_DIM,
  miniBatchSize: MINI_BATCH_SIZE,
  miniBatch: { _tag: 'Optional' },
})

const NETWORKS = ['hcnn', 'bilstm', 'pooled_embedding'] as const

export const OBJECT2VEC = spec({
  algorithm: 'object2vec',
  title: 'Object2Vec',
  hyperParameters: {
    epochs: { wire: 'epochs', type: 'int', min: closed(1), max: closed(100), required: true },
    enc0MaxSeqLen: { wire: 'enc0_max_seq_len', type: 'int', min: closed(1), max: closed(5000), required: true },
    enc0VocabSize: { wire: 'enc0_vocab_size', type: 'int', min: closed(2), max: closed(3e6), required: true },
    encDim: { wire: 'enc_dim', type: 'int', min: closed(4), max: closed(1e4) },
    earlyStoppingPatience: { wire: 'early_stopping_patience', type: 'int', min: closed(1), max: closed(5) },
    earlyStoppingTolerance: { wire: 'early_stopping_tolerance', type: 'float', min: closed(1e-6), max: closed(0.1) },
    dropout: { wire: 'dropout', type: 'float', min: closed(0), max: closed(1) },
    weightDecay: { wire: 'weight_decay', type: 'float', min: closed(0), max: closed(1e4) },
    bucketWidth: { wire: 'bucket_width', type: 'int', min: closed(0), max: closed(100) },
    numClasses: { wire: 'num_classes', type: 'int', min: closed(2), max: closed(30) },
    mlpLayers: { wire: 'mlp_layers', type: 'int', min: closed(1), max: closed(10) },
    mlpDim: { wire: 'mlp_dim', type: 'int', min: closed(2), max: closed(1e4) },
    mlpActivation: { wire: 'mlp_activation', type: 'enum', values: ['tanh', 'relu', 'linear'] },
    outputLayer: { wire: 'output_layer', type: 'enum', values: ['softmax', 'mean_squared_error'] },
    optimizer: { wire: 'optimizer', type: 'enum', values: OPTIMIZERS },
    learningRate: { wire: 'learning_rate', type: 'float', min: closed(1e-6), max: closed(1) },
    enc0Network: { wire: 'enc0_network', type: 'enum', values: NETWORKS },
    enc1Network: { wire: 'enc1_network', type: 'enum', values: [...NETWORKS, 'enc0'] },
    enc0CnnFilterWidth: { wire: 'enc0_cnn_filter_width', type: 'int', min: closed(1), max: closed(9) },
    enc1CnnFilterWidth: { wire: 'enc1_cnn_filter_width', type: 'int', min: closed(1), max: closed(9) },
    enc1MaxSeqLen: { wire: 'enc1_max_seq_len', type: 'int', min: closed(1), max: closed(5000) },
    enc0TokenEmbeddingDim: { wire: 'enc0_token_embedding_dim', type: 'int', min: closed(2), max: closed(1000) },
    enc1TokenEmbeddingDim: { wire: 'enc1_token_embedding_dim', type: 'int', min: closed(2), max: closed(1000) },
    enc1VocabSize: { wire: 'enc1_vocab_size', type: 'int', min: closed(2), max: closed(3e6) },
    enc0Layers: { wire: 'enc0_layers', type: 'int', min: closed(1), max: closed(4) },
    enc1Layers: { wire: 'enc1_layers', type: 'int', min: closed(1), max: closed(4) },
    enc0FreezePretrainedEmbedding: { wire: 'enc0_freeze_pretrained_embedding', type: 'bool' },
    enc1FreezePretrainedEmbedding: { wire: 'enc1_freeze_pretrained_embedding', type: 'bool' },
  },
  featureDim: OPTIONAL_FEATURE_DIM,
  miniBatchSize: { wire: 'mini_batch_size', type: 'int', min: closed(1), max: closed(1e4) },
  miniBatch: { _tag: 'Default', value: 32 },
})

export const IP_INSIGHTS = spec({
  algorithm: 'ipinsights',
  title: 'IPInsights',
  hyperParameters: {
    numEntityVectors: { wire: 'num_entity_vectors', type: 'int', min: closed(1), max: closed(2.5e8), required: true },
    vectorDim: { wire: 'vector_dim', type: 'int', min: closed(4), max: closed(4096), required: true },
    batchMetricsPublishInterval: { wire: 'batch_metrics_publish_interval', type: 'int', min: closed(1) },
    epochs: { wire: 'epochs', type: 'int', min: closed(1) },
    learningRate: { wire: 'learning_rate', type: 'float', min: closed(1e-6), max: closed(10) },
    numIpEncoderLayers: { wire: 'num_ip_encoder_layers', type: 'int', min: closed(0), max: closed(100) },
    randomNegativeSamplingRate: { wire: 'random_negative_sampling_rate', type: 'int', min: closed(0), max: closed(500) },
    shuffledNegativeSamplingRate: { wire: 'shuffled_negative_sampling_rate', type: 'int', min: closed(0), max: closed(500) },
    weightDecay: { wire: 'weight_decay', type: 'float', min: closed(0), max: closed(10) },
  },
  featureDim: OPTIONAL_FEATURE_DIM,
  miniBatchSize: { wire: 'mini_batch_size', type: 'int', min: closed(1), max: closed(500000) },
  miniBatch: { _tag: 'Optional' },
})

/** Every table, keyed by the image-table algorithm name. */
export const ALGORITHM_SPECS = {
  kmeans: KMEANS,
  pca: PCA,
  'linear-learner': LINEAR_LEARNER,
  'factorization-machines': FACTORIZATION_MACHINES,
  lda: LDA,
  ntm: NTM,
  randomcutforest: RANDOM_CUT_FOREST,
  knn: KNN,
  object2vec: OBJECT2VEC,
  ipinsights: IP_INSIGHTS,
} as const

export type AmazonAlgorithm = keyof typeof ALGORITHM_SPECS
export const AMAZON_ALGORITHMS = Object.keys(ALGORITHM_SPECS) as ReadonlyArray<AmazonAlgorithm>
