/**
 * PyTorch in script mode: train `examples/pytorch/train.py` on a GPU, serve the model with
 * `examples/pytorch/inference.py` on a CPU endpoint. The preset picks both images for the region and
 * processor, packs `examples/pytorch` into a content-addressed `sourcedir.tar.gz` under `codeLocation`,
 * and sets the `sagemaker_*` hyperparameters and `SAGEMAKER_*` variables the containers read.
 * `npx sagespec plan examples/pytorch-script-mode.ts` (paths are relative to the repository root).
 */
import { endpoint, param, program } from '../src/index.js'
import { modelFromTraining, pytorch } from '../src/frameworks/index.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'

const epochs = param.integer('epochs', { default: 5, description: 'passes over the training data' })

const train = pytorch('digits', {
  entryPoint: 'train.py',
  sourceDir: 'examples/pytorch',
  codeLocation: 's3://example-bucket/code',
  frameworkVersion: '2.2',
  region: 'us-west-2',
  role,
  instanceType: 'ml.g5.xlarge',
  output: { s3OutputPath: 's3://example-bucket/digits/models' },
  channels: { train: { uri: 's3://example-bucket/digits/train/', contentType: 'text/csv' } },
  hyperParameters: { epochs, 'hidden-units': 64, lr: 0.01, optimizer: 'adam' },
  metricDefinitions: [{ name: 'train:loss', regex: 'loss=([0-9.]+)' }],
  stopping: { maxRuntimeInSeconds: 3600 },
  tags: { project: 'digits' },
})

// Same source directory (so the same archive), another entry point for serving.
const digitsModel = modelFromTraining(train, { instanceType: 'ml.m5.large', entryPoint: 'inference.py', modelServerWorkers: 2 })

const serve = endpoint('digits-endpoint', {
  variants: [{ model: digitsModel.outputs.name, instanceType: 'ml.m5.large', initialInstanceCount: 1 }],
  tags: { project: 'digits' },
})

export default program(train, digitsModel, serve)
