/**
 * Train, register the model, and score a whole S3 prefix with a batch transform.
 * `npx sagespec plan examples/batch-transform.ts`
 */
import { model, program, training, transform } from '../src/index.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0'

const train = training('train', {
  image,
  role,
  resources: { instanceType: 'ml.m5.xlarge' },
  output: { s3OutputPath: 's3://example-bucket/churn/models' },
  channels: { train: { uri: 's3://example-bucket/churn/train/', contentType: 'text/csv' } },
  hyperParameters: { num_round: 50 },
})

const scorer = model('scorer', { container: { image, modelDataUrl: train.outputs.modelArtifacts }, role })

const score = transform('score', {
  model: scorer.outputs.name,
  resources: { instanceType: 'ml.m5.xlarge', instanceCount: 2 },
  input: { uri: 's3://example-bucket/churn/to-score/', contentType: 'text/csv', splitType: 'Line' },
  output: { s3OutputPath: 's3://example-bucket/churn/scores/', accept: 'text/csv', assembleWith: 'Line' },
  batchStrategy: 'MultiRecord',
  maxPayloadInMb: 6,
  maxConcurrentTransforms: 4,
  dataProcessing: { inputFilter: '$[1:]', joinSource: 'Input', outputFilter: '$[0,-1]' },
})

export default program(train, scorer, score)
