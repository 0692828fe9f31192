/**
 * Training jobs (`CreateTrainingJob`). Every field of the reference SDK's Estimator, camelCase, with the
 * same defaults (documented with `@default`). The body is shared with tuning, which uses it as a template.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import * as C from './codec.js'
import * as F from './fields.js'
import * as P from './primitives.js'
import { TrainingInstance } from './instance-types.js'
import { JAVA_DOT, limits, serviceEnum } from './service-rules.js'
import type { Val } from './val.js'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

// Enum lists are the service model's (service-rules.generated.ts), so they cannot drift.
export const INPUT_MODES = serviceEnum('TrainingInputMode')
// 'Converse' came to the shape after sagespec's channel handling (plans, local runs and the Airflow
// export know the other three): refused until they do.
export const S3_DATA_TYPES = serviceEnum('S3DataType', ['Converse'])
export const DISTRIBUTIONS = serviceEnum('S3DataDistribution')

/** One input channel. A `file://` URI is a local directory (local runs only). */
export const Channel = C.struct(
  'Channel',
  { uri: F.DataUri },
  {
    /** @default 'S3Prefix' */
    s3DataType: C.voneOf('S3DataType', S3_DATA_TYPES),
    /** @default 'FullyReplicated' */
    distribution: C.voneOf('S3DataDistributionType', DISTRIBUTIONS),
    compression: C.voneOf('CompressionType', serviceEnum('CompressionType')),
    contentType: P.ContentType,
    recordWrapper: C.voneOf('RecordWrapperType', serviceEnum('RecordWrapper')),
    attributeNames: C.array(C.vstr('AttributeName', { ...limits('AttributeName'), describe: 'an attribute name of 1 to 256 characters on one line' }), { max: 16 }),
    /** Overrides the job's input mode for this channel. */
    inputMode: C.voneOf('TrainingInputMode', INPUT_MODES),
    shuffleSeed: C.vint('Seed'),
  },
)
export type Channel = t.TypeOf<typeof Channel>

export const Resources = C.struct(
  'Resources',
  { instanceType: TrainingInstance },
  {
    /** @default 1 */
    instanceCount: P.InstanceCount,
    /** @default 30 */
    volumeSizeInGb: P.VolumeSizeInGb,
    volumeKmsKeyId: F.KmsKeyId,
    /** Warm pool: keep instances for this long after the job. */
    keepAlivePeriodInSeconds: C.vint('KeepAlivePeriodInSeconds', { min: 0, max: 3600 }),
  },
)

export const Stopping = C.struct(
  'StoppingCondition',
  {},
  {
    /** @default 86400 (one day) */
    maxRuntimeInSeconds: P.Seconds,
  },
)

export const Spot = C.struct('Spot', { maxWaitTimeInSeconds: P.Seconds }, {})

export const Checkpoint = C.struct(
  'CheckpointConfig',
  { s3Uri: F.S3Uri },
  { localPath: C.vstr('LocalPath', { ...limits('DirectoryPath'), pattern: new RegExp(`^\\/${JAVA_DOT}*$`, 'u'), describe: 'an absolute path inside the container' }) },
)

export const Output = C.struct('OutputDataConfig', { s3OutputPath: F.OutputUri }, { kmsKeyId: F.KmsKeyId })

export const MetricDefinition = C.struct(
  'MetricDefinition',
  {
    name: C.str('MetricName', { ...limits('MetricName'), describe: 'a metric name of 1 to 255 characters on one line' }),
    regex: C.str('MetricRegex', { ...limits('MetricRegex'), describe: 'a regular expression of 1 to 500 characters on one line' }),
  },
  {},
)

export type HyperParameterValue = string | number | boolean
export const HyperParameterKey = C.str('HyperParameterKey', { ...limits('HyperParameterKey'), describe: 'a hyperparameter name of at most 256 characters on one line' })
// SageMaker's pattern is Java's `.*`: a line break (\n, \r, U+0085, U+2028, U+2029) is refused.
const HyperParameterString = C.str('HyperParameterString', limits('HyperParameterValue'))
const HyperParameterLiteral = C.scalar(
  'HyperParameterValue',
  'a string of at most 2500 characters on one line, a finite number or a boolean',
  (u): u is HyperParameterValue => HyperParameterString.is(u) || (typeof u === 'number' && Number.isFinite(u)) || typeof u === 'boolean',
)
/** A hyperparameter value: any scalar, or anything symbolic that prints to one (params of any type, refs, joins, code). */
export type HyperParameterVal = Val<string> | Val<number> | Val<boolean>
export const HyperParameters = C.record(
  C.val(HyperParameterLiteral, 'scalar') as unknown as t.Type<HyperParameterVal, HyperParameterVal, unknown>,
  { key: HyperParameterKey, max: 100 },
)

/**
 * How hyperparameter values become the strings SageMaker stores: `plain` is `String(v)` (what BYO
 * containers read from hyperparameters.json), `json` is `JSON.stringify(v)` (what framework containers
 * decode). The plan shows the encoded map.
 */
export const HyperParameterEncoding = C.oneOf('HyperParameterEncoding', ['plain', 'json'])
export type HyperParameterEncoding = t.TypeOf<typeof HyperParameterEncoding>

const metaStr = (name: string, describe: string) => C.str(name, { min: 1, max: 256, pattern: /^\S+$/, describe })

/**
 * What a framework preset built a job from (`src/frameworks`), so `modelFromTraining` can build the
 * matching serving model. Metadata only: no request field is read from it, and the code fields are
 * the ones of the job's `sagemaker_submit_directory` archive.
 */
export const FrameworkInfo = C.struct(
  'FrameworkInfo',
  {
    /** The preset's framework, e.g. `pytorch`, `tensorflow`, `rl`. */
    name: metaStr('FrameworkName', 'a framework name without spaces'),
    /** The framework version (Hugging Face: transformers; RL: the toolkit's). */
    version: metaStr('FrameworkVersion', 'a framework version without spaces'),
    region: metaStr('Region', 'an AWS region such as "us-west-2"'),
    entryPoint: metaStr('EntryPoint', 'the entry point path'),
    codeLocation: C.str('CodeLocation', { pattern: /^s3:\/\/[^/]+(\/.*)?$/, describe: 'an S3 prefix for code archives (s3://bucket/prefix)' }),
  },
  {
    pyVersion: metaStr('PyVersion', 'a Python version tag such as "py310"'),
    sourceDir: C.str('SourceDir', { min: 1, describe: 'a local directory path' }),
    dependencies: C.array(C.str('Dependency', { min: 1, describe: 'a local directory path' })),
    containerLogLevel: C.int('ContainerLogLevel', { min: 0, max: 50 }),
    /** Hugging Face: `pytorch2.1.0`; RL: `tensorflow` or `mxnet`. */
    baseFramework: metaStr('BaseFramework', 'a base framework such as "pytorch2.1.0" or "tensorflow"'),
    /** RL: `coach` or `ray`. */
    toolkit: metaStr('Toolkit', 'an RL toolkit such as "coach"'),
  },
)
export type FrameworkInfo = t.TypeOf<typeof FrameworkInfo>

/** The fields of a training job, shared by `Training` steps and tuning templates. */
export const trainingFields = {
  required: {
    role: F.RoleArn,
    resources: Resources,
    output: Output,
  },
  optional: {
    /** Exactly one of `image` and `algorithmName`. */
    image: F.ImageUri,
    algorithmName: F.AlgorithmName,
    /** @default 'File' */
    inputMode: C.voneOf('TrainingInputMode', INPUT_MODES),
    metricDefinitions: C.array(MetricDefinition, { max: 40 }),
    enableSageMakerMetricsTimeSeries: C.vbool,
    stopping: Stopping,
    spot: Spot,
    checkpoint: Checkpoint,
    /** Base of the physical job name. @default the step's name (unused in a tuning template: SageMaker names those jobs) */
    baseJobName: P.BaseName,
    tags: P.Tags,
    vpc: P.Vpc,
    enableNetworkIsolation: C.vbool,
    enableInterContainerTrafficEncryption: C.vbool,
    hyperParameters: HyperParameters,
    /** @default 'plain' */
    hyperParameterEncoding: HyperParameterEncoding,
    environment: C.record(
      C.vstr('TrainingEnvironmentValue', { ...limits('TrainingEnvironmentValue'), describe: 'a value of at most 512 characters' }),
      { key: C.str('TrainingEnvironmentKey', { ...limits('TrainingEnvironmentKey'), min: 1, describe: 'an environment variable name ([a-zA-Z_][a-zA-Z0-9_]*)' }), max: 100 },
    ),
    channels: C.record(Channel, { key: P.ChannelName, max: 20 }),
    /** Incremental training: an earlier model, given as an extra channel. */
    modelUri: F.DataUri,
    /** @default 'model' */
    modelChannelName: P.ChannelName,
    retryAttempts: C.vint('MaximumRetryAttempts', { min: 1, max: 30 }),
    /** Typed escape hatch: deep-merged into the request last, and shown in the plan. */
    overrides: P.overridesOf('Training'),
    /** Set by framework presets; see `FrameworkInfo`. */
    framework: FrameworkInfo,
  },
} as const

/** A tuning job's template: a training body whose overrides address its training job definition. */
export const TrainingJob = C.struct('TrainingJob', trainingFields.required, { ...trainingFields.optional, overrides: P.overridesOf('TrainingTemplate') })
export type TrainingJob = t.TypeOf<typeof TrainingJob>
