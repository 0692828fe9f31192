/**
 * Shared fixtures for the Amazon algorithm tests: minimal valid options per algorithm, a resolver
 * for symbolic requests, and the service-model check.
 */
import { expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { message } from '../../../src/spec/errors.js'
import { program } from '../../../src/spec/program.js'
import type { Step } from '../../../src/spec/step.js'
import { validate } from '../../../src/spec/validate.js'
import { toPlan } from '../../../src/interpret/plan/plan.js'
import type { Request } from '../../../src/interpret/plan/requests.js'
import { resolve, type Resolver } from '../../../src/interpret/plan/symbolic.js'
import * as A from '../../../src/frameworks/algorithms/index.js'
import { assertValidRequest, checkRequest, serviceModelOrSkip } from '../../support/service-model.js'

export const ROLE = 'arn:aws:iam::111122223333:role/SageMakerRole'
export const OUTPUT = { s3OutputPath: 's3://example-bucket/out' }
export const RUN = '20240102T030405'

/** A hand-described record set already in S3 (as the SDK's `RecordSet(...)` constructor). */
export const RECORDS: A.RecordInput = { uri: 's3://example-bucket/data/train/.amazon.manifest', s3DataType: 'ManifestFile', featureDim: 8, numRecords: 1000 }

export const COMMON = { role: ROLE, region: 'us-west-2', instanceType: 'ml.c5.xlarge', output: OUTPUT, records: RECORDS } as const

/** The smallest valid hyperparameters of each algorithm (cross rules satisfied). */
export const BASE: { readonly [K in A.AmazonAlgorithm]: Readonly<Record<string, unknown>> } = {
  kmeans: { k: 2 },
  pca: { numComponents: 1 },
  'linear-learner': { predictorType: 'regressor', numClasses: 3 },
  'factorization-machines': { numFactors: 1, predictorType: 'regressor' },
  lda: { numTopics: 1, miniBatchSize: 10 },
  ntm: { numTopics: 2 },
  randomcutforest: {},
  knn: { k: 1, sampleSize: 1, predictorType: 'classifier', dimensionReductionTarget: 1 },
  object2vec: { epochs: 1, enc0MaxSeqLen: 1, enc0VocabSize: 2 },
  ipinsights: { numEntityVectors: 1, vectorDim: 4 },
}

/** Every preset returns a training step with typed outputs. */
export type Built = ReturnType<typeof A.kmeans>
type AnyPreset = (name: string, o: never) => Built
export const PRESETS: { readonly [K in A.AmazonAlgorithm]: AnyPreset } = {
  kmeans: A.kmeans as AnyPreset,
  pca: A.pca as AnyPreset,
  'linear-learner': A.linearLearner as AnyPreset,
  'factorization-machines': A.factorizationMachines as AnyPreset,
  lda: A.lda as AnyPreset,
  ntm: A.ntm as AnyPreset,
  randomcutforest: A.randomCutForest as AnyPreset,
  knn: A.knn as AnyPreset,
  object2vec: A.object2vec as AnyPreset,
  ipinsights: A.ipInsights as AnyPreset,
}

/** Build algorithm `alg`'s step named `t` from the common options, its base and `extra`. */
export const build = (alg: A.AmazonAlgorithm, extra: Readonly<Record<string, unknown>> = {}): Built =>
  PRESETS[alg]('t', { ...COMMON, ...BASE[alg], ...extra } as never)

/** The messages `validate` gives for a program of these steps ([] when valid). */
export const messages = (...steps: ReadonlyArray<Step>): ReadonlyArray<string> => {
  const r = validate(program(...steps))
  return E.isLeft(r) ? r.left.map(message) : []
}

export const resolver: Resolver = {
  ref: (r) => (r.path[r.path.length - 1] === 'S3ModelArtifacts' ? 's3://example-bucket/out/job/output/model.tar.gz' : `${r.step}-resolved`),
  param: (p) => p.default ?? 1,
  runId: RUN,
  code: () => 's3://example-bucket/code/sourcedir.tar.gz',
}

/** The plan's requests of a valid program, resolved with sample values. */
export const resolvedRequests = (...steps: ReadonlyArray<Step>): ReadonlyArray<{ readonly _tag: Request['_tag']; readonly input: unknown }> => {
  const r = validate(program(...steps))
  if (E.isLeft(r)) throw new Error(`expected a valid program, got:\n${r.left.map(message).join('\n')}`)
  return toPlan(r.right).steps.flatMap((s) => s.requests.map((q) => ({ _tag: q._tag, input: resolve(q.input as never, resolver) })))
}

const model = serviceModelOrSkip()
export const serviceModelSkip = model.skip

/** Check a resolved request against botocore's SageMaker service model (skipped, with a reason, when it is missing). */
export const expectValidRequest = (operation: string, input: unknown): void => {
  if (model.model === undefined) return
  expect(() => assertValidRequest(model.model, operation, input)).not.toThrow()
}

/** The violations the service model finds in a request ([] when the model is missing). */
export const violations = (operation: string, input: unknown): ReadonlyArray<string> =>
  model.model === undefined ? [] : checkRequest(model.model, operation, input).map((v) => `${v.path} [${v.rule}]`)
