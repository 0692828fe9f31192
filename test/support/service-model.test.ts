import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import {
  assertValidRequest,
  checkRequest,
  compileBotocorePattern,
  convertedPatterns,
  formatViolations,
  loadServiceModel,
  locateServiceModel,
  ServiceModelError,
  serviceModelOrSkip,
  shapeAt,
  uncompilablePatterns,
  type ModelViolation,
  type ServiceModel,
  type Shape,
  type ViolationRule,
} from './service-model.js'

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

type Json = Record<string, unknown>

const RULES: ReadonlySet<ViolationRule> = new Set([
  'required',
  'type',
  'enum',
  'pattern',
  'min',
  'max',
  'minLength',
  'maxLength',
  'unknownMember',
])

/** Assert that exactly one violation was found, at `path`, for `rule`. */
function expectOnly(violations: ReadonlyArray<ModelViolation>, path: string, rule: ViolationRule): void {
  expect(
    violations.map((v) => ({ path: v.path, rule: v.rule })),
    formatViolations(violations),
  ).toEqual([{ path, rule }])
}

function expectValid(violations: ReadonlyArray<ModelViolation>): void {
  expect(violations, formatViolations(violations)).toEqual([])
}

/** A deep copy of `base` changed by `edit`. */
function variant<T>(base: T, edit: (draft: T) => void): T {
  const draft = structuredClone(base)
  edit(draft)
  return draft
}

function bound(shape: Shape | undefined, key: 'min' | 'max'): number {
  const value = shape !== undefined && key in shape ? (shape as { min?: number; max?: number })[key] : undefined
  if (value === undefined) throw new Error(`shape ${shape?.name ?? '(missing)'} has no ${key}`)
  return value
}

function patternOf(shape: Shape | undefined): string {
  if (shape?.type !== 'string' || shape.pattern === undefined) throw new Error(`shape ${shape?.name ?? '(missing)'} has no pattern`)
  return shape.pattern
}

function fullMatch(pattern: string, text: string): boolean {
  const compiled = compileBotocorePattern(pattern)
  if (!compiled.ok) throw new Error(compiled.reason)
  return compiled.compiled.regex.test(text)
}

/** A name that satisfies `a(-*b){0,n}`-style name patterns but is `length` characters long. */
function dashedName(length: number): string {
  return `a-${'b'.repeat(length - 2)}`
}

const tempDirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sagespec-service-model-'))
  tempDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

// ---------------------------------------------------------------------------
// Java-dialect patterns (no botocore needed)
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Locating and loading (synthetic models, no botocore needed)
// ---------------------------------------------------------------------------

/** A small model exercising every shape type the checker supports. */
const TOY_MODEL = {
  version: '2.0',
  metadata: { apiVersion: '2020-01-01', protocol: 'json', endpointPrefix: 'toy', serviceId: 'Toy' },
  operations: {
    Put: { name: 'Put', input: { shape: 'PutInput' } },
    Ping: { name: 'Ping' },
  },
  shapes: {
    PutInput: {
      type: 'structure',
      required: ['Name', 'Token'],
      members: {
        Name: { shape: 'Name' },
        Token: { shape: 'Name', idempotencyToken: true },
        Count: { shape: 'Count' },
        Big: { shape: 'Big' },
        Ratio: { shape: 'Ratio' },
        Flag: { shape: 'Flag' },
        When: { shape: 'When' },
        Data: { shape: 'Data' },
        Stream: { shape: 'Data', streaming: true },
        Labels: { shape: 'Labels' },
        Items: { shape: 'Items' },
        Choice: { shape: 'Choice' },
        Doc: { shape: 'Doc' },
        Json: { shape: 'JsonText', jsonvalue: true },
        Child: { shape: 'PutInput' },
      },
    },
    Name: { type: 'string', min: 1, max: 8, pattern: '[a-z]*' },
    JsonText: { type: 'string', max: 10 },
    Count: { type: 'integer', min: 1, max: 10 },
    Big: { type: 'long' },
    Ratio: { type: 'double', min: 0, max: 1 },
    Flag: { type: 'boolean' },
    When: { type: 'timestamp' },
    Data: { type: 'blob', max: 4 },
    Labels: { type: 'map', key: { shape: 'LabelKey' }, value: { shape: 'Name' }, max: 2 },
    LabelKey: { type: 'string', enum: ['env', 'team'] },
    Items: { type: 'list', member: { shape: 'Count' }, min: 1, max: 3 },
    Choice: { type: 'structure', union: true, members: { A: { shape: 'Name' }, B: { shape: 'Count' } } },
    Doc: { type: 'structure', document: true, members: {} },
  },
}

function writeModel(dataDir: string, service: string, version: string, model: unknown, gzip = false): string {
  const dir = join(dataDir, service, version)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, gzip ? 'service-2.json.gz' : 'service-2.json')
  const text = JSON.stringify(model)
  writeFileSync(file, gzip ? gzipSync(text) : text)
  return file
}

describe('locateServiceModel / serviceModelOrSkip', () => {
  it('picks the newest API version under SAGESPEC_BOTOCORE_DATA, including .json.gz files', () => {
    const data = tempDir()
    writeModel(data, 'toy', '2019-01-01', TOY_MODEL)
    const newest = writeModel(data, 'toy', '2020-01-01', TOY_MODEL, true)
    mkdirSync(join(data, 'toy', 'not-a-version'))
    expect(locateServiceModel('toy', { SAGESPEC_BOTOCORE_DATA: data })).toBe(newest)
  })

  it('accepts the botocore package directory as well as its data directory', () => {
    const pkg = tempDir()
    const file = writeModel(join(pkg, 'data'), 'toy', '2020-01-01', TOY_MODEL)
    expect(locateServiceModel('toy', { SAGESPEC_BOTOCORE_DATA: pkg })).toBe(file)
  })

  it('uses only the override when it is set', () => {
    expect(locateServiceModel('sagemaker', { SAGESPEC_BOTOCORE_DATA: tempDir() })).toBeUndefined()
  })

  it('skips with installation advice when the model is missing', () => {
    const result = serviceModelOrSkip('sagemaker', { SAGESPEC_BOTOCORE_DATA: tempDir() })
    expect(result.model).toBeUndefined()
    expect(result.skip).toMatch(/not found/)
    expect(result.skip).toContain('apt-get install python3-botocore')
  })

  it('fails instead of skipping in CI', () => {
    expect(() => serviceModelOrSkip('sagemaker', { SAGESPEC_BOTOCORE_DATA: tempDir(), CI: 'true' })).toThrow(
      /apt-get install python3-botocore[\s\S]*CI/,
    )
  })

  it('loads a model that is present', () => {
    const data = tempDir()
    writeModel(data, 'toy', '2020-01-01', TOY_MODEL)
    const result = serviceModelOrSkip('toy', { SAGESPEC_BOTOCORE_DATA: data, CI: 'true' })
    expect(result.model?.service).toBe('toy')
    expect(result.model?.apiVersion).toBe('2020-01-01')
  })

  it('rejects malformed models with a clear error', () => {
    const data = tempDir()
    const broken = (edit: (model: typeof TOY_MODEL & Json) => void, version: string): string =>
      writeModel(data, 'toy', version, variant(TOY_MODEL as typeof TOY_MODEL & Json, edit))
    const dangling = broken((m) => {
      m.shapes.Items.member.shape = 'Nope'
    }, '2001-01-01')
    expect(() => loadServiceModel(dangling)).toThrow(ServiceModelError)
    expect(() => loadServiceModel(dangling)).toThrow(/unknown shape Nope/)
    const badRequired = broken((m) => {
      m.shapes.PutInput.required.push('Missing')
    }, '2002-01-01')
    expect(() => loadServiceModel(badRequired)).toThrow(/requires Missing/)
    const badType = broken((m) => {
      ;(m.shapes.Flag as { type: string }).type = 'bit'
    }, '2003-01-01')
    expect(() => loadServiceModel(badType)).toThrow(/unsupported type "bit"/)
    const notJson = join(data, 'not-json.json')
    writeFileSync(notJson, '{')
    expect(() => loadServiceModel(notJson)).toThrow(/cannot read service model/)
  })
})

describe('checkRequest semantics (synthetic model)', () => {
  const data = tempDir()
  const toy = loadServiceModel(writeModel(data, 'toy', '2020-01-01', TOY_MODEL))
  const check = (request: unknown): ReadonlyArray<ModelViolation> => checkRequest(toy, 'Put', request)
  const ok = { Name: 'abc' }

  it('accepts every supported JavaScript representation', () => {
    expectValid(
      check({
        Name: 'abc',
        Token: 'tok',
        Count: 10,
        Big: 2 ** 40,
        Ratio: 0.5,
        Flag: false,
        When: new Date(0),
        Data: Buffer.from('abcd'),
        Stream: Readable.from(['a long streamed body']),
        Labels: { env: 'prod', team: 'ml' },
        Items: [1, 2, 3],
        Choice: { B: 2 },
        Doc: { any: ['json', 1, null] },
        Json: { a: 1 },
        Child: { Name: 'nested' },
      }),
    )
    expectValid(check({ ...ok, When: '2024-01-02T03:04:05.678Z', Data: 'abcd' }))
    expectValid(check({ ...ok, When: 1_700_000_000, Json: 'raw', Stream: 'abcd' }))
    expectValid(check({ ...ok, Count: undefined }))
  })

  it('lets the SDK fill in a required idempotency token', () => {
    expectValid(check(ok))
  })

  it('reports each kind of violation at its path', () => {
    expectOnly(check({}), 'Name', 'required')
    expectOnly(check({ Name: undefined }), 'Name', 'required')
    expectOnly(check({ Name: null }), 'Name', 'type')
    expectOnly(check({ ...ok, Count: 1.5 }), 'Count', 'type')
    expectOnly(check({ ...ok, Count: 2 ** 31 }), 'Count', 'type')
    expectOnly(check({ ...ok, Count: 11 }), 'Count', 'max')
    expectOnly(check({ ...ok, Count: 0 }), 'Count', 'min')
    expectOnly(check({ ...ok, Big: 2 ** 60 }), 'Big', 'type')
    expectOnly(check({ ...ok, Big: 10n }), 'Big', 'type')
    expectOnly(check({ ...ok, Ratio: Number.NaN }), 'Ratio', 'type')
    expectOnly(check({ ...ok, Ratio: 1.5 }), 'Ratio', 'max')
    expectOnly(check({ ...ok, Flag: 'true' }), 'Flag', 'type')
    expectOnly(check({ ...ok, When: '2024-01-02' }), 'When', 'type')
    expectOnly(check({ ...ok, When: new Date(Number.NaN) }), 'When', 'type')
    expectOnly(check({ ...ok, Data: 'abcde' }), 'Data', 'maxLength')
    expectOnly(check({ ...ok, Data: 'ééé' }), 'Data', 'maxLength') // 6 bytes
    expectOnly(check({ ...ok, Data: [1, 2] }), 'Data', 'type')
    expectOnly(check({ ...ok, Data: Readable.from(['x']) }), 'Data', 'type') // only streaming members take streams
    expectOnly(check({ ...ok, Stream: new Uint8Array(5) }), 'Stream', 'maxLength')
    expectOnly(check({ ...ok, Labels: { owner: 'me' } }), 'Labels.owner', 'enum')
    expectOnly(check({ ...ok, Labels: { env: 'PROD' } }), 'Labels.env', 'pattern')
    expect(check({ ...ok, Labels: { env: 'a', team: 'b', owner: 'c' } }).map((v) => v.rule)).toEqual(['maxLength', 'enum'])
    expectOnly(check({ ...ok, Labels: new Map([['env', 'prod']]) }), 'Labels', 'type')
    expectOnly(check({ ...ok, Labels: { env: undefined } }), 'Labels.env', 'type')
    expectOnly(check({ ...ok, Items: [] }), 'Items', 'minLength')
    expectOnly(check({ ...ok, Items: [1, 2, 3, 4] }), 'Items', 'maxLength')
    expectOnly(check({ ...ok, Items: [1, '2'] }), 'Items.1', 'type')
    expectOnly(check({ ...ok, Items: [1, , 3] }), 'Items.1', 'type') // a hole in a sparse array
    expectOnly(check({ ...ok, Choice: {} }), 'Choice', 'required')
    expectOnly(check({ ...ok, Choice: { A: 'x', B: 1 } }), 'Choice', 'type')
    expectOnly(check({ ...ok, Json: () => 1 }), 'Json', 'type')
    expectOnly(check({ ...ok, Json: { long: 'value' } }), 'Json', 'maxLength')
    expectOnly(check({ ...ok, Name: '' }), 'Name', 'minLength')
    expectOnly(check({ ...ok, Name: 'abcdefghi' }), 'Name', 'maxLength')
    expectOnly(check({ ...ok, Name: 'ABC' }), 'Name', 'pattern')
    expectOnly(check({ ...ok, Extra: 1 }), 'Extra', 'unknownMember')
    expectOnly(check({ ...ok, Extra: undefined }), 'Extra', 'unknownMember')
    expectOnly(check({ ...ok, Child: { Name: 'x', count: 1 } }), 'Child.count', 'unknownMember')
    expectOnly(check({ ...ok, Child: {} }), 'Child.Name', 'required')
    expectOnly(check('abc'), '', 'type')
    expectOnly(check(undefined), '', 'type')
    class NotPlain {
      Name = 'abc'
    }
    expectOnly(check(new NotPlain()), '', 'type')
  })

  it('counts string length in code points', () => {
    expectValid(check({ Name: 'a'.repeat(8) }))
    expectOnly(check({ Name: '😀'.repeat(8) }), 'Name', 'pattern')
    expect(check({ Name: '😀'.repeat(8) })[0]?.rule).toBe('pattern') // 8 code points, 16 UTF-16 units: no maxLength
  })

  it('suggests the member a misspelt one was meant to be', () => {
    expect(check({ ...ok, name: 'abc' }).find((v) => v.rule === 'unknownMember')?.message).toContain('did you mean Name?')
  })

  it('reports circular data instead of looping', () => {
    const loop: Json = { Name: 'abc' }
    loop['Child'] = loop
    expectOnly(check(loop), 'Child', 'type')
  })

  it('checks operations without input', () => {
    expectValid(checkRequest(toy, 'Ping', undefined))
    expectValid(checkRequest(toy, 'Ping', {}))
    expectOnly(checkRequest(toy, 'Ping', { X: 1 }), '', 'type')
  })

  it('throws for an unknown operation, with a hint', () => {
    expect(() => checkRequest(toy, 'PutCommand', {})).toThrow(/no operation "PutCommand"; did you mean "Put"\?/)
  })

  it('assertValidRequest lists every violation on its own line', () => {
    expect(() => assertValidRequest(toy, 'Put', ok)).not.toThrow()
    let message = ''
    try {
      assertValidRequest(toy, 'Put', { Name: 'ABC', Count: 0, Extra: true })
    } catch (error) {
      message = error instanceof Error ? error.message : String(error)
    }
    const lines = message.split('\n')
    expect(lines[0]).toMatch(/^Put request violates the toy 2020-01-01 service model \(3 violations\):$/)
    expect(lines.slice(1).map((line) => line.trim().split(' ').slice(0, 2).join(' '))).toEqual([
      'Name [pattern]',
      'Count [min]',
      'Extra [unknownMember]',
    ])
  })

  it('never throws and always returns well-formed violations', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withTypedArray: true, withNullPrototype: true }), (value) => {
        for (const v of check(value)) {
          expect(RULES.has(v.rule)).toBe(true)
          expect(typeof v.path).toBe('string')
          expect(v.message).not.toBe('')
        }
        for (const v of check({ ...ok, Child: value, Labels: value, Items: value })) expect(RULES.has(v.rule)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})

// ---------------------------------------------------------------------------
// The real SageMaker model
// ---------------------------------------------------------------------------

const sagemaker = serviceModelOrSkip('sagemaker')
if (sagemaker.skip !== undefined) console.warn(`[service-model.test] ${sagemaker.skip}`)

function sm(): ServiceModel {
  if (sagemaker.model === undefined) throw new Error(sagemaker.skip)
  return sagemaker.model
}

const ROLE = 'arn:aws:iam::123456789012:role/service-role/SageMakerExecutionRole'
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1'
const TAGS = [
  { Key: 'project', Value: 'churn' },
  { Key: 'owner', Value: 'Zoë Müller' },
  { Key: 'cost-center:ml/team=data', Value: '' },
]
const VPC = {
  SecurityGroupIds: ['sg-0123456789abcdef0'],
  Subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
}

const trainingJob = {
  TrainingJobName: 'xgb-churn-2024-01-01-00-00-00',
  HyperParameters: { max_depth: '5', eta: '0.2', objective: 'binary:logistic', num_round: '100' },
  AlgorithmSpecification: {
    TrainingImage: IMAGE,
    TrainingInputMode: 'File',
    MetricDefinitions: [{ Name: 'validation:auc', Regex: 'validation-auc:([0-9\\.]+)' }],
    EnableSageMakerMetricsTimeSeries: true,
  },
  RoleArn: ROLE,
  InputDataConfig: [
    {
      ChannelName: 'train',
      DataSource: {
        S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/churn/train/', S3DataDistributionType: 'FullyReplicated' },
      },
      ContentType: 'text/csv',
      CompressionType: 'None',
      InputMode: 'File',
      ShuffleConfig: { Seed: 42 },
    },
    {
      ChannelName: 'validation',
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/churn/validation/' } },
      ContentType: 'text/csv',
    },
  ],
  OutputDataConfig: { S3OutputPath: 's3://bucket/churn/output/', KmsKeyId: 'alias/sagemaker' },
  ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 2, VolumeSizeInGB: 30 },
  VpcConfig: VPC,
  StoppingCondition: { MaxRuntimeInSeconds: 86_400, MaxWaitTimeInSeconds: 90_000 },
  Tags: TAGS,
  EnableNetworkIsolation: false,
  EnableInterContainerTrafficEncryption: true,
  EnableManagedSpotTraining: true,
  CheckpointConfig: { S3Uri: 's3://bucket/churn/checkpoints/', LocalPath: '/opt/ml/checkpoints' },
  Environment: { LOG_LEVEL: 'debug', _PRIVATE_FLAG: '1' },
  RetryStrategy: { MaximumRetryAttempts: 3 },
}

const model = {
  ModelName: 'xgb-churn-model',
  PrimaryContainer: {
    Image: IMAGE,
    ModelDataUrl: 's3://bucket/churn/output/model.tar.gz',
    Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: 's3://bucket/code/sourcedir.tar.gz' },
    Mode: 'SingleModel',
  },
  ExecutionRoleArn: ROLE,
  VpcConfig: VPC,
  Tags: TAGS,
  EnableNetworkIsolation: false,
}

const serialModel = {
  ModelName: 'churn-pipeline-model',
  Containers: [
    { ContainerHostname: 'preprocess', Image: IMAGE, Environment: { STAGE: 'preprocess' } },
    { ContainerHostname: 'predict', Image: IMAGE, ModelDataUrl: 's3://bucket/churn/output/model.tar.gz' },
  ],
  InferenceExecutionConfig: { Mode: 'Serial' },
  ExecutionRoleArn: ROLE,
}

const endpointConfig = {
  EndpointConfigName: 'xgb-churn-config',
  ProductionVariants: [
    {
      VariantName: 'AllTraffic',
      ModelName: 'xgb-churn-model',
      InitialInstanceCount: 1,
      InstanceType: 'ml.m5.large',
      InitialVariantWeight: 1,
    },
  ],
  DataCaptureConfig: {
    EnableCapture: true,
    InitialSamplingPercentage: 20,
    DestinationS3Uri: 's3://bucket/churn/capture',
    CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] },
  },
  KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  Tags: TAGS,
}

const serverlessEndpointConfig = {
  EndpointConfigName: 'xgb-churn-serverless',
  ProductionVariants: [
    { VariantName: 'AllTraffic', ModelName: 'xgb-churn-model', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } },
  ],
}

const endpoint = {
  EndpointName: 'xgb-churn',
  EndpointConfigName: 'xgb-churn-config',
  DeploymentConfig: {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: {
        Type: 'CANARY',
        WaitIntervalInSeconds: 600,
        CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
      },
      TerminationWaitInSeconds: 300,
      MaximumExecutionTimeoutInSeconds: 3600,
    },
    AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'churn-latency-high' }] },
  },
  Tags: TAGS,
}

const transformJob = {
  TransformJobName: 'xgb-churn-batch-2024-01-01',
  ModelName: 'xgb-churn-model',
  MaxConcurrentTransforms: 4,
  MaxPayloadInMB: 6,
  BatchStrategy: 'MultiRecord',
  Environment: { SAGEMAKER_MODEL_SERVER_TIMEOUT: '3600' },
  TransformInput: {
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/churn/batch/input/' } },
    ContentType: 'text/csv',
    CompressionType: 'None',
    SplitType: 'Line',
  },
  TransformOutput: { S3OutputPath: 's3://bucket/churn/batch/output/', Accept: 'text/csv', AssembleWith: 'Line' },
  TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
  DataProcessing: { InputFilter: '$[1:]', OutputFilter: '$[0,-1]', JoinSource: 'Input' },
  Tags: TAGS,
}

const tuningJob = {
  HyperParameterTuningJobName: 'xgb-churn-tune-2024',
  HyperParameterTuningJobConfig: {
    Strategy: 'Bayesian',
    HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:auc' },
    ResourceLimits: { MaxNumberOfTrainingJobs: 20, MaxParallelTrainingJobs: 2 },
    ParameterRanges: {
      IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '10', ScalingType: 'Linear' }],
      ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0.01', MaxValue: '0.3', ScalingType: 'Logarithmic' }],
      CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
    },
    TrainingJobEarlyStoppingType: 'Auto',
  },
  TrainingJobDefinition: {
    StaticHyperParameters: { objective: 'binary:logistic', num_round: '100' },
    AlgorithmSpecification: {
      TrainingImage: IMAGE,
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'validation:auc', Regex: 'validation-auc:([0-9\\.]+)' }],
    },
    RoleArn: ROLE,
    InputDataConfig: trainingJob.InputDataConfig,
    OutputDataConfig: { S3OutputPath: 's3://bucket/churn/tuning/' },
    ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    EnableManagedSpotTraining: false,
  },
  Tags: TAGS,
}

describe.skipIf(sagemaker.skip !== undefined)(
  `sagemaker service model${sagemaker.skip === undefined ? '' : ` — SKIPPED: ${sagemaker.skip}`}`,
  () => {
    it('is the SageMaker 2017-07-24 API, and all its patterns compile', () => {
      const m = sm()
      expect(m.service).toBe('sagemaker')
      expect(m.apiVersion).toBe('2017-07-24')
      expect(m.operations.has('CreateTrainingJob')).toBe(true)
      expect(m.uncompilablePatterns).toEqual([])
      expect(uncompilablePatterns.filter((u) => u.service === 'sagemaker')).toEqual([])
      // A handful need Java-specific rewriting; none may silently change meaning.
      for (const entry of convertedPatterns(m)) expect(entry.conversions.length).toBeGreaterThan(0)
    })

    it('walks every operation: an empty request yields only "required" violations', () => {
      const m = sm()
      for (const name of m.operations.keys()) {
        for (const v of checkRequest(m, name, {})) expect(`${name}: ${v.rule}`).toBe(`${name}: required`)
      }
    })

    describe('CreateTrainingJob', () => {
      const check = (request: unknown): ReadonlyArray<ModelViolation> => checkRequest(sm(), 'CreateTrainingJob', request)

      it('accepts a complete request', () => {
        expectValid(check(trainingJob))
        expect(() => assertValidRequest(sm(), 'CreateTrainingJob', trainingJob)).not.toThrow()
      })

      it('treats undefined optional members as absent', () => {
        expectValid(check({ ...trainingJob, VpcConfig: undefined, Tags: undefined }))
      })

      it('missing required member', () => {
        expectOnly(
          check(
            variant(trainingJob, (r: Json) => {
              delete r['RoleArn']
            }),
          ),
          'RoleArn',
          'required',
        )
        expectOnly(
          check(
            variant(trainingJob, (r) => {
              ;(r.OutputDataConfig as Json)['S3OutputPath'] = undefined
            }),
          ),
          'OutputDataConfig.S3OutputPath',
          'required',
        )
      })

      it('wrong type', () => {
        expectOnly(
          check(variant(trainingJob, (r) => void ((r.ResourceConfig as Json)['InstanceCount'] = '2'))),
          'ResourceConfig.InstanceCount',
          'type',
        )
        expectOnly(
          check(variant(trainingJob, (r) => void ((r.ResourceConfig as Json)['InstanceCount'] = 1.5))),
          'ResourceConfig.InstanceCount',
          'type',
        )
        expectOnly(
          check(variant(trainingJob, (r) => void ((r as Json)['EnableManagedSpotTraining'] = 'true'))),
          'EnableManagedSpotTraining',
          'type',
        )
        expectOnly(check({ ...trainingJob, HyperParameters: new Map([['eta', '0.2']]) }), 'HyperParameters', 'type')
      })

      it('enum violation', () => {
        expectOnly(
          check(variant(trainingJob, (r) => void ((r.AlgorithmSpecification as Json)['TrainingInputMode'] = 'Stream'))),
          'AlgorithmSpecification.TrainingInputMode',
          'enum',
        )
        expectOnly(
          check(variant(trainingJob, (r) => void ((r.ResourceConfig as Json)['InstanceType'] = 'ml.m5.huge'))),
          'ResourceConfig.InstanceType',
          'enum',
        )
      })

      it('pattern violation (full match, even where the model drops the anchors)', () => {
        expectOnly(check({ ...trainingJob, TrainingJobName: 'bad_name!' }), 'TrainingJobName', 'pattern')
        expectOnly(
          check(variant(trainingJob, (r) => void ((r.InputDataConfig[1] as Json)['ChannelName'] = 'validation data'))),
          'InputDataConfig.1.ChannelName',
          'pattern',
        )
        expectOnly(check({ ...trainingJob, RoleArn: 'arn:aws:iam::123:role/x-y-z-abcdef' }), 'RoleArn', 'pattern')
      })

      it('length violation', () => {
        const nameShape = shapeAt(sm(), 'CreateTrainingJob', 'TrainingJobName')
        const max = bound(nameShape, 'max')
        expect(max).toBe(63)
        const tooLong = dashedName(max + 1) // 64 characters that satisfy the name pattern
        expect(fullMatch(patternOf(nameShape), tooLong)).toBe(true)
        expectOnly(check({ ...trainingJob, TrainingJobName: tooLong }), 'TrainingJobName', 'maxLength')
        expectValid(check({ ...trainingJob, TrainingJobName: dashedName(max) }))
      })

      it('numeric range violation', () => {
        // 1 in older models; newer ones make the volume optional with minimum 0
        const min = bound(shapeAt(sm(), 'CreateTrainingJob', 'ResourceConfig.VolumeSizeInGB'), 'min')
        expectOnly(
          check(variant(trainingJob, (r) => void ((r.ResourceConfig as Json)['VolumeSizeInGB'] = min - 1))),
          'ResourceConfig.VolumeSizeInGB',
          'min',
        )
        const maxRetries = bound(shapeAt(sm(), 'CreateTrainingJob', 'RetryStrategy.MaximumRetryAttempts'), 'max')
        expectOnly(
          check({ ...trainingJob, RetryStrategy: { MaximumRetryAttempts: maxRetries + 1 } }),
          'RetryStrategy.MaximumRetryAttempts',
          'max',
        )
      })

      it('list length violation', () => {
        const min = bound(shapeAt(sm(), 'CreateTrainingJob', 'VpcConfig.Subnets'), 'min')
        expect(min).toBe(1)
        expectOnly(check({ ...trainingJob, VpcConfig: { ...VPC, Subnets: [] } }), 'VpcConfig.Subnets', 'minLength')
        expectOnly(check({ ...trainingJob, InputDataConfig: [] }), 'InputDataConfig', 'minLength')
      })

      it('map key and value violations', () => {
        const valueShape = shapeAt(sm(), 'CreateTrainingJob', 'HyperParameters.lr')
        const max = bound(valueShape, 'max')
        expectOnly(
          check({ ...trainingJob, HyperParameters: { lr: 'x'.repeat(max + 1) } }),
          'HyperParameters.lr',
          'maxLength',
        )
        // HyperParameterValue's pattern is `.*`, which (fully matched) excludes line breaks
        expect(patternOf(valueShape)).toBe('.*')
        expectOnly(check({ ...trainingJob, HyperParameters: { lr: '0.1\n0.2' } }), 'HyperParameters.lr', 'pattern')
        expectOnly(check({ ...trainingJob, Environment: { '1BAD': 'x' } }), 'Environment.1BAD', 'pattern')
        expectOnly(check({ ...trainingJob, HyperParameters: { lr: 0.1 } }), 'HyperParameters.lr', 'type')
      })

      it('unknown member', () => {
        expectOnly(
          check(variant(trainingJob, (r) => void ((r.ResourceConfig as Json)['InstanceCnt'] = 1))),
          'ResourceConfig.InstanceCnt',
          'unknownMember',
        )
        expectOnly(check({ ...trainingJob, trainingJobName: 'x' }), 'trainingJobName', 'unknownMember')
      })

      it('reports several violations together, and assertValidRequest lists them', () => {
        const bad = variant(trainingJob, (r: Json) => {
          delete r['RoleArn']
          r['TrainingJobName'] = 'bad_name!'
        })
        expect(check(bad).map((v) => `${v.path}:${v.rule}`)).toEqual(['RoleArn:required', 'TrainingJobName:pattern'])
        expect(() => assertValidRequest(sm(), 'CreateTrainingJob', bad)).toThrow(
          /2 violations\):\n {2}RoleArn \[required\] .+\n {2}TrainingJobName \[pattern\] .+bad_name!/,
        )
      })

      it('accepts any hyperparameters within the model limits', () => {
        const key = fc.stringMatching(/^[a-z_][a-z0-9_:.-]{0,40}$/)
        const value = fc.string({ maxLength: 100 }).filter((s) => !/[\n\r\u0085\u2028\u2029]/.test(s))
        fc.assert(
          fc.property(fc.dictionary(key, value, { maxKeys: 20 }), (hyperParameters) => {
            expectValid(check({ ...trainingJob, HyperParameters: hyperParameters }))
          }),
          { numRuns: 100 },
        )
      })

      it('never throws on arbitrary input', () => {
        fc.assert(
          fc.property(fc.anything(), fc.anything(), (a, b) => {
            check(a)
            check({ ...trainingJob, ResourceConfig: a, InputDataConfig: [b], HyperParameters: a })
          }),
          { numRuns: 200 },
        )
      })
    })

    describe('CreateModel', () => {
      const check = (request: unknown): ReadonlyArray<ModelViolation> => checkRequest(sm(), 'CreateModel', request)
      it('accepts a single-container and a serial multi-container model', () => {
        expectValid(check(model))
        expectValid(check(serialModel))
      })
      it('rejects invalid ones', () => {
        expectOnly(check({ ...model, ModelName: 'my_model' }), 'ModelName', 'pattern')
        expectOnly(
          check(variant(model, (r) => void ((r.PrimaryContainer.Environment as Json)['1X'] = 'y'))),
          'PrimaryContainer.Environment.1X',
          'pattern',
        )
        expectOnly(
          check(variant(serialModel, (r) => void ((r.InferenceExecutionConfig as Json)['Mode'] = 'Parallel'))),
          'InferenceExecutionConfig.Mode',
          'enum',
        )
      })
    })

    describe('CreateEndpointConfig', () => {
      const check = (request: unknown): ReadonlyArray<ModelViolation> => checkRequest(sm(), 'CreateEndpointConfig', request)
      it('accepts instance-backed and serverless configurations', () => {
        expectValid(check(endpointConfig))
        expectValid(check(serverlessEndpointConfig))
      })
      it('rejects invalid ones', () => {
        expectOnly(check({ ...endpointConfig, ProductionVariants: [] }), 'ProductionVariants', 'minLength')
        expectOnly(
          check(variant(endpointConfig, (r) => void ((r.ProductionVariants[0] as Json)['InitialVariantWeight'] = -0.5))),
          'ProductionVariants.0.InitialVariantWeight',
          'min',
        )
        const minMemory = bound(shapeAt(sm(), 'CreateEndpointConfig', 'ProductionVariants.0.ServerlessConfig.MemorySizeInMB'), 'min')
        expectOnly(
          check(
            variant(serverlessEndpointConfig, (r) => {
              r.ProductionVariants[0]!.ServerlessConfig.MemorySizeInMB = minMemory - 1
            }),
          ),
          'ProductionVariants.0.ServerlessConfig.MemorySizeInMB',
          'min',
        )
      })
    })

    describe('CreateEndpoint', () => {
      const check = (request: unknown): ReadonlyArray<ModelViolation> => checkRequest(sm(), 'CreateEndpoint', request)
      it('accepts a blue/green canary deployment', () => {
        expectValid(check(endpoint))
        expectValid(check({ EndpointName: 'xgb-churn', EndpointConfigName: 'xgb-churn-config' }))
      })
      it('rejects invalid ones', () => {
        expectOnly(check({ EndpointName: 'xgb-churn' }), 'EndpointConfigName', 'required')
        const path = 'DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.WaitIntervalInSeconds'
        const max = bound(shapeAt(sm(), 'CreateEndpoint', path), 'max')
        expectOnly(
          check(
            variant(endpoint, (r) => {
              r.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.WaitIntervalInSeconds = max + 1
            }),
          ),
          path,
          'max',
        )
      })
    })

    describe('CreateTransformJob', () => {
      const check = (request: unknown): ReadonlyArray<ModelViolation> => checkRequest(sm(), 'CreateTransformJob', request)
      it('accepts a complete request', () => {
        expectValid(check(transformJob))
      })
      it('rejects invalid ones', () => {
        expectOnly(
          check(variant(transformJob, (r) => void (r.TransformResources.InstanceCount = 0))),
          'TransformResources.InstanceCount',
          'min',
        )
        expectOnly(
          check(variant(transformJob, (r) => void (r.TransformInput.SplitType = 'Paragraph'))),
          'TransformInput.SplitType',
          'enum',
        )
      })
    })

    describe('CreateHyperParameterTuningJob', () => {
      const check = (request: unknown): ReadonlyArray<ModelViolation> =>
        checkRequest(sm(), 'CreateHyperParameterTuningJob', request)
      it('accepts a complete request', () => {
        expectValid(check(tuningJob))
      })
      it('rejects invalid ones', () => {
        const max = bound(shapeAt(sm(), 'CreateHyperParameterTuningJob', 'HyperParameterTuningJobName'), 'max')
        expectOnly(
          check({ ...tuningJob, HyperParameterTuningJobName: dashedName(max + 1) }),
          'HyperParameterTuningJobName',
          'maxLength',
        )
        expectOnly(
          check(variant(tuningJob, (r) => void (r.HyperParameterTuningJobConfig.Strategy = 'Evolutionary'))),
          'HyperParameterTuningJobConfig.Strategy',
          'enum',
        )
        expectOnly(
          check(
            variant(tuningJob, (r) => {
              r.HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges[0]!.Values = []
            }),
          ),
          'HyperParameterTuningJobConfig.ParameterRanges.CategoricalParameterRanges.0.Values',
          'minLength',
        )
      })
    })
  },
)

// ---------------------------------------------------------------------------
// Other models sagespec talks to
// ---------------------------------------------------------------------------

const runtime = serviceModelOrSkip('sagemaker-runtime')
describe.skipIf(runtime.skip !== undefined)(
  `sagemaker-runtime service model${runtime.skip === undefined ? '' : ` — SKIPPED: ${runtime.skip}`}`,
  () => {
    const rt = (): ServiceModel => {
      if (runtime.model === undefined) throw new Error(runtime.skip)
      return runtime.model
    }
    it('loads with every pattern compiled', () => {
      expect(rt().uncompilablePatterns).toEqual([])
    })
    it('checks InvokeEndpoint', () => {
      const request = {
        EndpointName: 'xgb-churn',
        Body: Buffer.from('1,2,3\n'),
        ContentType: 'text/csv',
        Accept: 'application/json',
        TargetModel: 'model-a.tar.gz',
      }
      expectValid(checkRequest(rt(), 'InvokeEndpoint', request))
      expectValid(checkRequest(rt(), 'InvokeEndpoint', { ...request, Body: '1,2,3' }))
      expectOnly(checkRequest(rt(), 'InvokeEndpoint', { EndpointName: 'xgb-churn' }), 'Body', 'required')
      expectOnly(checkRequest(rt(), 'InvokeEndpoint', { ...request, ContentType: 'text/csvé' }), 'ContentType', 'pattern')
      expectOnly(checkRequest(rt(), 'InvokeEndpoint', { ...request, TargetModel: ' model' }), 'TargetModel', 'pattern')
    })
  },
)

const s3 = serviceModelOrSkip('s3')
describe.skipIf(s3.skip !== undefined)(`s3 service model${s3.skip === undefined ? '' : ` — SKIPPED: ${s3.skip}`}`, () => {
  const model3 = (): ServiceModel => {
    if (s3.model === undefined) throw new Error(s3.skip)
    return s3.model
  }
  it('loads with every pattern compiled', () => {
    expect(model3().uncompilablePatterns).toEqual([])
  })
  it('checks PutObject, including a streaming body', () => {
    const request = { Bucket: 'bucket', Key: 'code/sourcedir.tar.gz', Body: Buffer.from('x'), ContentType: 'application/gzip' }
    expectValid(checkRequest(model3(), 'PutObject', request))
    expectOnly(checkRequest(model3(), 'PutObject', { Bucket: 'bucket', Body: 'x' }), 'Key', 'required')
    expectOnly(checkRequest(model3(), 'PutObject', { ...request, ACL: 'public' }), 'ACL', 'enum')
  })
})
