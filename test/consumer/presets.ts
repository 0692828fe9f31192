/**
 * A consumer's program under a strict tsconfig (`exactOptionalPropertyTypes`, `strict`): every preset
 * with some of its optional fields, as a user would write them. `test/consumer.test.ts` type-checks it
 * with `tsc -p test/consumer`; it is never run.
 */
import { endpoint, param, program, training, tuning, withTags } from '../../src/index.js'
import {
  chainer,
  chainerModel,
  frameworkTuning,
  huggingface,
  huggingfaceModel,
  modelFromTraining,
  modelFromTuning,
  mxnet,
  mxnetModel,
  pipelineModel,
  pytorch,
  pytorchModel,
  rl,
  sklearn,
  sklearnModel,
  sparkmlModel,
  tensorflow,
  tensorflowServingModel,
  transformer,
  xgboost,
  xgboostModel,
  type PyTorchOptions,
} from '../../src/frameworks/index.js'
import {
  algorithmModel,
  algorithmTuning,
  factorizationMachines,
  ipInsights,
  kmeans,
  knn,
  lda,
  linearLearner,
  ntm,
  object2vec,
  pca,
  randomCutForest,
  recordSet,
} from '../../src/frameworks/algorithms/index.js'
import { algorithmEstimator, modelFromPackage, modelPackageFromTraining } from '../../src/frameworks/marketplace.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const region = 'us-west-2'
const output = { s3OutputPath: 's3://bucket/out' }
const code = { entryPoint: 'train.py', sourceDir: 'src', codeLocation: 's3://bucket/code' }
const vpc = { subnets: ['subnet-0abc'], securityGroupIds: ['sg-0abc'] }
const epochs = param.integer('epochs', { default: 10 })

// Typed overrides (a deep partial of CreateTrainingJob's input), explicit undefined included.
const overridden = training('overridden', {
  image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1',
  role,
  resources: { instanceType: 'ml.m5.large' },
  output,
  overrides: { StoppingCondition: { MaxRuntimeInSeconds: epochs, MaxWaitTimeInSeconds: undefined }, CheckpointConfig: { S3Uri: 's3://bucket/ckpt' } },
})

const common: Omit<PyTorchOptions, 'frameworkVersion'> = {
  ...code,
  region,
  role,
  instanceType: 'ml.m5.xlarge',
  instanceCount: 2,
  output,
  channels: { train: { uri: 's3://bucket/train', contentType: 'text/csv', inputMode: 'FastFile' } },
  hyperParameters: { epochs, lr: 0.01 },
  metricDefinitions: [{ name: 'loss', regex: 'loss=([0-9.]+)' }],
  stopping: { maxRuntimeInSeconds: 3600 },
  spot: { maxWaitTimeInSeconds: 7200 },
  checkpoint: { s3Uri: 's3://bucket/ckpt' },
  vpc,
  tags: { project: 'demo' },
  environment: { LOG: 'debug' },
  volumeSizeInGb: 50,
}

const pt = pytorch('pt', { ...common, frameworkVersion: '2.5', pyVersion: 'py311', distribution: { torchDistributed: { enabled: true } } })
const tf = tensorflow('tf', { ...common, frameworkVersion: '2.16', modelDir: false, distribution: { mpi: { enabled: true, processesPerHost: 2 } } })
const mx = mxnet('mx', { ...common, frameworkVersion: '1.9', distribution: { parameterServer: { enabled: true } } })
const ch = chainer('ch', { ...common, frameworkVersion: '5.0', useMpi: true, numProcesses: 2 })
const sk = sklearn('sk', { ...common, frameworkVersion: '1.2-1', instanceCount: 1 })
const xg = xgboost('xg', { ...common, frameworkVersion: '1.7-1' })
const hf = huggingface('hf', { ...common, instanceType: 'ml.g5.xlarge', transformersVersion: '4.28', pytorchVersion: '2.0' })
const coach = rl('rl', { ...common, toolkit: 'coach', toolkitVersion: '1.0.0', framework: 'tensorflow' })

const served = [
  modelFromTraining(pt, { instanceType: 'ml.m5.large', modelServerWorkers: 2, env: { A: '1' } }),
  modelFromTraining(tf, { instanceType: 'ml.m5.large', name: 'tf-served' }),
  modelFromTraining(training('byo', { image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/mine:1', role, resources: { instanceType: 'ml.m5.large' }, output })),
  pytorchModel('ptm', { ...code, frameworkVersion: '2.5', region, role, instanceType: 'ml.m5.large', modelData: pt.outputs.modelArtifacts, vpc }),
  mxnetModel('mxm', { ...code, frameworkVersion: '1.9', region, role, instanceType: 'ml.m5.large', modelData: mx.outputs.modelArtifacts }),
  chainerModel('chm', { ...code, frameworkVersion: '5.0', region, role, instanceType: 'ml.m5.large' }),
  sklearnModel('skm', { ...code, frameworkVersion: '1.2-1', region, role, instanceType: 'ml.m5.large', modelServerWorkers: 1 }),
  xgboostModel('xgm', { ...code, frameworkVersion: '1.7-1', region, role, instanceType: 'ml.m5.large' }),
  tensorflowServingModel('tfs', { frameworkVersion: '2.16', region, role, instanceType: 'ml.m5.large', modelData: tf.outputs.modelArtifacts }),
  huggingfaceModel('hfm', { transformersVersion: '4.28', pytorchVersion: '2.0', region, role, instanceType: 'ml.g5.xlarge' }),
  sparkmlModel('spark', { modelData: 's3://bucket/mleap.tar.gz', region, role, schema: { input: [{ name: 'x', type: 'double' }], output: { name: 'y', type: 'double', struct: 'vector' } } }),
]

const tuned = tuning('tune', {
  training: pt,
  objective: { metricName: 'loss', type: 'Minimize' },
  ranges: { lr: { _tag: 'Continuous', min: 0.001, max: 0.1, scaling: 'Logarithmic' } },
  maxJobs: 4,
  maxParallelJobs: 2,
})
const tunedOld = frameworkTuning('tune-old', sk, { objective: { metricName: 'loss', type: 'Minimize' }, ranges: { lr: { _tag: 'Categorical', values: [0.1, 0.2] } } })
const best = modelFromTuning(tuned, { instanceType: 'ml.m5.large' })
const pipeline = pipelineModel('pipeline', [served[10]!, best], { tags: { stage: 'serve' } })
const batch = transformer(pt, {
  resources: { instanceType: 'ml.m5.xlarge', instanceCount: 2 },
  input: { uri: 's3://bucket/in/', contentType: 'text/csv', splitType: 'Line' },
  output: { s3OutputPath: 's3://bucket/scores/', assembleWith: 'Line' },
  batchStrategy: 'MultiRecord',
  model: { modelServerWorkers: 1 },
})

// Amazon algorithms
const algo = { role, region, instanceType: 'ml.c5.xlarge', output, records: { uri: 's3://bucket/records/', featureDim: 10, numRecords: 1000 } }
const rs = recordSet({ matrix: [[1, 2], [3, 4]], labels: [0, 1], instanceCount: 1, dataLocation: 's3://bucket/rs/' })
const km = kmeans('km', { ...algo, k: 3, initMethod: 'kmeans++', epochs: 2, tags: { a: 'b' } })
const algorithms = [
  km,
  pca('pca', { ...algo, numComponents: 2, algorithmMode: 'randomized', miniBatchSize: 100 }),
  linearLearner('ll', { ...algo, records: rs, predictorType: 'binary_classifier', epochs: 3 }),
  factorizationMachines('fm', { ...algo, numFactors: 4, predictorType: 'regressor' }),
  lda('lda', { ...algo, numTopics: 3, miniBatchSize: 10 }),
  ntm('ntm', { ...algo, numTopics: 3 }),
  randomCutForest('rcf', { ...algo, numTrees: 50 }),
  knn('knn', { ...algo, k: 3, sampleSize: 100, predictorType: 'classifier', miniBatchSize: 10 }),
  object2vec('o2v', { ...algo, enc0MaxSeqLen: 10, enc0VocabSize: 100, epochs: 2 }),
  ipInsights('ipi', { ...algo, numEntityVectors: 100, vectorDim: 16, epochs: 1 }),
]
const kmModel = algorithmModel('kmeans', 'km-model', { modelData: km.outputs.modelArtifacts, role, region, vpc })
const kmTune = algorithmTuning('km-tune', { training: km, objective: { metricName: 'test:msd', type: 'Minimize' }, ranges: { k: { _tag: 'Integer', min: 2, max: 9 } } })

// Marketplace
const market = algorithmEstimator('market', { algorithmName: 'arn:aws:sagemaker:us-west-2:111122223333:algorithm/a', role, instanceType: 'ml.m5.xlarge', output, hyperParameters: { depth: 3 } })
const pkg = modelPackageFromTraining('pkg', { training: market, tags: { a: 'b' } })
const fromPkg = modelFromPackage('from-pkg', { modelPackageName: pkg.outputs.arn, role, enableNetworkIsolation: true })

const serve = endpoint('serve', { variants: [{ model: best.outputs.name, instanceType: 'ml.m5.large', initialInstanceCount: 1 }] })

export default program(
  ...[pt, tf, mx, ch, sk, xg, hf, coach].map(withTags({ owner: 'consumer' })),
  ...served,
  tuned,
  tunedOld,
  best,
  pipeline,
  ...batch.steps,
  ...algorithms,
  kmModel,
  kmTune,
  market,
  pkg,
  fromPkg,
  serve,
  overridden,
)
