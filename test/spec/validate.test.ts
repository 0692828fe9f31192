import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { validate } from '../../src/spec/validate.js'
import { message, type SpecError } from '../../src/spec/errors.js'
import { endpoint, model, training, after } from '../../src/spec/step.js'
import { program, toJson } from '../../src/spec/program.js'
import { code, join, param, ref, runId } from '../../src/spec/val.js'
import { IMAGE, ROLE, invalid, valid } from '../support/fixtures.js'
import trainDeploy from '../../examples/train-deploy.js'
import tuningExample from '../../examples/tuning.js'
import batchTransform from '../../examples/batch-transform.js'
import inferencePipeline from '../../examples/inference-pipeline.js'

const EXAMPLES = { 'train-deploy': trainDeploy, tuning: tuningExample, 'batch-transform': batchTransform, 'inference-pipeline': inferencePipeline }

// -------------------------------------------------------------------------------------
// raw (JSON-shaped) steps: validate takes unknown input, so most cases are written as plain data
// -------------------------------------------------------------------------------------

type Fields = Record<string, unknown>

const job = { image: IMAGE, role: ROLE, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://bucket/out' } }
const train = (extra: Fields = {}, name = 'train') => ({ _tag: 'Training', name, ...job, ...extra })
const tune = (extra: Fields = {}, name = 'tune') => ({
  _tag: 'Tuning',
  name,
  training: { ...job, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }] },
  objective: { metricName: 'auc', type: 'Maximize' },
  ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
  ...extra,
})
const mdl = (extra: Fields = {}, name = 'm') => ({ _tag: 'Model', name, container: { image: IMAGE, modelDataUrl: 's3://bucket/model.tar.gz' }, role: ROLE, ...extra })
const existingModel = (name: string) => ({ _tag: 'Existing', name })
const ep = (extra: Fields = {}, name = 'serve') => ({ _tag: 'Endpoint', name, variants: [{ model: existingModel('m1'), instanceType: 'ml.m5.large' }], ...extra })
const xform = (extra: Fields = {}, name = 'score') => ({
  _tag: 'Transform',
  name,
  model: existingModel('m1'),
  resources: { instanceType: 'ml.m5.xlarge' },
  input: { uri: 's3://bucket/in/' },
  output: { s3OutputPath: 's3://bucket/out/' },
  ...extra,
})
const prog = (...steps: ReadonlyArray<unknown>) => ({ steps })
const withDecls = (params: ReadonlyArray<unknown>, ...steps: ReadonlyArray<unknown>) => ({ params, steps })

/** What a test asserts about each error: its tag, its path and the whole message a person reads. */
type Expected = readonly [SpecError['_tag'], string, string]
const summary = (errors: ReadonlyArray<SpecError>): ReadonlyArray<Expected> => errors.map((e) => [e._tag, e.path, message(e)] as const)

interface Case {
  readonly title: string
  readonly program: unknown
  readonly errors: ReadonlyArray<Expected>
}

const CASES: ReadonlyArray<Case> = [
  // --- wrong types
  {
    title: 'a string where an integer belongs',
    program: prog(train({ resources: { instanceType: 'ml.m5.xlarge', instanceCount: 'two' } })),
    errors: [
      ['InvalidField', 'steps.train.resources.instanceCount', 'steps.train.resources.instanceCount: expected an integer of at least 1, found "two"'],
    ],
  },
  {
    title: 'a fractional volume size',
    program: prog(train({ resources: { instanceType: 'ml.m5.xlarge', volumeSizeInGb: 1.5 } })),
    errors: [
      ['InvalidField', 'steps.train.resources.volumeSizeInGb', 'steps.train.resources.volumeSizeInGb: expected an integer of at least 1, found 1.5'],
    ],
  },
  {
    title: 'a string where a boolean belongs',
    program: prog(train({ enableNetworkIsolation: 'yes' })),
    errors: [
      ['InvalidField', 'steps.train.enableNetworkIsolation', 'steps.train.enableNetworkIsolation: expected true or false, found "yes"'],
    ],
  },
  {
    title: 'a list where a map belongs',
    program: prog(train({ environment: ['A=1'] })),
    errors: [
      ['InvalidField', 'steps.train.environment', 'steps.train.environment: expected a map of at most 100 entries, found ["A=1"]'],
    ],
  },
  // --- out-of-range numbers
  {
    title: 'zero instances',
    program: prog(train({ resources: { instanceType: 'ml.m5.xlarge', instanceCount: 0 } })),
    errors: [
      ['InvalidField', 'steps.train.resources.instanceCount', 'steps.train.resources.instanceCount: expected an integer of at least 1, found 0'],
    ],
  },
  {
    title: 'a retry count above the maximum',
    program: prog(train({ retryAttempts: 31 })),
    errors: [
      ['InvalidField', 'steps.train.retryAttempts', 'steps.train.retryAttempts: expected an integer from 1 to 30, found 31'],
    ],
  },
  {
    title: 'a tuning max runtime below the minimum',
    program: prog(tune({ maxRuntimeInSeconds: 60 })),
    errors: [
      ['InvalidField', 'steps.tune.maxRuntimeInSeconds', 'steps.tune.maxRuntimeInSeconds: expected an integer from 120 to 15768000, found 60'],
    ],
  },
  // --- bad patterns
  {
    title: 'a step name with underscores and a bang (falls back to the index in the path)',
    program: prog(train({}, 'bad_name!')),
    errors: [
      ['InvalidField', 'steps.0.name', 'steps.0.name: expected a name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit, found "bad_name!"'],
    ],
  },
  {
    title: 'a role that is not an IAM role ARN',
    program: prog(train({ role: 'SageMakerRole' })),
    errors: [
      ['InvalidField', 'steps.train.role', 'steps.train.role: expected an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>), found "SageMakerRole"'],
    ],
  },
  {
    title: 'an output path that is not an S3 URI',
    program: prog(train({ output: { s3OutputPath: 'bucket/out' } })),
    errors: [
      ['InvalidField', 'steps.train.output.s3OutputPath', 'steps.train.output.s3OutputPath: expected an S3 URI (s3://bucket/prefix) or a local file:// URI, found "bucket/out"'],
    ],
  },
  {
    title: 'an instance type without the ml. prefix',
    program: prog(train({ resources: { instanceType: 'm5.xlarge' } })),
    errors: [
      ['InvalidField', 'steps.train.resources.instanceType', 'steps.train.resources.instanceType: expected an instance type that training and tuning jobs run on (did you mean "ml.m5.xlarge"?), found "m5.xlarge"'],
    ],
  },
  {
    title: 'instance types that do not exist for their use, with the nearest real one',
    program: prog(
      train({ resources: { instanceType: 'ml.m5.xlarg' } }),
      // ml.c5.large hosts endpoints but runs no training job; nothing is near ml.zz.tiny.
      tune({ training: { ...job, resources: { instanceType: 'ml.zz.tiny' }, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }] } }),
      ep({ variants: [{ model: existingModel('m1'), instanceType: 'ml.c5.large' }, { model: existingModel('m1'), name: 'b', instanceType: 'ml.t2.mediun' }] }),
      xform({ resources: { instanceType: 'ml.c5.large' } }),
    ),
    errors: [
      ['InvalidField', 'steps.train.resources.instanceType', 'steps.train.resources.instanceType: expected an instance type that training and tuning jobs run on (did you mean "ml.m5.xlarge"?), found "ml.m5.xlarg"'],
      ['InvalidField', 'steps.tune.training.resources.instanceType', 'steps.tune.training.resources.instanceType: expected an instance type that training and tuning jobs run on (the SDK\'s TrainingInstanceType lists them), found "ml.zz.tiny"'],
      ['InvalidField', 'steps.serve.variants.1.instanceType', 'steps.serve.variants.1.instanceType: expected an instance type that endpoints are hosted on (did you mean "ml.t2.medium"?), found "ml.t2.mediun"'],
      ['InvalidField', 'steps.score.resources.instanceType', 'steps.score.resources.instanceType: expected an instance type that transform jobs run on (did you mean "ml.c5.xlarge"?), found "ml.c5.large"'],
    ],
  },
  {
    title: 'a base job name ending in a hyphen',
    program: prog(train({ baseJobName: 'churn-' })),
    errors: [
      ['InvalidField', 'steps.train.baseJobName', 'steps.train.baseJobName: expected a base name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit, found "churn-"'],
    ],
  },
  {
    title: 'a channel name and an environment variable name that break their patterns (reported at the key)',
    program: prog(train({ channels: { 'train data': { uri: 's3://bucket/train/' } }, environment: { '1BAD': 'x' } })),
    errors: [
      ['InvalidField', 'steps.train.environment.1BAD', 'steps.train.environment.1BAD: expected a key that is an environment variable name ([a-zA-Z_][a-zA-Z0-9_]*), found "1BAD"'],
      ['InvalidField', 'steps.train.channels.train data', 'steps.train.channels.train data: expected a key that is a channel name of 1 to 64 letters, digits, dots, hyphens and underscores, found "train data"'],
    ],
  },
  // --- unknown and missing fields
  {
    title: 'a misspelt field',
    program: prog(train({ resources: { instanceType: 'ml.m5.xlarge', instanceCont: 2 } })),
    errors: [
      ['UnknownField', 'steps.train.resources.instanceCont', 'steps.train.resources.instanceCont: unknown field (found 2)'],
    ],
  },
  {
    title: 'a field of another step kind',
    program: prog(mdl({ hyperParameters: { a: 1 } })),
    errors: [
      ['UnknownField', 'steps.m.hyperParameters', 'steps.m.hyperParameters: unknown field (found {"a":1})'],
    ],
  },
  {
    title: 'missing required fields',
    program: prog({ _tag: 'Training', name: 'train', image: IMAGE, output: { s3OutputPath: 's3://bucket/out' } }),
    errors: [
      ['MissingField', 'steps.train.role', 'steps.train.role: required field is missing (expected an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>))'],
      ['MissingField', 'steps.train.resources', 'steps.train.resources: required field is missing (expected an object (Resources))'],
    ],
  },
  // --- enums
  {
    title: 'an input mode that does not exist',
    program: prog(train({ inputMode: 'Streaming' })),
    errors: [
      ['InvalidField', 'steps.train.inputMode', 'steps.train.inputMode: expected one of "Pipe", "File", "FastFile", found "Streaming"'],
    ],
  },
  {
    title: 'an objective type and a strategy that do not exist',
    program: prog(tune({ objective: { metricName: 'auc', type: 'Maximise' }, strategy: 'Genetic' })),
    errors: [
      ['InvalidField', 'steps.tune.objective.type', 'steps.tune.objective.type: expected one of "Maximize", "Minimize", found "Maximise"'],
      ['InvalidField', 'steps.tune.strategy', 'steps.tune.strategy: expected one of "Bayesian", "Random", "Hyperband", "Grid", found "Genetic"'],
    ],
  },
  // --- cross-field rules
  {
    title: 'both an image and an algorithm',
    program: prog(train({ algorithmName: 'my-algorithm' })),
    errors: [
      ['Rule', 'steps.train.algorithmName', 'steps.train.algorithmName: expected exactly one of image and algorithmName, found {"image":"111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0","algorithmName":"my-algorithm"}'],
    ],
  },
  {
    title: 'neither an image nor an algorithm',
    program: prog(train({ image: undefined })),
    errors: [
      ['Rule', 'steps.train.image', 'steps.train.image: expected exactly one of image and algorithmName, found nothing'],
    ],
  },
  {
    title: 'a VPC config with subnets only',
    program: prog(train({ vpc: { subnets: ['subnet-0a'] } })),
    errors: [
      ['Rule', 'steps.train.vpc.securityGroupIds', 'steps.train.vpc.securityGroupIds: expected securityGroupIds too: a VPC config needs both subnets and securityGroupIds, found nothing'],
    ],
  },
  {
    title: 'a spot wait shorter than the max runtime',
    program: prog(train({ stopping: { maxRuntimeInSeconds: 3600 }, spot: { maxWaitTimeInSeconds: 1800 } })),
    errors: [
      ['Rule', 'steps.train.spot.maxWaitTimeInSeconds', 'steps.train.spot.maxWaitTimeInSeconds: expected at least stopping.maxRuntimeInSeconds (3600), found 1800'],
    ],
  },
  {
    title: 'a model channel name without a model',
    program: prog(train({ modelChannelName: 'pretrained' })),
    errors: [
      ['Rule', 'steps.train.modelChannelName', 'steps.train.modelChannelName: expected modelUri as well: the model channel carries modelUri, found "pretrained"'],
    ],
  },
  {
    title: 'tuning with no ranges',
    program: prog(tune({ ranges: {} })),
    errors: [
      ['Rule', 'steps.tune.ranges', 'steps.tune.ranges: expected at least one hyperparameter range, found {}'],
    ],
  },
  {
    title: 'a range whose min is not below its max',
    program: prog(tune({ ranges: { eta: { _tag: 'Continuous', min: 0.5, max: 0.5 }, depth: { _tag: 'Integer', min: 10, max: 3 } } })),
    errors: [
      ['Rule', 'steps.tune.ranges.eta.max', 'steps.tune.ranges.eta.max: expected a value greater than min (0.5), found 0.5'],
      ['Rule', 'steps.tune.ranges.depth.max', 'steps.tune.ranges.depth.max: expected a value greater than min (10), found 3'],
    ],
  },
  {
    title: 'Logarithmic scaling from zero',
    program: prog(tune({ ranges: { eta: { _tag: 'Continuous', min: 0, max: 0.5, scaling: 'Logarithmic' } } })),
    errors: [
      ['Rule', 'steps.tune.ranges.eta.min', 'steps.tune.ranges.eta.min: expected a value greater than 0 for Logarithmic scaling, found 0'],
    ],
  },
  {
    title: 'Grid over a continuous range, with a job count',
    program: prog(tune({ strategy: 'Grid', maxJobs: 10 })),
    errors: [
      ['Rule', 'steps.tune.ranges.eta', 'steps.tune.ranges.eta: expected a Categorical range: the Grid strategy searches categorical ranges only, found "Continuous"'],
      ['Rule', 'steps.tune.maxJobs', 'steps.tune.maxJobs: expected no maxJobs with the Grid strategy (it runs every combination), found 10'],
    ],
  },
  {
    title: 'more parallel jobs than jobs',
    program: prog(tune({ maxJobs: 4, maxParallelJobs: 8 })),
    errors: [
      ['Rule', 'steps.tune.maxParallelJobs', 'steps.tune.maxParallelJobs: expected at most maxJobs (4), found 8'],
    ],
  },
  {
    title: 'Hyperband settings without the Hyperband strategy',
    program: prog(tune({ hyperband: { minResource: 1, maxResource: 9 } })),
    errors: [
      ['Rule', 'steps.tune.hyperband', 'steps.tune.hyperband: expected the Hyperband strategy (hyperband settings apply to it only), found "Bayesian"'],
    ],
  },
  {
    title: 'an objective metric no definition reports',
    program: prog(tune({ objective: { metricName: 'validation:rmse', type: 'Minimize' } })),
    errors: [
      ['Rule', 'steps.tune.objective.metricName', 'steps.tune.objective.metricName: expected one of the defined metrics: auc, found "validation:rmse"'],
    ],
  },
  {
    title: 'a model with both a container and containers',
    program: prog(mdl({ containers: [{ image: IMAGE }] })),
    errors: [
      ['Rule', 'steps.m.container', 'steps.m.container: expected exactly one of container (one container) and containers (an inference pipeline), found "both"'],
    ],
  },
  {
    title: 'a model with neither a container nor containers',
    program: prog(mdl({ container: undefined })),
    errors: [
      ['Rule', 'steps.m.container', 'steps.m.container: expected exactly one of container (one container) and containers (an inference pipeline), found nothing'],
    ],
  },
  {
    title: 'a model built from an image without a role',
    program: prog(mdl({ role: undefined })),
    errors: [
      ['Rule', 'steps.m.role', 'steps.m.role: expected an IAM role ARN: a model built from an image needs an execution role, found nothing'],
    ],
  },
  {
    title: 'two variants with the same (default) name',
    program: prog(ep({ variants: [{ model: existingModel('m1'), instanceType: 'ml.m5.large' }, { name: 'AllTraffic', model: existingModel('m2'), instanceType: 'ml.m5.large' }] })),
    errors: [
      ['Rule', 'steps.serve.variants.1.name', 'steps.serve.variants.1.name: expected a variant name not used by another variant, found "AllTraffic"'],
    ],
  },
  {
    title: 'a transform whose payload times concurrency exceeds 100 MB',
    program: prog(xform({ maxPayloadInMb: 20, maxConcurrentTransforms: 6 })),
    errors: [
      ['Rule', 'steps.score.maxConcurrentTransforms', 'steps.score.maxConcurrentTransforms: expected maxConcurrentTransforms × maxPayloadInMb of at most 100 MB (maxPayloadInMb is 20), found 6'],
    ],
  },
  // --- refs
  {
    title: 'a ref to a step that is not in the program',
    program: prog(mdl({ container: { image: IMAGE, modelDataUrl: ref('trian', ['ModelArtifacts', 'S3ModelArtifacts']) } })),
    errors: [
      ['DanglingRef', 'steps.m.container.modelDataUrl', 'steps.m.container.modelDataUrl: refers to step "trian", which is not in the program'],
    ],
  },
  {
    title: 'a ref to an output the step does not have',
    program: prog(train(), mdl({ container: { image: IMAGE, modelDataUrl: ref('train', ['ModelArtifacts', 'S3Uri']) } })),
    errors: [
      ['UnknownOutput', 'steps.m.container.modelDataUrl', 'steps.m.container.modelDataUrl: step "train" has no output "ModelArtifacts.S3Uri" (expected one of: S3ModelArtifacts)'],
    ],
  },
  {
    title: 'a string output in an integer field',
    program: prog(train(), train({ resources: { instanceType: 'ml.m5.xlarge', instanceCount: ref('train', ['TrainingJobName']) } }, 'second')),
    errors: [
      ['RefTypeMismatch', 'steps.second.resources.instanceCount', 'steps.second.resources.instanceCount: train.TrainingJobName is a string, but this field needs an integer'],
    ],
  },
  {
    title: 'a number output in a boolean field',
    program: prog(train(), train({ enableNetworkIsolation: ref('train', ['BillableTimeInSeconds']) }, 'second')),
    errors: [
      ['RefTypeMismatch', 'steps.second.enableNetworkIsolation', 'steps.second.enableNetworkIsolation: train.BillableTimeInSeconds is a number, but this field needs a boolean'],
    ],
  },
  {
    title: 'a ref with an empty path',
    program: prog(train(), mdl({ container: { image: IMAGE, modelDataUrl: { _tag: 'Ref', step: 'train', path: [] } } })),
    errors: [
      ['InvalidField', 'steps.m.container.modelDataUrl', 'steps.m.container.modelDataUrl: expected a ref with a non-empty output path, found {"_tag":"Ref","step":"train","path":[]}'],
    ],
  },
  // --- params
  {
    title: 'a param nobody declared (hand-written JSON names it only)',
    program: prog(train({ resources: { instanceType: { _tag: 'Param', name: 'instanceType' } } })),
    errors: [
      ['UndeclaredParam', 'steps.train.resources.instanceType', 'steps.train.resources.instanceType: parameter "instanceType" is not declared in the program\'s params'],
    ],
  },
  {
    title: 'a String param in an integer field',
    program: withDecls([{ name: 'count', type: 'String', default: '2' }], train({ resources: { instanceType: 'ml.m5.xlarge', instanceCount: { _tag: 'Param', name: 'count' } } })),
    errors: [
      ['ParamTypeMismatch', 'steps.train.resources.instanceCount', 'steps.train.resources.instanceCount: parameter "count" is a String, but this field needs an integer'],
    ],
  },
  {
    title: 'a use site whose type disagrees with the declaration',
    program: withDecls([{ name: 'epochs', type: 'Integer' }], train({ hyperParameters: { epochs: { _tag: 'Param', name: 'epochs', type: 'Float' } } })),
    errors: [
      ['ParamTypeMismatch', 'steps.train.hyperParameters.epochs', 'steps.train.hyperParameters.epochs: parameter "epochs" is Float, but this field needs the declared type Integer'],
    ],
  },
  {
    title: 'a param default of the wrong type, and allowed values of the wrong type',
    program: withDecls([{ name: 'epochs', type: 'Integer', default: 'ten', allowed: [5, 'ten'] }], train({ hyperParameters: { epochs: { _tag: 'Param', name: 'epochs' } } })),
    errors: [
      ['InvalidField', 'params.0.default', 'params.0.default: expected an Integer value, found "ten"'],
      ['InvalidField', 'params.0.allowed.1', 'params.0.allowed.1: expected an Integer value, found "ten"'],
    ],
  },
  {
    title: 'a param default that is not among the allowed values',
    program: withDecls([{ name: 'size', type: 'String', default: 'ml.p3.2xlarge', allowed: ['ml.m5.xlarge', 'ml.m5.2xlarge'] }], train({ resources: { instanceType: { _tag: 'Param', name: 'size' } } })),
    errors: [
      ['Rule', 'params.0.default', 'params.0.default: expected one of the allowed values ["ml.m5.xlarge","ml.m5.2xlarge"], found "ml.p3.2xlarge"'],
    ],
  },
  {
    title: 'a param declared twice',
    program: withDecls([{ name: 'epochs', type: 'Integer' }, { name: 'epochs', type: 'Float' }], train()),
    errors: [
      ['Rule', 'params.1.name', 'params.1.name: expected a parameter name not declared twice, found "epochs"'],
    ],
  },
  {
    title: 'a param with an invalid name',
    program: prog(train({ resources: { instanceType: { _tag: 'Param', name: 'instance-type' } } })),
    errors: [
      ['InvalidField', 'steps.train.resources.instanceType.name', 'steps.train.resources.instanceType.name: expected a parameter name matching ^[A-Za-z_][A-Za-z0-9_]{0,63}$, found "instance-type"'],
    ],
  },
  // --- the graph
  {
    title: 'two steps with the same name',
    program: prog(train(), train()),
    errors: [
      ['DuplicateStepName', 'steps.1.name', 'steps.1.name: step name "train" is used more than once'],
    ],
  },
  {
    title: 'a two-step cycle through refs',
    program: prog(
      train({ modelUri: ref('b', ['ModelArtifacts', 'S3ModelArtifacts']) }, 'a'),
      train({ modelUri: ref('a', ['ModelArtifacts', 'S3ModelArtifacts']) }, 'b'),
    ),
    errors: [
      ['Cycle', 'steps.a', 'steps.a: dependency cycle a -> b -> a'],
    ],
  },
  {
    title: 'a step that depends on itself',
    program: prog(train({ after: ['train'] })),
    errors: [
      ['Cycle', 'steps.train', 'steps.train: dependency cycle train -> train'],
    ],
  },
  {
    title: 'a three-step cycle mixing refs and after',
    program: prog(train({ after: ['c'] }, 'a'), train({ modelUri: ref('a', ['ModelArtifacts', 'S3ModelArtifacts']) }, 'b'), train({ after: ['b'] }, 'c')),
    errors: [
      ['Cycle', 'steps.a', 'steps.a: dependency cycle a -> b -> c -> a'],
    ],
  },
  {
    title: 'after naming a step that is not in the program',
    program: prog(train(), mdl({ after: ['train', 'deploy'] })),
    errors: [
      ['DanglingRef', 'steps.m.after.1', 'steps.m.after.1: refers to step "deploy", which is not in the program'],
    ],
  },
  // --- joins, run ids and code in the wrong place
  {
    title: 'a join in an integer field, and the run id in a boolean field',
    program: prog(train({ resources: { instanceType: 'ml.m5.xlarge', instanceCount: join('', ['1']) }, enableNetworkIsolation: runId })),
    errors: [
      ['InvalidField', 'steps.train.resources.instanceCount', 'steps.train.resources.instanceCount: expected an integer (join builds strings), found {"_tag":"Join","on":"","values":["1"]}'],
      ['InvalidField', 'steps.train.enableNetworkIsolation', 'steps.train.enableNetworkIsolation: expected a boolean (the run id is a string), found {"_tag":"RunId"}'],
    ],
  },
  {
    title: 'code with an S3 entry point, and code in an integer field',
    program: prog(train({ hyperParameters: { sagemaker_program: code({ entryPoint: 's3://bucket/train.py', s3Prefix: 's3://bucket/code' }) }, retryAttempts: code({ entryPoint: 'train.py', s3Prefix: 's3://bucket/code' }) })),
    errors: [
      ['InvalidField', 'steps.train.hyperParameters.sagemaker_program.entryPoint', 'steps.train.hyperParameters.sagemaker_program.entryPoint: expected a local script path (relative to sourceDir), found "s3://bucket/train.py"'],
      ['InvalidField', 'steps.train.retryAttempts', 'steps.train.retryAttempts: expected an integer (code archives are S3 URIs), found {"_tag":"Code","entryPoint":"train.py","s3Prefix":"s3://bucket/code"}'],
    ],
  },
  // --- presets
  {
    title: 'a problem a preset reported, prefixed with the step path',
    program: prog(train({ presetErrors: [{ path: 'hyperParameters.num_class', expected: 'an integer of at least 2 for multi:softmax', actual: 1 }] })),
    errors: [
      ['Rule', 'steps.train.hyperParameters.num_class', 'steps.train.hyperParameters.num_class: expected an integer of at least 2 for multi:softmax, found 1'],
    ],
  },
  // --- cross-field rules each pinned by a case of its own (each fails if its rule is removed)
  {
    title: 'a model with half a VPC config (it would be dropped from the request)',
    program: prog(mdl({ vpc: { subnets: ['subnet-0a'] } }), mdl({ vpc: { securityGroupIds: ['sg-0123'] } }, 'm2')),
    errors: [
      ['Rule', 'steps.m.vpc.securityGroupIds', 'steps.m.vpc.securityGroupIds: expected securityGroupIds too: a VPC config needs both subnets and securityGroupIds, found nothing'],
      ['Rule', 'steps.m2.vpc.subnets', 'steps.m2.vpc.subnets: expected subnets too: a VPC config needs both subnets and securityGroupIds, found nothing'],
    ],
  },
  {
    title: 'two pipeline containers with one hostname',
    program: prog(mdl({ container: undefined, containers: [{ image: IMAGE, containerHostname: 'a' }, { image: IMAGE, containerHostname: 'a' }] })),
    errors: [['Rule', 'steps.m.containers', 'steps.m.containers: expected distinct containerHostname values, found ["a","a"]']],
  },
  {
    title: 'a container with both an image and a model package, and one with neither',
    program: prog(
      mdl({ container: { image: IMAGE, modelPackageName: { _tag: 'Existing', name: 'arn:aws:sagemaker:us-west-2:111122223333:model-package/p/1' } } }),
      mdl({ container: { modelDataUrl: 's3://bucket/model.tar.gz' } }, 'm2'),
    ),
    errors: [
      ['Rule', 'steps.m.container.image', 'steps.m.container.image: expected exactly one of image and modelPackageName, found "both"'],
      ['Rule', 'steps.m2.container.image', 'steps.m2.container.image: expected exactly one of image and modelPackageName, found nothing'],
    ],
  },
  {
    title: 'a ReverseLogarithmic range whose max is 1',
    program: prog(tune({ ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 1, scaling: 'ReverseLogarithmic' } } })),
    errors: [['Rule', 'steps.tune.ranges.eta.max', 'steps.tune.ranges.eta.max: expected a value below 1 for ReverseLogarithmic scaling, found 1']],
  },
  {
    title: 'an integer range with ReverseLogarithmic scaling',
    program: prog(tune({ ranges: { d: { _tag: 'Integer', min: 1, max: 5, scaling: 'ReverseLogarithmic' } } })),
    errors: [
      ['Rule', 'steps.tune.ranges.d.scaling', 'steps.tune.ranges.d.scaling: expected Auto, Linear or Logarithmic for an integer range, found "ReverseLogarithmic"'],
      ['Rule', 'steps.tune.ranges.d.max', 'steps.tune.ranges.d.max: expected a value below 1 for ReverseLogarithmic scaling, found 5'],
    ],
  },
  {
    title: 'Hyperband with minResource above maxResource',
    program: prog(tune({ strategy: 'Hyperband', hyperband: { minResource: 10, maxResource: 9 } })),
    errors: [['Rule', 'steps.tune.hyperband.maxResource', 'steps.tune.hyperband.maxResource: expected at least minResource (10), found 9']],
  },
  {
    title: 'Hyperband with early stopping',
    program: prog(tune({ strategy: 'Hyperband', earlyStopping: 'Auto' })),
    errors: [['Rule', 'steps.tune.earlyStopping', 'steps.tune.earlyStopping: expected "Off": Hyperband stops jobs early itself, found "Auto"']],
  },
  {
    title: 'more than 30 hyperparameter ranges',
    program: prog(tune({ ranges: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`p${i}`, { _tag: 'Continuous', min: 0.1, max: 0.5 }])) })),
    errors: [['Rule', 'steps.tune.ranges', 'steps.tune.ranges: expected at most 30 hyperparameter ranges, found 31']],
  },
  {
    title: 'a metric defined twice',
    program: prog(train({ metricDefinitions: [{ name: 'auc', regex: 'a=(.*)' }, { name: 'auc', regex: 'b=(.*)' }] })),
    errors: [['Rule', 'steps.train.metricDefinitions.1.name', 'steps.train.metricDefinitions.1.name: expected a metric name not defined twice, found "auc"']],
  },
  {
    title: 'a model channel whose name a data channel already uses',
    program: prog(train({ modelUri: 's3://bucket/old/model.tar.gz', channels: { model: { uri: 's3://bucket/m/' } } })),
    errors: [['Rule', 'steps.train.modelChannelName', 'steps.train.modelChannelName: expected a channel name not already used by channels (model channel "model"), found "model"']],
  },
  // --- reserved tag keys: AWS keeps `aws:` (in any case) for itself, on every step kind
  {
    title: 'tags with the reserved aws: prefix, on every step kind and a tuning template',
    program: prog(
      train({ tags: { 'aws:team': 'ml', team: 'ml' } }),
      tune({ tags: { 'AWS:cost': 'x' }, training: { ...job, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }], tags: { 'Aws:x': 'y' } } }),
      // Not m1: ep and xform name an outside model m1 with existing(), which a step m1 would contradict.
      mdl({ tags: { 'aws:m': 'y' } }, 'm0'),
      ep({ tags: { 'aws:e': 'y' } }),
      xform({ tags: { 'aws:t': 'y' } }),
      { _tag: 'ModelPackage', name: 'pkg', algorithmName: 'xgb-algo', modelDataUrl: 's3://bucket/model.tar.gz', tags: { 'aws:p': 'y', awsome: 'fine' } },
    ),
    errors: [
      ['Rule', 'steps.train.tags.aws:team', 'steps.train.tags.aws:team: expected a tag key not starting with "aws:" (AWS reserves that prefix for its own tags), found "aws:team"'],
      ['Rule', 'steps.tune.training.tags.Aws:x', 'steps.tune.training.tags.Aws:x: expected a tag key not starting with "aws:" (AWS reserves that prefix for its own tags), found "Aws:x"'],
      ['Rule', 'steps.tune.tags.AWS:cost', 'steps.tune.tags.AWS:cost: expected a tag key not starting with "aws:" (AWS reserves that prefix for its own tags), found "AWS:cost"'],
      ['Rule', 'steps.m0.tags.aws:m', 'steps.m0.tags.aws:m: expected a tag key not starting with "aws:" (AWS reserves that prefix for its own tags), found "aws:m"'],
      ['Rule', 'steps.serve.tags.aws:e', 'steps.serve.tags.aws:e: expected a tag key not starting with "aws:" (AWS reserves that prefix for its own tags), found "aws:e"'],
      ['Rule', 'steps.score.tags.aws:t', 'steps.score.tags.aws:t: expected a tag key not starting with "aws:" (AWS reserves that prefix for its own tags), found "aws:t"'],
      ['Rule', 'steps.pkg.tags.aws:p', 'steps.pkg.tags.aws:p: expected a tag key not starting with "aws:" (AWS reserves that prefix for its own tags), found "aws:p"'],
    ],
  },
  // --- the program itself
  {
    title: 'a JSON program whose step has a bad _tag',
    program: prog({ ...train(), _tag: 'Trainer' }),
    errors: [
      ['InvalidField', 'steps.train._tag', 'steps.train._tag: expected one of "Training", "Tuning", "Model", "Endpoint", "Transform", "ModelPackage", found "Trainer"'],
    ],
  },
  {
    title: 'a step without a _tag',
    program: prog({ name: 'train' }),
    errors: [
      ['InvalidField', 'steps.train._tag', 'steps.train._tag: expected one of "Training", "Tuning", "Model", "Endpoint", "Transform", "ModelPackage", found nothing'],
    ],
  },
  {
    title: 'a program that is not an object',
    program: 42,
    errors: [
      ['InvalidField', '', 'the program: expected an object (Program), found 42'],
    ],
  },
  {
    title: 'a program that is null',
    program: null,
    errors: [
      ['InvalidField', '', 'the program: expected an object (Program), found null'],
    ],
  },
  {
    title: 'a program without steps, with an unknown version',
    program: { version: '2' },
    errors: [
      ['MissingField', 'steps', 'steps: required field is missing (expected a list of steps)'],
      ['InvalidField', 'version', 'version: expected "1", found "2"'],
    ],
  },
  {
    title: 'steps that are not a list',
    program: { steps: { train: train() } },
    errors: [
      ['InvalidField', 'steps', 'steps: expected a list of steps, found {"train":{"_tag":"Training","name":"train","image":"111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0","...'],
    ],
  },
]

describe('validate', () => {
  it('has at least 30 distinct invalid programs', () => {
    expect(new Set(CASES.map((c) => c.title)).size).toBe(CASES.length)
    expect(CASES.length).toBeGreaterThanOrEqual(30)
  })

  it('reports every error of one program in one pass', () => {
    const p = withDecls(
      [{ name: 'epochs', type: 'Integer', default: 1.5 }],
      train({ resources: { instanceType: 'ml.m5.xlarge', instanceCount: 0 }, hyperParameters: { epochs: { _tag: 'Param', name: 'epochs' }, lr: { _tag: 'Param', name: 'lr' } } }),
      train({ algorithmName: 'xgb', after: ['nowhere'] }, 'train'),
      mdl({ container: { image: IMAGE, modelDataUrl: ref('train', ['ModelArtifact']) }, role: undefined, colour: 'blue' }),
      ep({ after: ['serve'] }),
      xform({ model: ref('gone', ['ModelName']), maxPayloadInMb: 50, maxConcurrentTransforms: 3 }),
    )
    expect(summary(invalid(p))).toStrictEqual([
      ['InvalidField', 'steps.train.resources.instanceCount', 'steps.train.resources.instanceCount: expected an integer of at least 1, found 0'],
      ['UnknownField', 'steps.m.colour', 'steps.m.colour: unknown field (found "blue")'],
      ['DuplicateStepName', 'steps.1.name', 'steps.1.name: step name "train" is used more than once'],
      ['InvalidField', 'params.0.default', 'params.0.default: expected an Integer value, found 1.5'],
      ['UndeclaredParam', 'steps.train.hyperParameters.lr', 'steps.train.hyperParameters.lr: parameter "lr" is not declared in the program\'s params'],
      ['UnknownOutput', 'steps.m.container.modelDataUrl', 'steps.m.container.modelDataUrl: step "train" has no output "ModelArtifact" (expected one of: TrainingJobName, TrainingJobArn, TrainingJobStatus, ModelArtifacts.S3ModelArtifacts, HyperParameters.<key>, OutputDataConfig.S3OutputPath, AlgorithmSpecification.TrainingImage, AlgorithmSpecification.AlgorithmName, RoleArn, CheckpointConfig.S3Uri, BillableTimeInSeconds, TrainingTimeInSeconds)'],
      ['DanglingRef', 'steps.score.model', 'steps.score.model: refers to step "gone", which is not in the program'],
      // The second "train" is still checked: its after list names a step that does not exist.
      ['DanglingRef', 'steps.1.after.0', 'steps.1.after.0: refers to step "nowhere", which is not in the program'],
      ['Cycle', 'steps.serve', 'steps.serve: dependency cycle serve -> serve'],
      // Steps that decode on their own are checked by their rules although others did not decode.
      ['Rule', 'steps.1.algorithmName', 'steps.1.algorithmName: expected exactly one of image and algorithmName, found {"image":"111122223333.dkr.ecr.us-west-2.amazonaws.com/churn-xgboost:1.0","algorithmName":"xgb"}'],
      ['Rule', 'steps.score.maxConcurrentTransforms', 'steps.score.maxConcurrentTransforms: expected maxConcurrentTransforms × maxPayloadInMb of at most 100 MB (maxPayloadInMb is 50), found 3'],
    ])
  })

  it('runs cross-field rules only once the fields decode, and then reports all of them', () => {
    const p = prog(
      train({ algorithmName: 'xgb', vpc: { securityGroupIds: ['sg-1'] } }),
      mdl({ role: undefined }),
      xform({ maxPayloadInMb: 50, maxConcurrentTransforms: 3 }),
    )
    expect(summary(invalid(p)).map(([tag, path]) => [tag, path])).toStrictEqual([
      ['Rule', 'steps.train.algorithmName'],
      ['Rule', 'steps.train.vpc.subnets'],
      ['Rule', 'steps.m.role'],
      ['Rule', 'steps.score.maxConcurrentTransforms'],
    ])
  })

  it('skips literal checks for refs and params (they are known only at run time)', () => {
    const lo = param.float('lo', { default: 0 })
    const payload = param.integer('payload', { default: 100 })
    const wait = param.integer('wait', { default: 1 })
    // A String param's declared default must fit the field (test/spec/one-pass.test.ts); its value may differ at run time.
    const kind = param.string('kind', { default: 'ml.m5.2xlarge' })
    const first = training('first', { ...job })
    const second = training('second', {
      ...job,
      resources: { instanceType: kind, instanceCount: 1 },
      role: ref('first', ['RoleArn']),
      spot: { maxWaitTimeInSeconds: wait },
      output: { s3OutputPath: ref('first', ['OutputDataConfig', 'S3OutputPath']) },
    })
    const p = {
      params: [
        { name: 'lo', type: 'Float', default: 0 },
        { name: 'payload', type: 'Integer', default: 100 },
        { name: 'wait', type: 'Integer', default: 1 },
        { name: 'kind', type: 'String', default: 'ml.m5.2xlarge' },
      ],
      steps: [
        first,
        second,
        tune({ ranges: { eta: { _tag: 'Continuous', min: lo, max: 0.5, scaling: 'Logarithmic' } } }),
        xform({ maxPayloadInMb: payload, maxConcurrentTransforms: 50 }),
      ],
    }
    expect(valid(p).steps).toHaveLength(4)
  })

  it('accepts a program built with the constructors, and its JSON form, and returns the same steps', () => {
    const epochs = param.integer('epochs', { default: 10 })
    const t = training('train', { ...job, hyperParameters: { epochs }, output: { s3OutputPath: join('/', ['s3://bucket/out', runId]) } })
    const m = model('m', { container: { image: IMAGE, modelDataUrl: t.outputs.modelArtifacts }, role: ROLE })
    const e = after(t)(endpoint('serve', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }] }))
    const p = program(t, m, e)
    expect(valid(p).steps).toStrictEqual(p.steps)
    expect(valid(p).params).toStrictEqual([{ name: 'epochs', type: 'Integer', default: 10 }])
    expect(valid(JSON.parse(toJson(p))).steps).toStrictEqual(JSON.parse(JSON.stringify(p.steps)))
  })

  it('accepts the boundaries the rules allow: Hyperband with minResource = maxResource, ReverseLogarithmic max just below 1', () => {
    expect(valid(prog(tune({ strategy: 'Hyperband', hyperband: { minResource: 9, maxResource: 9 } })))).toBeDefined()
    expect(valid(prog(tune({ ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.999, scaling: 'ReverseLogarithmic' } } })))).toBeDefined()
    expect(valid(prog(mdl({ vpc: { subnets: ['subnet-0a'], securityGroupIds: ['sg-0123'] } })))).toBeDefined()
  })

  it('accepts every example', () => {
    for (const [name, p] of Object.entries(EXAMPLES)) expect(E.isRight(validate(p)), name).toBe(true)
  })

  describe('reports exactly these errors', () => {
    it.each(CASES.map((c) => [c.title, c] as const))('%s', (_, c) => {
      expect(summary(invalid(c.program))).toStrictEqual(c.errors)
    })
  })
})
