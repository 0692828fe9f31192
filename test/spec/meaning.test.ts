/**
 * Refs typed by meaning, in `validate` (JSON programs and untyped JavaScript): each nonsense pairing
 * is refused with the path, the meaning expected and the one found; bare names in fields that name
 * another resource are refused with a hint; `existing(name)` plans to the name and adds no dependency;
 * refs to hyperparameters a step does not set are refused. The compile-time half is in
 * `meaning.typecheck.ts`.
 */
import { describe, expect, it } from 'vitest'
import { message, type SpecError } from '../../src/spec/errors.js'
import { endpoint, existing, model, program, toJson, training, transform, tuning } from '../../src/index.js'
import { toText } from '../../src/interpret/dry-run/text.js'
import { toJsonPlan } from '../../src/interpret/dry-run/json.js'
import { toAirflowDag } from '../../src/interpret/airflow/dag.js'
import { resolve } from '../../src/interpret/plan/symbolic.js'
import { IMAGE, ROLE, invalid, planOf, plannedStep, requestOf, valid } from '../support/fixtures.js'

type Obj = Record<string, unknown>
const r = (step: string, ...path: string[]) => ({ _tag: 'Ref', step, path })
const job = { image: IMAGE, role: ROLE, resources: { instanceType: 'ml.m5.xlarge' }, output: { s3OutputPath: 's3://bucket/out' } }
const train: Obj = { _tag: 'Training', name: 'train', ...job, hyperParameters: { epochs: 10, eta: 0.1 } }
const tune: Obj = {
  _tag: 'Tuning',
  name: 'tune',
  training: { ...job, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }], hyperParameters: { epochs: 10, eta: 0.1 } },
  objective: { metricName: 'auc', type: 'Maximize' },
  ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
}
const mdl = (extra: Obj = {}, name = 'churn'): Obj => ({ _tag: 'Model', name, container: { image: IMAGE, modelDataUrl: r('train', 'ModelArtifacts', 'S3ModelArtifacts') }, role: ROLE, ...extra })
const ep = (model: unknown, name = 'serve'): Obj => ({ _tag: 'Endpoint', name, variants: [{ model, instanceType: 'ml.m5.large' }] })
const xform = (extra: Obj = {}): Obj => ({
  _tag: 'Transform',
  name: 'score',
  model: r('churn', 'ModelName'),
  resources: { instanceType: 'ml.m5.xlarge' },
  input: { uri: 's3://bucket/in/' },
  output: { s3OutputPath: 's3://bucket/out/' },
  ...extra,
})
const pkg: Obj = { _tag: 'ModelPackage', name: 'pkg', algorithmName: 'arn:aws:sagemaker:us-east-1:123456789012:algorithm/trees', modelDataUrl: r('train', 'ModelArtifacts', 'S3ModelArtifacts') }
const prog = (...steps: unknown[]) => ({ steps })
const lines = (errors: ReadonlyArray<SpecError>) => errors.map((e) => [e._tag, e.path, message(e)])

describe('meanings: validate refuses a ref of another meaning, with the path, what was expected and what was found', () => {
  const cases: ReadonlyArray<{ what: string; steps: unknown[]; path: string; text: string }> = [
    {
      what: "a training job's name as an endpoint variant's model",
      steps: [train, ep(r('train', 'TrainingJobName'))],
      path: 'steps.serve.variants.0.model',
      text: "expected a model name (a ref to a Model step's outputs.name, or existing('…')), found a ref to training job 'train' TrainingJobName (a training job name)",
    },
    {
      what: "model artifacts as an endpoint variant's model",
      steps: [train, ep(r('train', 'ModelArtifacts', 'S3ModelArtifacts'))],
      path: 'steps.serve.variants.0.model',
      text: "expected a model name (a ref to a Model step's outputs.name, or existing('…')), found a ref to training job 'train' ModelArtifacts.S3ModelArtifacts (an S3 URI)",
    },
    {
      what: "a training job's name as a transform's model",
      steps: [train, mdl(), xform({ model: r('train', 'TrainingJobName') })],
      path: 'steps.score.model',
      text: "expected a model name (a ref to a Model step's outputs.name, or existing('…')), found a ref to training job 'train' TrainingJobName (a training job name)",
    },
    {
      what: 'model artifacts as a container image',
      steps: [train, mdl({ container: { image: r('train', 'ModelArtifacts', 'S3ModelArtifacts') } })],
      path: 'steps.churn.container.image',
      text: "expected a container image URI, found a ref to training job 'train' ModelArtifacts.S3ModelArtifacts (an S3 URI)",
    },
    {
      what: 'a training image as model data',
      steps: [train, mdl({ container: { image: IMAGE, modelDataUrl: r('train', 'AlgorithmSpecification', 'TrainingImage') } })],
      path: 'steps.churn.container.modelDataUrl',
      text: "expected an S3 URI, found a ref to training job 'train' AlgorithmSpecification.TrainingImage (a container image URI)",
    },
    {
      what: 'model artifacts as a role',
      steps: [train, mdl({ role: r('train', 'ModelArtifacts', 'S3ModelArtifacts') })],
      path: 'steps.churn.role',
      text: "expected an IAM role ARN, found a ref to training job 'train' ModelArtifacts.S3ModelArtifacts (an S3 URI)",
    },
    {
      what: "a model's name as a training channel",
      steps: [train, mdl(), { ...train, name: 'again', channels: { train: { uri: r('churn', 'ModelName') } } }],
      path: 'steps.again.channels.train.uri',
      text: "expected an S3 URI, found a ref to model 'churn' ModelName (a model name)",
    },
    {
      what: 'a hyperparameter (text) as an output path',
      steps: [train, { ...train, name: 'again', output: { s3OutputPath: r('train', 'HyperParameters', 'epochs') } }],
      path: 'steps.again.output.s3OutputPath',
      text: "expected an S3 URI, found a ref to training job 'train' HyperParameters.epochs (text)",
    },
    {
      what: "a training job's name as a warm-start parent",
      steps: [train, { ...tune, warmStart: { type: 'TransferLearning', parents: [r('train', 'TrainingJobName')] } }],
      path: 'steps.tune.warmStart.parents.0',
      text: "expected a tuning job name (a ref to a Tuning step's outputs.jobName, or existing('…')), found a ref to training job 'train' TrainingJobName (a training job name)",
    },
    {
      what: "a model's ARN as a container's model package",
      steps: [train, mdl(), mdl({ container: { modelPackageName: r('churn', 'ModelArn') } }, 'packaged')],
      path: 'steps.packaged.container.modelPackageName',
      text: "expected a model package name or ARN (a ref to a ModelPackage step's outputs.arn, or existing('…')), found a ref to model 'churn' ModelArn (a model ARN)",
    },
    {
      what: "a model's name as an instance type",
      steps: [train, mdl(), { ...ep(r('churn', 'ModelName')), variants: [{ model: r('churn', 'ModelName'), instanceType: r('churn', 'ModelName') }] }],
      path: 'steps.serve.variants.0.instanceType',
      text: "expected one of a fixed set of values, found a ref to model 'churn' ModelName (a model name)",
    },
    {
      what: "an endpoint's name as a model package's model data",
      steps: [train, mdl(), ep(r('churn', 'ModelName')), { ...pkg, modelDataUrl: r('serve', 'EndpointName') }],
      path: 'steps.pkg.modelDataUrl',
      text: "expected an S3 URI, found a ref to endpoint 'serve' EndpointName (an endpoint name)",
    },
    {
      what: 'a code archive as a container image',
      steps: [train, mdl({ container: { image: { _tag: 'Code', entryPoint: 'serve.py', s3Prefix: 's3://bucket/code' } } })],
      path: 'steps.churn.container.image',
      text: 'expected a container image URI, found a code archive (an S3 URI)',
    },
  ]
  for (const c of cases)
    it(c.what, () => {
      expect(lines(invalid(prog(...c.steps)))).toStrictEqual([['RefMeaningMismatch', c.path, `${c.path}: ${c.text}`]])
    })

  it('accepts every pairing that means what the field means, refs of any meaning in free text, and joins and params anywhere', () => {
    const p = prog(
      train,
      tune,
      mdl(),
      { ...xform(), model: r('churn', 'ModelName') },
      // A transform reports the model it ran: a model name.
      ep(r('score', 'ModelName'), 'serve'),
      { ...tune, name: 'tune2', warmStart: { type: 'TransferLearning', parents: [r('tune', 'HyperParameterTuningJobName')] } },
      {
        ...train,
        name: 'again',
        role: r('train', 'RoleArn'),
        modelUri: r('train', 'ModelArtifacts', 'S3ModelArtifacts'),
        channels: { more: { uri: r('score', 'TransformOutput', 'S3OutputPath') } },
        // Free text takes any meaning; hyperparameters and joins take numbers too.
        environment: { PARENT: r('train', 'TrainingJobName'), ARN: r('churn', 'ModelArn'), SCORE: { _tag: 'Join', on: '', values: [r('tune', 'BestTrainingJob', 'FinalHyperParameterTuningJobObjectiveMetric', 'Value')] } },
        tags: { from: r('train', 'TrainingJobArn') },
        hyperParameters: { best: r('tune', 'BestTrainingJob', 'FinalHyperParameterTuningJobObjectiveMetric', 'Value'), eta: r('tune', 'BestTrainingJob', 'TunedHyperParameters', 'eta') },
      },
      ep({ _tag: 'Join', on: '-', values: [r('train', 'TrainingJobName'), 'model'] }, 'joined'),
      ep({ _tag: 'Param', name: 'modelName' }, 'given'),
    )
    expect(() => valid({ ...p, params: [{ name: 'modelName', type: 'String' }] })).not.toThrow()
  })
})

describe('a number ref in a string field is refused by validate as by the compiler', () => {
  it('in free text and in a typed field; a join prints it instead', () => {
    const score = r('tune', 'BestTrainingJob', 'FinalHyperParameterTuningJobObjectiveMetric', 'Value')
    expect(lines(invalid(prog(tune, { ...train, environment: { SCORE: score }, output: { s3OutputPath: r('train2', 'BillableTimeInSeconds') } }, { ...train, name: 'train2' })))).toStrictEqual([
      [
        'RefTypeMismatch',
        'steps.train.output.s3OutputPath',
        'steps.train.output.s3OutputPath: train2.BillableTimeInSeconds is a number, but this field needs a string (a join prints a number into a string: concat(ref))',
      ],
      [
        'RefTypeMismatch',
        'steps.train.environment.SCORE',
        'steps.train.environment.SCORE: tune.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value is a number, but this field needs a string (a join prints a number into a string: concat(ref))',
      ],
    ])
    expect(() => valid(prog(tune, { ...train, environment: { SCORE: { _tag: 'Join', on: '', values: [score] } } }))).not.toThrow()
  })

  it('and a string ref in a number field, as before', () => {
    expect(lines(invalid(prog(train, { ...train, name: 'again', resources: { instanceType: 'ml.m5.xlarge', instanceCount: r('train', 'TrainingJobName') } })))).toStrictEqual([
      ['RefTypeMismatch', 'steps.again.resources.instanceCount', 'steps.again.resources.instanceCount: train.TrainingJobName is a string, but this field needs an integer'],
    ])
  })
})

describe('fields that name another resource take a ref or existing(), never a bare name', () => {
  it('a bare name of a step in the program: did you mean its output?', () => {
    expect(lines(invalid(prog(train, mdl(), ep('churn'))))).toStrictEqual([
      [
        'BareName',
        'steps.serve.variants.0.model',
        'steps.serve.variants.0.model: expected a model name (a ref to a Model step\'s outputs.name, or existing(\'…\')), found the bare name "churn": did you mean churn.outputs.name (in JSON {"_tag":"Ref","step":"churn","path":["ModelName"]})? A bare name adds no dependency and names nothing the run creates',
      ],
    ])
  })

  it('a bare name of nothing in the program (or of a step of another kind): existing()', () => {
    const errors = invalid(prog(train, xform({ model: 'train' }), { ...tune, warmStart: { type: 'TransferLearning', parents: ['old-tuning'] } }, mdl({ container: { modelPackageName: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/p/1' } }, 'packaged')))
    expect(errors.map((e) => [e._tag, e.path])).toStrictEqual([
      ['BareName', 'steps.score.model'],
      ['BareName', 'steps.tune.warmStart.parents.0'],
      ['BareName', 'steps.packaged.container.modelPackageName'],
    ])
    expect(message(errors[0]!)).toContain('found the bare name "train": write existing("train") (in JSON {"_tag":"Existing","name":"train"}) for a resource made outside the program')
    expect(message(errors[1]!)).toContain('expected a tuning job name (a ref to a Tuning step\'s outputs.jobName, or existing(\'…\')), found the bare name "old-tuning": write existing("old-tuning")')
  })

  it('a tuning step of that name: did you mean tune.outputs.jobName?', () => {
    const errors = invalid(prog(tune, { ...tune, name: 'tune2', warmStart: { type: 'TransferLearning', parents: ['tune'] } }))
    expect(message(errors[0]!)).toContain('did you mean tune.outputs.jobName')
  })

  it("existing()'s name keeps the field's own literal check", () => {
    expect(lines(invalid(prog(ep({ _tag: 'Existing', name: 'no spaces' }))))).toStrictEqual([
      [
        'InvalidField',
        'steps.serve.variants.0.model.name',
        'steps.serve.variants.0.model.name: expected a SageMaker name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit, found "no spaces"',
      ],
    ])
    expect(invalid(prog(ep({ _tag: 'Existing', name: 'm', extra: 1 })))[0]!._tag).toBe('InvalidField')
  })

  it('existing() fits only fields that name another resource', () => {
    const [e] = invalid(prog({ ...train, role: { _tag: 'Existing', name: ROLE } }))
    expect(e!.path).toBe('steps.train.role')
  })
})

describe('existing(name)', () => {
  const m = model('churn', { container: { image: IMAGE }, role: ROLE })
  const serve = endpoint('serve', { variants: [{ model: existing('churn-v3'), instanceType: 'ml.m5.large' }, { model: m.outputs.name, name: 'new', instanceType: 'ml.m5.large' }] })
  const score = transform('score', { model: existing('churn-v3'), resources: { instanceType: 'ml.m5.xlarge' }, input: { uri: 's3://b/in' }, output: { s3OutputPath: 's3://b/out' } })
  const p = program(m, serve, score)

  it('round-trips through a JSON program as {"_tag":"Existing","name":…}', () => {
    const json = toJson(p)
    expect(JSON.parse(json).steps[2].model).toStrictEqual({ _tag: 'Existing', name: 'churn-v3' })
    expect(toJsonPlan(planOf(JSON.parse(json)))).toBe(toJsonPlan(planOf(p)))
  })

  it('plans to the name itself and adds no dependency', () => {
    const plan = planOf(p)
    expect(plannedStep(plan, 'score').dependsOn).toStrictEqual([])
    expect(plannedStep(plan, 'serve').dependsOn).toStrictEqual(['churn'])
    expect(requestOf(plan, 'score', 'CreateTransformJob').input.ModelName).toBe('churn-v3')
    const variants = requestOf(plan, 'serve', 'CreateEndpointConfig').input.ProductionVariants!
    expect(variants.map((v) => v.ModelName)).toStrictEqual(['churn-v3', { _tag: 'Ref', step: 'churn', path: ['ModelName'] }])
    // Resolving (what the executor does) leaves it as it is.
    expect(resolve(requestOf(plan, 'score', 'CreateTransformJob').input, { ref: () => 'x', param: () => 'x', runId: 'r', code: () => 'x' }).ModelName).toBe('churn-v3')
  })

  it('is shown as existing in the dry run, and exported as the literal name to Airflow', () => {
    const text = toText(planOf(p))
    expect(text).toContain('AllTraffic: churn-v3 (existing) on ml.m5.large')
    expect(text).toMatch(/model +churn-v3 \(existing\)/)
    const dag = toAirflowDag(planOf(p), { dagId: 'd', schedule: null, startDate: '2026-01-01' })
    expect(dag).toContain("'ModelName': 'churn-v3'")
  })

  it('a tuning warm start from an existing parent and a model package by ARN', () => {
    const parentName = 'old-tuning'
    const t = tuning('tune', {
      training: { ...job, metricDefinitions: [{ name: 'auc', regex: 'auc=(.*)' }] },
      objective: { metricName: 'auc', type: 'Maximize' },
      ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } },
      warmStart: { type: 'TransferLearning', parents: [existing(parentName)] },
    })
    const plan = planOf(program(t))
    expect(requestOf(plan, 'tune', 'CreateHyperParameterTuningJob').input.WarmStartConfig?.ParentHyperParameterTuningJobs).toStrictEqual([{ HyperParameterTuningJobName: parentName }])
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/p/1'
    const packaged = planOf(program(model('packaged', { container: { modelPackageName: existing(arn) } })))
    expect(requestOf(packaged, 'packaged', 'CreateModel').input.PrimaryContainer?.ModelPackageName).toBe(arn)
  })
})

describe('refs to hyperparameters', () => {
  it('a key the training job does not set is refused, naming the keys it sets', () => {
    expect(lines(invalid(prog(train, { ...train, name: 'again', environment: { E: r('train', 'HyperParameters', 'epoch') } })))).toStrictEqual([
      [
        'UnknownOutput',
        'steps.again.environment.E',
        'steps.again.environment.E: step "train" has no output "HyperParameters.epoch" (expected one of: HyperParameters.epochs, HyperParameters.eta)',
      ],
    ])
    expect(() => valid(prog(train, { ...train, name: 'again', environment: { E: r('train', 'HyperParameters', 'epochs') } }))).not.toThrow()
  })

  it('a job without hyperparameters has none to refer to', () => {
    const [e] = invalid(prog({ ...train, hyperParameters: undefined }, { ...train, name: 'again', environment: { E: r('train', 'HyperParameters', 'epochs') } }))
    expect(message(e!)).toBe('steps.again.environment.E: step "train" has no output "HyperParameters.epochs" (expected one of: none: the step has no HyperParameters)')
  })

  it('tuned hyperparameters are the ranges; static ones the template minus the ranges', () => {
    const uses = (path: string[]) => prog(tune, { ...train, name: 'again', environment: { E: r('tune', ...path) } })
    expect(() => valid(uses(['BestTrainingJob', 'TunedHyperParameters', 'eta']))).not.toThrow()
    expect(() => valid(uses(['TrainingJobDefinition', 'StaticHyperParameters', 'epochs']))).not.toThrow()
    expect(invalid(uses(['BestTrainingJob', 'TunedHyperParameters', 'epochs'])).map((e) => e._tag)).toStrictEqual(['UnknownOutput'])
    expect(invalid(uses(['TrainingJobDefinition', 'StaticHyperParameters', 'eta'])).map((e) => e._tag)).toStrictEqual(['UnknownOutput'])
  })

  it('overrides may add keys: then the key is not checked', () => {
    expect(() => valid(prog({ ...train, overrides: { HyperParameters: { extra: '1' } } }, { ...train, name: 'again', environment: { E: r('train', 'HyperParameters', 'extra') } }))).not.toThrow()
  })

  it('the typed outputs make the same refs', () => {
    const t = training('train', { ...job, hyperParameters: { epochs: 10 } })
    expect(lines(invalid(program(t, training('again', { ...job, environment: { E: t.outputs.hyperParameter('epoch') } }))))[0]![0]).toBe('UnknownOutput')
  })
})
