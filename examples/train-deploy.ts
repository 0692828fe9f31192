/**
 * Train a model with a bring-your-own container, make a SageMaker model from its artifacts and
 * serve it on an endpoint. `npx sagespec plan examples/train-deploy.ts`
 */
import { endpoint, join, model, param, program, runId, training } from '../src/index.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0'

const epochs = param.integer('epochs', { default: 20, description: 'boosting rounds' })
const instanceType = param.string('instanceType', { default: 'ml.m5.xlarge', allowed: ['ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.c5.2xlarge'] })

const train = training('train', {
  image,
  role,
  resources: { instanceType, instanceCount: 1, volumeSizeInGb: 30 },
  stopping: { maxRuntimeInSeconds: 3600 },
  output: { s3OutputPath: join('/', ['s3://example-bucket/churn/models', runId]) },
  channels: {
    train: { uri: 's3://example-bucket/churn/train/', contentType: 'text/csv' },
    validation: { uri: 's3://example-bucket/churn/validation/', contentType: 'text/csv' },
  },
  hyperParameters: { num_round: epochs, eta: 0.2, max_depth: 5, objective: 'binary:logistic' },
  metricDefinitions: [{ name: 'validation:auc', regex: 'validation-auc:([0-9\\.]+)' }],
  tags: { project: 'churn' },
})

const churnModel = model('churn-model', {
  container: { image, modelDataUrl: train.outputs.modelArtifacts, environment: { MODEL_SERVER_WORKERS: '2' } },
  role,
})

const serve = endpoint('churn-endpoint', {
  variants: [{ model: churnModel.outputs.name, instanceType: 'ml.m5.large', initialInstanceCount: 1 }],
  tags: { project: 'churn' },
})

export default program(train, churnModel, serve)
