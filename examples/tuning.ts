/**
 * Tune a training job, then deploy the best job's model.
 * `npx sagespec plan examples/tuning.ts`
 */
import { endpoint, program, tuning } from '../src/index.js'
import { modelFromTuning } from '../src/frameworks/index.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0'
const outputPath = 's3://example-bucket/churn/tuning'

const tune = tuning('tune', {
  training: {
    image,
    role,
    resources: { instanceType: 'ml.m5.xlarge' },
    output: { s3OutputPath: outputPath },
    channels: {
      train: { uri: 's3://example-bucket/churn/train/', contentType: 'text/csv' },
      validation: { uri: 's3://example-bucket/churn/validation/', contentType: 'text/csv' },
    },
    hyperParameters: { num_round: 100, objective: 'binary:logistic', eta: 0.2 },
    metricDefinitions: [{ name: 'validation:auc', regex: 'validation-auc:([0-9\\.]+)' }],
  },
  objective: { metricName: 'validation:auc', type: 'Maximize' },
  ranges: {
    eta: { _tag: 'Continuous', min: 0.01, max: 0.5, scaling: 'Logarithmic' },
    max_depth: { _tag: 'Integer', min: 3, max: 10 },
    booster: { _tag: 'Categorical', values: ['gbtree', 'dart'] },
  },
  strategy: 'Bayesian',
  maxJobs: 20,
  maxParallelJobs: 4,
  earlyStopping: 'Auto',
})

// The best job's image and role; its artifacts sit where SageMaker puts every job's:
// <output path>/<job>/output/model.tar.gz
const best = modelFromTuning(tune, { name: 'best-model' })

const serve = endpoint('churn-best', { variants: [{ model: best.outputs.name, instanceType: 'ml.m5.large' }] })

export default program(tune, best, serve)
