/**
 * Compile-time half of the meaning checks (`meaning.test.ts` has the `validate` half). Typechecked by
 * `tsc --noEmit` (tsconfig includes `test/`), never run: each `@ts-expect-error` line must stay an
 * error, or the typecheck fails; the lines without one must compile.
 */
import { concat, endpoint, existing, join, model, modelPackage, param, ref, training, transform, tuning } from '../../src/index.js'

const role = 'arn:aws:iam::111122223333:role/R'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/img:1'
const job = { image, role, resources: { instanceType: 'ml.m5.large' }, output: { s3OutputPath: 's3://b/o' } } as const
const train = training('train', { ...job, hyperParameters: { epochs: 10 } })
const tune = tuning('tune', { training: job, objective: { metricName: 'auc', type: 'Maximize' }, ranges: { eta: { _tag: 'Continuous', min: 0.1, max: 0.5 } } })
const m = model('m', { container: { image, modelDataUrl: train.outputs.modelArtifacts }, role })
const pkg = modelPackage('pkg', { algorithmName: 'arn:aws:sagemaker:us-east-1:123456789012:algorithm/a', modelDataUrl: train.outputs.modelArtifacts })
const io = { resources: { instanceType: 'ml.m5.large' }, input: { uri: 's3://b/in' }, output: { s3OutputPath: 's3://b/out' } } as const
const at = { instanceType: 'ml.m5.large' } as const

// What fits: a ref of the field's meaning, existing(), a param, a join (explicit construction), a literal where literals go.
endpoint('ok1', { variants: [{ model: m.outputs.name, ...at }] })
endpoint('ok2', { variants: [{ model: existing('made-elsewhere'), ...at }] })
endpoint('ok3', { variants: [{ model: param.string('modelName'), ...at }] })
endpoint('ok4', { variants: [{ model: join('-', [train.outputs.jobName, 'model']), ...at }] })
transform('ok5', { model: m.outputs.name, ...io })
tuning('ok6', { training: job, objective: { metricName: 'auc', type: 'Maximize' }, ranges: {}, warmStart: { type: 'TransferLearning', parents: [tune.outputs.jobName, existing('old')] } })
model('ok7', { container: { modelPackageName: pkg.outputs.arn } })
model('ok8', { container: { modelPackageName: pkg.outputs.name } })
model('ok9', { container: { image, modelDataUrl: concat('s3://b/', tune.outputs.bestTrainingJob.name, '/output/model.tar.gz') }, role })
training('ok10', { ...job, environment: { PARENT: train.outputs.jobName, ARN: m.outputs.arn }, hyperParameters: { best: tune.outputs.bestTrainingJob.objectiveValue, eta: tune.outputs.bestTrainingJob.hyperParameter('eta') } })
training('ok11', { ...job, channels: { train: { uri: train.outputs.modelArtifacts } }, modelUri: train.outputs.modelArtifacts })
// An untyped ref (`ref`, or a preset option typed Val<string>) is left to `validate`.
endpoint('ok12', { variants: [{ model: ref('m', ['ModelName']), ...at }] })

// What does not: the compiler says so before `validate` would.
// @ts-expect-error a training job's name is not a model name
endpoint('e1', { variants: [{ model: train.outputs.jobName, ...at }] })
// @ts-expect-error model artifacts are not a model name
endpoint('e2', { variants: [{ model: train.outputs.modelArtifacts, ...at }] })
// @ts-expect-error a bare name would cut the dependency: a ref or existing('m')
endpoint('e3', { variants: [{ model: 'm', ...at }] })
// @ts-expect-error a training job's name is not a transform's model
transform('e4', { model: train.outputs.jobName, ...io })
// @ts-expect-error a bare name in a transform's model
transform('e5', { model: 'm', ...io })
// @ts-expect-error model artifacts are not a container image
model('e6', { container: { image: train.outputs.modelArtifacts }, role })
// @ts-expect-error a model's name is not model data
model('e7', { container: { image, modelDataUrl: m.outputs.name }, role })
// @ts-expect-error model artifacts are not a role
model('e8', { container: { image }, role: train.outputs.modelArtifacts })
// @ts-expect-error a training job's name is not a tuning job to warm-start from
tuning('e9', { training: job, objective: { metricName: 'auc', type: 'Maximize' }, ranges: {}, warmStart: { type: 'TransferLearning', parents: [train.outputs.jobName] } })
// @ts-expect-error a bare warm-start parent
tuning('e10', { training: job, objective: { metricName: 'auc', type: 'Maximize' }, ranges: {}, warmStart: { type: 'TransferLearning', parents: ['tune'] } })
// @ts-expect-error a model's ARN is not a model package
model('e11', { container: { modelPackageName: m.outputs.arn } })
// @ts-expect-error a bare model package ARN: existing('arn:…')
model('e12', { container: { modelPackageName: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/p/1' } })
// @ts-expect-error a model's name is not an instance type
endpoint('e13', { variants: [{ model: m.outputs.name, instanceType: m.outputs.name }] })
// @ts-expect-error a number ref does not fit a string field (a join prints it: concat(ref))
training('e14', { ...job, environment: { SCORE: tune.outputs.bestTrainingJob.objectiveValue } })
// @ts-expect-error an endpoint's name is not an S3 URI
training('e15', { ...job, channels: { train: { uri: endpoint('x', { variants: [{ model: m.outputs.name, ...at }] }).outputs.name } } })
// @ts-expect-error a training job's name is not model data for a model package
modelPackage('e16', { algorithmName: 'a', modelDataUrl: train.outputs.jobName })
