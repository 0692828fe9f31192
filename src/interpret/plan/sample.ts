/**
 * Sample values for every symbolic leaf of a plan (`sagespec plan --sample`, and the tests' laws):
 * the run id is a fixed stamp, params take their bound value, else their default, else a visible
 * sample of their type, each step's outputs look like what SageMaker would return for it, and code
 * archives sit at a content-addressed key. The result is a literal request, as it would be sent on a
 * run with these values: good for reading, diffing and checking against the service model.
 *
 * @since 0.2.0
 */
import { createHash } from 'node:crypto'
import type { ParamDecl } from '../../spec/program.js'
import { JOB_NAME_LIMIT, TUNING_JOB_NAME_LIMIT, fitBase } from '../../spec/names.js'
import type { Code, Param, Ref, Repack } from '../../spec/val.js'
import type { Plan, PlannedStep } from './plan.js'
import { resolve, type Resolver } from './symbolic.js'

export const SAMPLE_RUN_ID = '20261125T000000'
export const SAMPLE_ACCOUNT = '111122223333'
export const SAMPLE_ROLE = `arn:aws:iam::${SAMPLE_ACCOUNT}:role/SageMakerRole`
export const SAMPLE_IMAGE = `${SAMPLE_ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/sample:1.0`

const named = (step: string, limit = JOB_NAME_LIMIT) => `${fitBase(step, limit)}-${SAMPLE_RUN_ID}`
const arn = (kind: string, step: string) => `arn:aws:sagemaker:us-west-2:${SAMPLE_ACCOUNT}:${kind}/${named(step).toLowerCase()}`

/** Realistic values per output path (the last segment decides), so resolved requests look like real ones. */
export const sampleRefValue = (r: Ref<unknown>): string | number => {
  const last = r.path[r.path.length - 1] ?? ''
  const values: { readonly [k: string]: () => string | number } = {
    S3ModelArtifacts: () => `s3://bucket/artifacts/${named(r.step)}/output/model.tar.gz`,
    S3OutputPath: () => `s3://bucket/output/${r.step}`,
    S3Uri: () => `s3://bucket/checkpoints/${r.step}`,
    TrainingJobName: () => named(r.step),
    HyperParameterTuningJobName: () => named(r.step, TUNING_JOB_NAME_LIMIT),
    ModelName: () => named(r.step),
    EndpointName: () => r.step,
    EndpointConfigName: () => named(r.step),
    TransformJobName: () => named(r.step),
    ModelPackageName: () => named(r.step),
    TrainingJobArn: () => arn('training-job', r.step),
    HyperParameterTuningJobArn: () => arn('hyper-parameter-tuning-job', r.step),
    ModelArn: () => arn('model', r.step),
    EndpointArn: () => arn('endpoint', r.step),
    TransformJobArn: () => arn('transform-job', r.step),
    ModelPackageArn: () => arn('model-package', r.step),
    RoleArn: () => SAMPLE_ROLE,
    ExecutionRoleArn: () => SAMPLE_ROLE,
    TrainingImage: () => SAMPLE_IMAGE,
    Image: () => SAMPLE_IMAGE,
    AlgorithmName: () => 'sample-algorithm',
    ModelDataUrl: () => `s3://bucket/artifacts/${r.step}/model.tar.gz`,
    Value: () => 0.93,
    BillableTimeInSeconds: () => 1200,
    TrainingTimeInSeconds: () => 1250,
  }
  const status = /Status$/.test(last) ? () => 'Completed' : undefined
  // Map entries (hyperparameters) are strings.
  // Own keys only: a hyperparameter may be named `valueOf` or `constructor`.
  const f = (Object.prototype.hasOwnProperty.call(values, last) ? values[last] : undefined) ?? status ?? (() => '0.1')
  return f()
}

/** A param's sample: its bound value, its default, its first allowed value, or one of its type. */
const sampleParam =
  (decls: ReadonlyMap<string, ParamDecl>, bound: Readonly<Record<string, string | number | boolean>>) =>
  (p: Param<unknown>): string | number | boolean => {
    if (Object.prototype.hasOwnProperty.call(bound, p.name)) return bound[p.name]!
    const d = decls.get(p.name)
    const v = d?.default ?? p.default ?? d?.allowed?.[0] ?? p.allowed?.[0]
    if (v !== undefined) return v
    const type = d?.type ?? p.type
    return type === 'Integer' || type === 'Float' ? 1 : type === 'Boolean' ? true : `sample-${p.name}`
  }

/** The key the archive would get: content-addressed, here by its description (the packer hashes its bytes). */
export const sampleCodeUri = (c: Code): string => `${c.s3Prefix.replace(/\/+$/, '')}/${createHash('sha256').update(JSON.stringify(c)).digest('hex')}/sourcedir.tar.gz`

/** The repacked model archive's key: content-addressed, here by the repack's description (a run hashes both archives). */
export const sampleRepackUri = (r: Repack): string =>
  `${r.code.s3Prefix.replace(/\/+$/, '')}/${createHash('sha256').update(JSON.stringify(r)).digest('hex')}/model.tar.gz`

/** A resolver with realistic sample values for a plan's (or program's) params. */
export const sampleResolver = (p: { readonly params: ReadonlyArray<ParamDecl> }, bound: Readonly<Record<string, string | number | boolean>> = {}): Resolver => ({
  ref: sampleRefValue,
  param: sampleParam(new Map(p.params.map((d) => [d.name, d])), bound),
  runId: SAMPLE_RUN_ID,
  code: sampleCodeUri,
  repack: sampleRepackUri,
})

const sampledStep = (p: PlannedStep, r: Resolver): PlannedStep => ({
  ...p,
  physicalName: resolve(p.physicalName as never, r),
  // The whole request: a CreateEndpoint's UpdateEndpoint alternative too.
  requests: p.requests.map((q) => resolve(q as never, r) as typeof q),
  watch: resolve(p.watch as never, r),
  step: resolve(p.step as never, r),
})

/** The plan with every symbolic leaf of its steps replaced by a sample value (code assets keep their description). */
export const samplePlan = (plan: Plan, r: Resolver): Plan => ({ ...plan, steps: plan.steps.map((p) => sampledStep(p, r)) })
