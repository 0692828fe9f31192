/**
 * The quick start: train a small linear model on this machine — no Docker, no AWS account.
 *
 *   npx sagespec run examples/local/quickstart.ts --target local
 *
 * `train.py` is plain Python run the way the scikit-learn container runs a script (hyperparameters as
 * `--name value`, the data folder in `SM_CHANNEL_TRAIN`, the model written to `SM_MODEL_DIR`). Without
 * a Docker engine the local target runs it as a python3 process; the model lands where SageMaker would
 * put it: `<output>/<job>/output/model.tar.gz`. Change `--target local` to `--target aws` (and the
 * `file://` paths to `s3://` ones) to run the same job in the cloud.
 */
import { param, program } from '../../src/index.js'
import { sklearn } from '../../src/frameworks/index.js'

const epochs = param.integer('epochs', { default: 200, description: 'passes over the training data' })

const train = sklearn('quickstart', {
  entryPoint: 'examples/local/train.py',
  // Where the code archive goes in the cloud; a local run keeps it in .sagespec/local/code.
  codeLocation: 's3://my-bucket/code',
  frameworkVersion: '1.2-1',
  region: 'us-west-2',
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  instanceType: 'ml.m5.large',
  channels: { train: { uri: 'file://examples/local/data', contentType: 'text/csv' } },
  output: { s3OutputPath: 'file://.sagespec/output' },
  hyperParameters: { epochs, lr: 0.1 },
  metricDefinitions: [{ name: 'train:mse', regex: 'mse=([0-9.]+)' }],
  stopping: { maxRuntimeInSeconds: 600 },
})

export default program(train)
