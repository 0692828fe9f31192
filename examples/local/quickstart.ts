/**
 * The quick start: train a small linear model on this machine, serve it on a local endpoint and score
 * a file with a batch transform — no Docker, no AWS account.
 *
 *   npx sagespec run examples/local/quickstart.ts --target local
 *   npx sagespec predict quickstart --data examples/local/data-score/rows.csv --target local
 *   npx sagespec endpoints delete quickstart --with-models --target local
 *
 * `train.py` is plain Python run the way the scikit-learn container runs a script (hyperparameters as
 * `--name value`, the data folder in `SM_CHANNEL_TRAIN`, the model written to `SM_MODEL_DIR`), and
 * served with the frameworks' handlers (`model_fn`, `predict_fn`). Without a Docker engine the local
 * target runs it as python3 processes; artifacts land where SageMaker would put them:
 * `<output>/<job>/output/model.tar.gz`, `<output>/<input file>.out`. Change `--target local` to
 * `--target aws` (and the `file://` paths to `s3://` ones) to run the same program in the cloud.
 */
import { endpoint, param, program, transform } from '../../src/index.js'
import { modelFromTraining, sklearn } from '../../src/frameworks/index.js'

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

// The same script serves: the model step runs train.py's model_fn/predict_fn on the trained model.
const served = modelFromTraining(train, { instanceType: 'ml.m5.large' })

const serve = endpoint('serve', { endpointName: 'quickstart', variants: [{ model: served.outputs.name, instanceType: 'ml.m5.large' }] })

const score = transform('quickstart-scores', {
  model: served.outputs.name,
  input: { uri: 'file://examples/local/data-score', contentType: 'text/csv', splitType: 'Line' },
  output: { s3OutputPath: 'file://.sagespec/output/scores', accept: 'text/csv', assembleWith: 'Line' },
  resources: { instanceType: 'ml.m5.large' },
})

export default program(train, served, serve, score)
