/**
 * Train with an AWS Marketplace algorithm, turn its model data into a model package, and serve the
 * package on an endpoint. `npx sagespec plan examples/marketplace.ts`
 *
 * The algorithm's description (what `aws sagemaker describe-algorithm` returns) is embedded, so the
 * hyperparameters, channels, instance type and instance count are checked before anything runs; a
 * marketplace product (it has a ProductId) trains and serves network-isolated.
 */
import { endpoint, program } from '../src/index.js'
import { algorithmEstimator, modelFromPackage, modelPackageFromTraining, type AlgorithmDescription } from '../src/frameworks/marketplace.js'

const role = 'arn:aws:iam::111122223333:role/SageMakerRole'
const algorithmArn = 'arn:aws:sagemaker:us-east-2:111122223333:algorithm/decision-trees-classifier'

const description: AlgorithmDescription = {
  AlgorithmName: 'decision-trees-classifier',
  AlgorithmArn: algorithmArn,
  ProductId: 'prod-example-1234',
  TrainingSpecification: {
    TrainingImage: '111122223333.dkr.ecr.us-east-2.amazonaws.com/decision-trees:1.0',
    SupportedHyperParameters: [
      { Name: 'max_leaf_nodes', Type: 'Integer', Range: { IntegerParameterRangeSpecification: { MinValue: '1', MaxValue: '100000' } }, DefaultValue: '100' },
      { Name: 'min_impurity_decrease', Type: 'Continuous', Range: { ContinuousParameterRangeSpecification: { MinValue: '0', MaxValue: '1' } }, IsRequired: true },
      { Name: 'criterion', Type: 'Categorical', Range: { CategoricalParameterRangeSpecification: { Values: ['gini', 'entropy'] } }, DefaultValue: 'gini' },
    ],
    SupportedTrainingInstanceTypes: ['ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.c5.2xlarge'],
    SupportsDistributedTraining: false,
    TrainingChannels: [{ Name: 'training', IsRequired: true, SupportedContentTypes: ['text/csv'], SupportedInputModes: ['File'] }],
  },
}

const train = algorithmEstimator('trees', {
  algorithmName: algorithmArn,
  algorithmDescription: description,
  role,
  instanceType: 'ml.m5.xlarge',
  output: { s3OutputPath: 's3://example-bucket/trees/models' },
  channels: { training: { uri: 's3://example-bucket/trees/train/', contentType: 'text/csv' } },
  hyperParameters: { min_impurity_decrease: 0.01, criterion: 'entropy' },
})

const pkg = modelPackageFromTraining('trees-package', { training: train })

const treesModel = modelFromPackage('trees-model', { modelPackageName: pkg.outputs.arn, role, enableNetworkIsolation: true })

const serve = endpoint('trees-endpoint', {
  variants: [{ model: treesModel.outputs.name, instanceType: 'ml.m5.large' }],
})

export default program(train, pkg, treesModel, serve)
