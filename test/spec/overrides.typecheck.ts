/**
 * Compile-time checks of `overrides`: each is a deep partial of the request its step kind sends
 * (`src/spec/overrides.ts`). Typechecked by `tsc --noEmit` (tsconfig includes `test/`), never run:
 * each `@ts-expect-error` line must stay an error, or the typecheck fails; the others must compile.
 */
import { endpoint, model, modelPackage, param, training, transform, tuning } from '../../src/index.js'

const role = 'arn:aws:iam::111122223333:role/R'
const image = '111122223333.dkr.ecr.us-west-2.amazonaws.com/img:1'
const job = { image, role, resources: { instanceType: 'ml.m5.large' }, output: { s3OutputPath: 's3://b/o' } } as const
const train = training('train', job)
const m = model('m', { container: { image, modelDataUrl: train.outputs.modelArtifacts }, role })
const at = { instanceType: 'ml.m5.large' } as const
const io = { resources: { instanceType: 'ml.m5.large' }, input: { uri: 's3://b/in' }, output: { s3OutputPath: 's3://b/out' } } as const
const tuned = { objective: { metricName: 'auc', type: 'Maximize' }, ranges: {} } as const

// What fits: any depth of the kind's request, run-time values at the leaves, lists given whole.
training('ok1', { ...job, overrides: { StoppingCondition: { MaxRuntimeInSeconds: 3600 }, ResourceConfig: { VolumeSizeInGB: param.integer('volume') } } })
training('ok2', { ...job, overrides: { AlgorithmSpecification: { TrainingInputMode: 'Pipe' }, CheckpointConfig: { S3Uri: 's3://b/ckpt' } } })
training('ok3', { ...job, overrides: { Environment: { ANY_NAME: 'x' }, HyperParameters: { lr: '0.1' } } })
endpoint('ok4', { variants: [{ model: m.outputs.name, ...at }], overrides: { DataCaptureConfig: { InitialSamplingPercentage: 10 } } })
endpoint('ok5', { variants: [{ model: m.outputs.name, ...at }], overrides: { ProductionVariants: [{ VariantName: 'a', ModelName: m.outputs.name, InstanceType: 'ml.m5.large' }] } })
model('ok6', { container: { image }, role, overrides: { EnableNetworkIsolation: true } })
transform('ok7', { model: m.outputs.name, ...io, overrides: { BatchStrategy: 'MultiRecord', TransformResources: { VolumeKmsKeyId: 'k' } } })
tuning('ok8', { ...tuned, training: job, overrides: { HyperParameterTuningJobConfig: { ResourceLimits: { MaxParallelTrainingJobs: 2 } } } })
tuning('ok9', { ...tuned, training: { ...job, overrides: { StaticHyperParameters: { x: '1' }, AlgorithmSpecification: { TrainingInputMode: 'File' } } } })
modelPackage('ok10', { algorithmName: 'a', modelDataUrl: train.outputs.modelArtifacts, overrides: { CertifyForMarketplace: false } })

// What does not.
// @ts-expect-error a misspelt top-level key
training('e1', { ...job, overrides: { StopingCondition: { MaxRuntimeInSeconds: 3600 } } })
// @ts-expect-error a misspelt nested key
training('e2', { ...job, overrides: { StoppingCondition: { MaxRuntimeInSecond: 3600 } } })
// @ts-expect-error a number field given a string
training('e3', { ...job, overrides: { StoppingCondition: { MaxRuntimeInSeconds: '1h' } } })
// @ts-expect-error a value outside the field's enum
training('e4', { ...job, overrides: { AlgorithmSpecification: { TrainingInputMode: 'Pipes' } } })
// @ts-expect-error an endpoint's overrides go into CreateEndpointConfig, which has no DeploymentConfig (CreateEndpoint's)
endpoint('e5', { variants: [{ model: m.outputs.name, ...at }], overrides: { DeploymentConfig: {} } })
// @ts-expect-error a list replaces the request's whole, so its items are whole: a variant needs its VariantName
endpoint('e6', { variants: [{ model: m.outputs.name, ...at }], overrides: { ProductionVariants: [{ ModelName: 'm', InstanceType: 'ml.m5.large' }] } })
// @ts-expect-error a training job's key is not a model's
model('e7', { container: { image }, role, overrides: { StoppingCondition: {} } })
// @ts-expect-error a transform's key is misspelt
transform('e8', { model: m.outputs.name, ...io, overrides: { BatchStrategie: 'MultiRecord' } })
// @ts-expect-error a tuning job has no training ResourceConfig at its top level
tuning('e9', { ...tuned, training: job, overrides: { ResourceConfig: { VolumeSizeInGB: 5 } } })
// @ts-expect-error a template's overrides address its training job definition, which names them StaticHyperParameters
tuning('e10', { ...tuned, training: { ...job, overrides: { HyperParameters: { x: '1' } } } })
// @ts-expect-error a model package's key is misspelt
modelPackage('e11', { algorithmName: 'a', modelDataUrl: train.outputs.modelArtifacts, overrides: { CertifyForMarketPlace: false } })
