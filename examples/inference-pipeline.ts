/**
 * An inference pipeline: a preprocessing container feeds a model container, served as one model.
 * Each container is the serving model of a training job (its image and artifacts); the pipeline
 * runs them in order under the jobs' role. `npx sagespec plan examples/inference-pipeline.ts`
 */
import { endpoint, program, training } from '../src/index.js'
import { modelFromTraining, pipelineModel } from '../src/frameworks/index.js'

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

const pipeline = pipelineModel('churn-pipeline', [modelFromTraining(features, { env: { OUTPUT_FORMAT: 'text/csv' } }), modelFromTraining(train)])

const serve = endpoint('churn-pipeline-endpoint', { variants: [{ model: pipeline.outputs.name, instanceType: 'ml.c5.xlarge' }] })

export default program(features, train, pipeline, serve)
