/**
 * Marketplace algorithms and model packages: the checks the reference SDK's AlgorithmEstimator made
 * against DescribeAlgorithm, golden requests (CreateTrainingJob with AlgorithmName, CreateModelPackage,
 * CreateModel with ModelPackageName), each checked against the service model.
 */
import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import * as M from '../../src/frameworks/marketplace.js'
import { endpoint, modelPackage, training } from '../../src/spec/step.js'
import { program, toJson } from '../../src/spec/program.js'
import { existing, ref } from '../../src/spec/val.js'
import { validate } from '../../src/spec/validate.js'
import { message } from '../../src/spec/errors.js'
import { toPlan } from '../../src/interpret/plan/plan.js'
import { toText } from '../../src/interpret/dry-run/text.js'
import { OUTPUT, ROLE, RUN, expectValidRequest, messages, resolvedRequests, serviceModelSkip } from './algorithms/support.js'

const ARN = 'arn:aws:sagemaker:us-east-2:123456789012:algorithm/scikit-decision-trees'

const DESCRIPTION: M.AlgorithmDescription = {
  AlgorithmName: 'scikit-decision-trees',
  AlgorithmArn: ARN,
  ProductId: 'prod-abc123',
  TrainingSpecification: {
    TrainingImage: '123456789012.dkr.ecr.us-east-2.amazonaws.com/decision-trees:1.0',
    SupportedHyperParameters: [
      { Name: 'max_leaf_nodes', Type: 'Integer', Range: { IntegerParameterRangeSpecification: { MinValue: '1', MaxValue: '100000' } }, IsTunable: true, IsRequired: false, DefaultValue: '100' },
      { Name: 'learning_rate', Type: 'Continuous', Range: { ContinuousParameterRangeSpecification: { MinValue: '0.0001', MaxValue: '1' } }, IsRequired: true },
      { Name: 'criterion', Type: 'Categorical', Range: { CategoricalParameterRangeSpecification: { Values: ['gini', 'entropy'] } }, DefaultValue: 'gini' },
      { Name: 'verbose', Type: 'Categorical', Range: { CategoricalParameterRangeSpecification: { Values: ['True', 'False'] } } },
      { Name: 'notes', Type: 'FreeText' },
    ],
    SupportedTrainingInstanceTypes: ['ml.m5.xlarge', 'ml.c5.xlarge'],
    SupportsDistributedTraining: false,
    TrainingChannels: [
      { Name: 'training', IsRequired: true, SupportedContentTypes: ['text/csv'], SupportedCompressionTypes: ['None'], SupportedInputModes: ['File'] },
      { Name: 'validation', IsRequired: false, SupportedContentTypes: ['text/csv'], SupportedInputModes: ['File', 'Pipe'] },
    ],
  },
}

const BASE: M.AlgorithmEstimatorOptions = {
  algorithmName: ARN,
  role: ROLE,
  instanceType: 'ml.m5.xlarge',
  output: OUTPUT,
  hyperParameters: { learning_rate: 0.1 },
  channels: { training: { uri: 's3://example-bucket/train/', contentType: 'text/csv' } },
  algorithmDescription: DESCRIPTION,
}

const train = (extra: Partial<M.AlgorithmEstimatorOptions> = {}) => M.algorithmEstimator('t', { ...BASE, ...extra })

describe('algorithmEstimator', () => {
  if (serviceModelSkip !== undefined) it.skip(`service-model checks: ${serviceModelSkip}`, () => {})

  it('golden CreateTrainingJob: AlgorithmName, defaults filled in, network isolation for a marketplace product', () => {
    const [req] = resolvedRequests(train({ hyperParameters: { learning_rate: 1, verbose: true } }))
    expect(req!.input).toEqual({
      TrainingJobName: `t-${RUN}`,
      AlgorithmSpecification: { AlgorithmName: ARN, TrainingInputMode: 'File' },
      RoleArn: ROLE,
      InputDataConfig: [
        { ChannelName: 'training', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://example-bucket/train/', S3DataDistributionType: 'FullyReplicated' } }, ContentType: 'text/csv' },
      ],
      OutputDataConfig: { S3OutputPath: OUTPUT.s3OutputPath },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      EnableNetworkIsolation: true,
      HyperParameters: { learning_rate: '1.0', verbose: 'True', max_leaf_nodes: '100', criterion: 'gini' },
    })
    expectValidRequest('CreateTrainingJob', req!.input)
  })

  it('range ends are inclusive, as the SDK\'s is_valid', () => {
    const cases: ReadonlyArray<Readonly<Record<string, string | number>>> = [
      { learning_rate: 0.0001 },
      { learning_rate: 1 },
      { learning_rate: '0.5', max_leaf_nodes: 1 },
      { learning_rate: 0.5, max_leaf_nodes: 100000 },
      { learning_rate: 0.5, max_leaf_nodes: '7' },
    ]
    for (const hp of cases)
      expect(messages(train({ hyperParameters: hp }))).toEqual([])
  })

  it.each([
    ['an integer below its range', { learning_rate: 0.1, max_leaf_nodes: 0 }, 'steps.t.hyperParameters.max_leaf_nodes: expected an integer from 1 to 100000, found 0'],
    ['an integer above its range', { learning_rate: 0.1, max_leaf_nodes: 100001 }, 'steps.t.hyperParameters.max_leaf_nodes: expected an integer from 1 to 100000, found 100001'],
    ['a fraction for an integer', { learning_rate: 0.1, max_leaf_nodes: 2.5 }, 'steps.t.hyperParameters.max_leaf_nodes: expected an integer from 1 to 100000, found 2.5'],
    ['a continuous value below its range', { learning_rate: 0.00009 }, 'steps.t.hyperParameters.learning_rate: expected a number from 0.0001 to 1, found 0.00009'],
    ['a continuous value above its range', { learning_rate: 1.01 }, 'steps.t.hyperParameters.learning_rate: expected a number from 0.0001 to 1, found 1.01'],
    ['a word for a number', { learning_rate: 'fast' }, 'steps.t.hyperParameters.learning_rate: expected a number from 0.0001 to 1, found "fast"'],
    ['a categorical value not listed', { learning_rate: 0.1, criterion: 'mse' }, 'steps.t.hyperParameters.criterion: expected one of "gini", "entropy", found "mse"'],
    ['a flag spelled another way', { learning_rate: 0.1, verbose: 'yes' }, 'steps.t.hyperParameters.verbose: expected one of "True", "False", found "yes"'],
    ['an unknown hyperparameter', { learning_rate: 0.1, depth: 3 }, 'steps.t.hyperParameters.depth: expected a hyperparameter scikit-decision-trees supports: max_leaf_nodes, learning_rate, criterion, verbose, notes, found 3'],
    ['a missing required one', {}, 'steps.t.hyperParameters.learning_rate: expected a number from 0.0001 to 1 (required by scikit-decision-trees), found nothing'],
  ] as const)('hyperparameters: %s', (_, hyperParameters, expected) => {
    expect(messages(train({ hyperParameters }))).toEqual([expected])
  })

  it('free text takes anything', () => {
    expect(messages(train({ hyperParameters: { learning_rate: 0.1, notes: 'any, "thing"' } }))).toEqual([])
  })

  it.each([
    ['an unknown channel', { channels: { training: BASE.channels!.training!, test: { uri: 's3://example-bucket/test/' } } }, 'steps.t.channels.test: expected a channel scikit-decision-trees reads: training, validation, found "test"'],
    ['a missing required channel', { channels: { validation: { uri: 's3://example-bucket/v/' } } }, 'steps.t.channels.training: expected a "training" channel (required by scikit-decision-trees), found nothing'],
    ['the job\'s input mode on a channel that cannot read it', { inputMode: 'Pipe' as const }, 'steps.t.inputMode: expected an input mode channel "training" of scikit-decision-trees supports: File, found "Pipe"'],
    [
      'a channel\'s own input mode',
      { channels: { training: { ...BASE.channels!.training!, inputMode: 'FastFile' as const } } },
      'steps.t.channels.training.inputMode: expected an input mode channel "training" of scikit-decision-trees supports: File, found "FastFile"',
    ],
    [
      'a content type the channel does not read',
      { channels: { training: { uri: 's3://example-bucket/train/', contentType: 'application/json' } } },
      'steps.t.channels.training.contentType: expected a content type channel "training" of scikit-decision-trees supports: text/csv, found "application/json"',
    ],
    [
      'a compression the channel does not read',
      { channels: { training: { ...BASE.channels!.training!, compression: 'Gzip' as const } } },
      'steps.t.channels.training.compression: expected a compression type channel "training" of scikit-decision-trees supports: None, found "Gzip"',
    ],
    ['an instance type it does not support', { instanceType: 'ml.p3.2xlarge' }, 'steps.t.resources.instanceType: expected an instance type scikit-decision-trees supports: ml.m5.xlarge, ml.c5.xlarge, found "ml.p3.2xlarge"'],
    ['two instances without distributed training', { instanceCount: 2 }, 'steps.t.resources.instanceCount: expected 1: scikit-decision-trees does not support distributed training, found 2'],
    ['another algorithm\'s name', { algorithmName: 'other-algorithm' }, `steps.t.algorithmName: expected the described algorithm's name or ARN (scikit-decision-trees or ${ARN}), found "other-algorithm"`],
    [
      'network isolation turned off for a marketplace product',
      { enableNetworkIsolation: false },
      'steps.t.enableNetworkIsolation: expected true: scikit-decision-trees is an AWS Marketplace product (prod-abc123), which SageMaker runs network-isolated, found false',
    ],
  ] as const)('channels and resources: %s', (_, extra, expected) => {
    expect(messages(train(extra as Partial<M.AlgorithmEstimatorOptions>))).toEqual([expected])
  })

  it('a channel with Pipe support may be read in Pipe mode', () => {
    const channels = { ...BASE.channels, validation: { uri: 's3://example-bucket/v/', inputMode: 'Pipe' as const } }
    expect(messages(train({ channels }))).toEqual([])
  })

  it('distributed training is allowed when the description does not forbid it', () => {
    const d = { ...DESCRIPTION, TrainingSpecification: { ...DESCRIPTION.TrainingSpecification!, SupportsDistributedTraining: undefined } }
    expect(messages(train({ instanceCount: 2, algorithmDescription: d }))).toEqual([])
  })

  it('without a ProductId (an algorithm of this account) network isolation is the user\'s choice', () => {
    const own = { ...DESCRIPTION, ProductId: undefined, AlgorithmName: 'my-algo', AlgorithmArn: 'arn:aws:sagemaker:us-east-2:123456789012:algorithm/my-algo' }
    expect(train({ algorithmName: 'my-algo', algorithmDescription: own }).enableNetworkIsolation).toBeUndefined()
    expect(messages(train({ algorithmName: 'my-algo', algorithmDescription: own }))).toEqual([])
  })

  it('without a description nothing is checked and values are printed as Python would', () => {
    const step = M.algorithmEstimator('t', { algorithmName: 'anything', role: ROLE, instanceType: 'ml.g5.xlarge', instanceCount: 4, output: OUTPUT, hyperParameters: { flag: false, n: 3, s: 'x' } })
    expect(step.presetErrors).toBeUndefined()
    expect(step.enableNetworkIsolation).toBeUndefined()
    expect(step.hyperParameters).toEqual({ flag: 'False', n: '3', s: 'x' })
    const [req] = resolvedRequests(step)
    expectValidRequest('CreateTrainingJob', req!.input)
  })

  it('reports every problem at once', () => {
    const m = messages(train({ instanceType: 'ml.p3.2xlarge', instanceCount: 3, hyperParameters: { max_leaf_nodes: -1 }, channels: {} }))
    expect(m.map((x) => x.split(':')[0])).toEqual([
      'steps.t.hyperParameters.max_leaf_nodes',
      'steps.t.hyperParameters.learning_rate',
      'steps.t.channels.training',
      'steps.t.resources.instanceType',
      'steps.t.resources.instanceCount',
    ])
  })
})

describe('model packages', () => {
  const est = train()
  const pkg = M.modelPackageFromTraining('pkg', { training: est })
  const mdl = M.modelFromPackage('mdl', { modelPackageName: pkg.outputs.arn, role: ROLE, enableNetworkIsolation: true })
  const ep = endpoint('ep', { variants: [{ model: mdl.outputs.name, instanceType: 'ml.m5.large' }] })

  it('golden requests: CreateModelPackage from the algorithm and the model data, then CreateModel with ModelPackageName', () => {
    const reqs = resolvedRequests(est, pkg, mdl, ep)
    expect(reqs.map((r) => r._tag)).toEqual(['CreateTrainingJob', 'CreateModelPackage', 'CreateModel', 'CreateEndpointConfig', 'CreateEndpoint'])
    const [, createPackage, createModel] = reqs
    expect(createPackage!.input).toEqual({
      ModelPackageName: `pkg-${RUN}`,
      ModelPackageDescription: `Model Package created from training with ${ARN}`,
      SourceAlgorithmSpecification: { SourceAlgorithms: [{ AlgorithmName: ARN, ModelDataUrl: 's3://example-bucket/out/job/output/model.tar.gz' }] },
    })
    expect(createModel!.input).toEqual({
      ModelName: `mdl-${RUN}`,
      PrimaryContainer: { ModelPackageName: 'pkg-resolved' },
      ExecutionRoleArn: ROLE,
      EnableNetworkIsolation: true,
    })
    expectValidRequest('CreateModelPackage', createPackage!.input)
    expectValidRequest('CreateModel', createModel!.input)
  })

  it('the plan orders them by their refs and the dry run shows the package', () => {
    const v = validate(program(ep, mdl, pkg, est))
    if (E.isLeft(v)) throw new Error(v.left.map(message).join('\n'))
    const plan = toPlan(v.right)
    expect(plan.steps.map((s) => [s.name, s.kind, s.dependsOn])).toEqual([
      ['t', 'Training', []],
      ['pkg', 'ModelPackage', ['t']],
      ['mdl', 'Model', ['pkg']],
      ['ep', 'Endpoint', ['mdl']],
    ])
    const text = toText(plan)
    expect(text).toContain('2. pkg (ModelPackage) → pkg-<run>')
    expect(text).toContain(`   algorithm   ${ARN}`)
    expect(text).toContain('   model data  <t.ModelArtifacts.S3ModelArtifacts>')
  })

  it('a ModelPackage step survives JSON and is checked by its codec', () => {
    const parsed = JSON.parse(toJson(program(est, pkg))) as unknown
    expect(E.isRight(validate(parsed))).toBe(true)
    const bad = modelPackage('p', { algorithmName: 'x', modelDataUrl: '/not/s3', ...({ colour: 'red' } as object) } as never)
    expect(messages(bad)).toEqual([
      'steps.p.modelDataUrl: expected an S3 URI (s3://bucket/prefix) of at most 1024 characters, found "/not/s3"',
      'steps.p.colour: unknown field (found "red")',
    ])
  })

  it('refs to a package are checked against DescribeModelPackage', () => {
    const wrong = M.modelFromPackage('m2', { modelPackageName: ref('pkg', ['ModelPackageVersion']), role: ROLE })
    const m = messages(est, pkg, wrong)
    expect(m).toEqual([
      'steps.m2.container.modelPackageName: step "pkg" has no output "ModelPackageVersion" (expected one of: ModelPackageName, ModelPackageArn, ModelPackageStatus, ModelPackageDescription)',
    ])
  })

  it('a package needs a training step that trained with an algorithm', () => {
    const byo = training('b', { image: '111122223333.dkr.ecr.us-west-2.amazonaws.com/x:1', role: ROLE, resources: { instanceType: 'ml.m5.large' }, output: OUTPUT })
    const m = messages(byo, M.modelPackageFromTraining('p', { training: byo }))
    expect(m).toEqual(['steps.p.algorithmName: expected a training step that trains with an algorithm (algorithmEstimator), not an image, found "111122223333.dkr.ecr.us-west-2.amazonaws.com/x:1"'])
  })

  it('a described marketplace package runs isolated; turning that off is an error', () => {
    const desc = { InferenceSpecification: { Containers: [{ Image: 'x', ProductId: 'prod-1' }], SupportedContentTypes: [], SupportedResponseMIMETypes: [] } }
    const arn = 'arn:aws:sagemaker:us-east-2:123456789012:model-package/some-product-123'
    const sub = existing(arn)
    expect(M.modelFromPackage('m', { modelPackageName: sub, modelPackageDescription: desc }).enableNetworkIsolation).toBe(true)
    expect(messages(M.modelFromPackage('m', { modelPackageName: sub, modelPackageDescription: desc, enableNetworkIsolation: false }))).toEqual([
      'steps.m.enableNetworkIsolation: expected true: a marketplace model package runs network-isolated, found false',
    ])
    // With a role, so the request is valid against older service models too (which require ExecutionRoleArn).
    const role = 'arn:aws:iam::123456789012:role/SageMakerRole'
    const [req] = resolvedRequests(M.modelFromPackage('m', { modelPackageName: sub, modelPackageDescription: desc, environment: { A: '1' }, role }))
    expect(req!.input).toEqual({
      ModelName: `m-${RUN}`,
      PrimaryContainer: { ModelPackageName: arn, Environment: { A: '1' } },
      ExecutionRoleArn: role,
      EnableNetworkIsolation: true,
    })
    expectValidRequest('CreateModel', req!.input)
  })
})
