/**
 * An inference pipeline: a preprocessing container feeds a model container, served as one model.
 * `npx sagespec plan examples/inference-pipeline.ts`
 */
import { endpoint, model, program, training } from '../src/index.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const preprocessImage = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-preprocess:1.0'
const modelImage = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0'

const features = training('features', {
  image: preprocessImage,
  role,
  resources: { instanceType: 'ml.m5.large' },
  output: { s3OutputPath: 's3://example-bucket/churn/featurizer' },
  channels: { train: { uri: 's3://example-bucket/churn/raw/' } },
})

const train = training('train', {
  image: modelImage,
  role,
  resources: { instanceType: 'ml.m5.xlarge' },
  output: { s3OutputPath: 's3://example-bucket/churn/models' },
  channels: { train: { uri: 's3://example-bucket/churn/train/', contentType: 'text/csv' } },
  hyperParameters: { num_round: 50 },
})

const pipeline = model('churn-pipeline', {
  containers: [
    { image: preprocessImage, modelDataUrl: features.outputs.modelArtifacts, environment: { OUTPUT_FORMAT: 'text/csv' } },
    { image: modelImage, modelDataUrl: train.outputs.modelArtifacts },
  ],
  role,
})

const serve = endpoint('churn-pipeline-endpoint', { variants: [{ model: pipeline.outputs.name, instanceType: 'ml.c5.xlarge' }] })

export default program(features, train, pipeline, serve)
