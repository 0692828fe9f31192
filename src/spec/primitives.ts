/**
 * Field codecs that mirror SageMaker's own limits (from the service model), each with words a person
 * understands in its error message. All of them accept refs/params through `val`, except names that
 * must be known when the plan is made.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import * as C from './codec.js'
import type { OverridesByKind } from './overrides.js'
import { JAVA_DOT, limits } from './service-rules.js'

/** SageMaker resource names: `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`, at most 63 characters. */
export const NAME_PATTERN = limits('TrainingJobName').pattern!

/** A step's logical name; also the default base of its physical names, so it follows SageMaker's rule. */
export const StepName = C.str('StepName', {
  ...limits('TrainingJobName'),
  describe: 'a name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit',
})

export const BaseName = C.str('BaseName', {
  ...limits('TrainingJobName'),
  describe: 'a base name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit',
})

export const ResourceName = C.vstr('ResourceName', {
  ...limits('TrainingJobName'),
  describe: 'a SageMaker name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit',
})

export const RoleArn = C.vstr('RoleArn', {
  ...limits('RoleArn'),
  describe: 'an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
})

export const S3Uri = C.vstr('S3Uri', {
  ...limits('S3Uri'),
  describe: 'an S3 URI (s3://bucket/prefix) of at most 1024 characters',
})

/** Data sources that may also be local directories (`file://`), for local runs. */
export const DATA_URI_PATTERN = new RegExp(`${limits('S3Uri').pattern!.source}|^file:\\/\\/${JAVA_DOT}+$`, 'u')
export const DataUri = C.vstr('DataUri', {
  ...limits('S3Uri'),
  pattern: DATA_URI_PATTERN,
  describe: 'an S3 URI (s3://bucket/prefix) or a local file:// URI',
})

export const OutputUri = DataUri

export const ImageUri = C.vstr('ImageUri', {
  ...limits('ContainerImage'),
  describe: 'a container image URI of at most 255 characters without spaces',
})

export const AlgorithmName = C.vstr('AlgorithmName', {
  ...limits('ArnOrName'),
  describe: 'an algorithm name or ARN',
})

export const ModelPackageName = C.vstr('ModelPackageName', {
  ...limits('VersionedArnOrName'),
  describe: 'a model package name or ARN',
})

export const KmsKeyId = C.vstr('KmsKeyId', { ...limits('KmsKeyId'), describe: 'a KMS key id, alias or ARN' })

export const InstanceType = C.vstr('InstanceType', {
  pattern: /^ml\.[a-z0-9-]+\.[a-z0-9]+$/,
  describe: 'a SageMaker instance type such as "ml.m5.xlarge"',
})

export const InstanceCount = C.vint('InstanceCount', { min: 1 })
export const VolumeSizeInGb = C.vint('VolumeSizeInGb', { min: 1 })
export const Seconds = C.vint('Seconds', { min: 1 })

export const ContentType = C.vstr('ContentType', { ...limits('ContentType'), describe: 'a content type of at most 256 characters on one line' })

export const ChannelName = C.str('ChannelName', {
  ...limits('ChannelName'),
  describe: 'a channel name of 1 to 64 letters, digits, dots, hyphens and underscores',
})

export const VariantName = C.str('VariantName', {
  ...limits('VariantName'),
  min: 1,
  describe: 'a variant name of 1 to 63 letters, digits and hyphens',
})

export const SecurityGroupId = C.vstr('SecurityGroupId', { ...limits('SecurityGroupId'), describe: 'a security group id such as "sg-0123abcd"' })
export const SubnetId = C.vstr('SubnetId', { ...limits('SubnetId'), describe: 'a subnet id such as "subnet-0123abcd"' })

export const Vpc = C.struct(
  'VpcConfig',
  {},
  {
    subnets: C.array(SubnetId, { min: 1, max: 16 }),
    securityGroupIds: C.array(SecurityGroupId, { min: 1, max: 5 }),
  },
)

export const TagKey = C.str('TagKey', {
  ...limits('TagKey'),
  describe: 'a tag key of 1 to 128 letters, digits, spaces and _.:/=+-@',
})
export const Tags = C.record(
  C.vstr('TagValue', { ...limits('TagValue'), describe: 'a tag value of at most 256 letters, digits, spaces and _.:/=+-@' }),
  { key: TagKey, max: 50 },
)

export const EnvKey = C.str('EnvKey', {
  ...limits('EnvironmentKey'),
  min: 1,
  describe: 'an environment variable name ([a-zA-Z_][a-zA-Z0-9_]*)',
})
export const Environment = C.record(C.vstr('EnvValue', { ...limits('EnvironmentValue'), describe: 'a value of at most 1024 characters' }), { key: EnvKey, max: 100 })

/** Keys of a deep-merged escape hatch: anything JSON, checked by the service model test instead. */
export const Overrides = C.record(C.scalar('JSON', 'a JSON value', (u): u is unknown => u !== undefined))

/**
 * `Overrides` typed as a deep partial of the request a step kind sends (`overrides.ts`): the same
 * run-time check (JSON), a stricter static type for programs the compiler sees.
 */
export const overridesOf = <K extends keyof OverridesByKind>(_kind: K): t.Type<OverridesByKind[K], OverridesByKind[K], unknown> =>
  Overrides as unknown as t.Type<OverridesByKind[K], OverridesByKind[K], unknown>
