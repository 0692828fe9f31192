/**
 * Batch transform jobs (`CreateTransformJob`).
 *
 * @since 0.1.0
 */
import * as C from './codec.js'
import * as F from './fields.js'
import * as P from './primitives.js'
import { limits, serviceEnum } from './service-rules.js'
import { S3_DATA_TYPES } from './training.js'
import { TransformInstance } from './instance-types.js'

export const TransformInput = C.struct(
  'TransformInput',
  { uri: F.DataUri },
  {
    /** @default 'S3Prefix' */
    dataType: C.voneOf('S3DataType', S3_DATA_TYPES),
    contentType: P.ContentType,
    compression: C.voneOf('CompressionType', serviceEnum('CompressionType')),
    splitType: C.voneOf('SplitType', serviceEnum('SplitType')),
  },
)

export const TransformOutput = C.struct(
  'TransformOutput',
  { s3OutputPath: F.OutputUri },
  {
    kmsKeyId: F.KmsKeyId,
    accept: P.ContentType,
    assembleWith: C.voneOf('AssemblyType', serviceEnum('AssemblyType')),
  },
)

export const DataProcessing = C.struct(
  'DataProcessing',
  {},
  {
    inputFilter: C.vstr('JsonPath', limits('JsonPath')),
    outputFilter: C.vstr('JsonPath', limits('JsonPath')),
    joinSource: C.voneOf('JoinSource', serviceEnum('JoinSource')),
  },
)

export const TransformResources = C.struct(
  'TransformResources',
  { instanceType: TransformInstance },
  { /** @default 1 */ instanceCount: P.InstanceCount, volumeKmsKeyId: F.KmsKeyId },
)

export const transformFields = {
  required: {
    /** The model: `model.outputs.name`, or `existing('name')` for one made outside the program. */
    model: F.ModelRef,
    resources: TransformResources,
    input: TransformInput,
    output: TransformOutput,
  },
  optional: {
    batchStrategy: C.voneOf('BatchStrategy', serviceEnum('BatchStrategy')),
    maxPayloadInMb: C.vint('MaxPayloadInMB', { min: 0, max: 100 }),
    maxConcurrentTransforms: C.vint('MaxConcurrentTransforms', { min: 0 }),
    environment: C.record(C.vstr('TransformEnvironmentValue', { ...limits('TransformEnvironmentValue'), describe: 'a value of at most 10240 characters' }), { key: C.str('TransformEnvironmentKey', { ...limits('TransformEnvironmentKey'), describe: 'an environment variable name ([a-zA-Z_][a-zA-Z0-9_]*) of at most 1024 characters' }), max: 16 }),
    dataProcessing: DataProcessing,
    /** @default the step's name */
    baseJobName: P.BaseName,
    tags: P.Tags,
    overrides: P.overridesOf('Transform'),
  },
} as const
