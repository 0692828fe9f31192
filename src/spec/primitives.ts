/**
 * Field codecs that mirror SageMaker's own limits (from the service model), each with words a person
 * understands in its error message. All of them accept refs/params through `val`, except names that
 * must be known when the plan is made.
 *
 * @since 0.1.0
 */
import * as C from './codec.js'

/** SageMaker resource names: `^[a-zA-Z0-9](-*[a-zA-Z0-9])*`, at most 63 characters. */
export const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/

/** A step's logical name; also the default base of its physical names, so it follows SageMaker's rule. */
export const StepName = C.str('StepName', {
  min: 1,
  max: 63,
  pattern: NAME_PATTERN,
  describe: 'a name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit',
})

export const BaseName = C.str('BaseName', {
  min: 1,
  max: 63,
  pattern: NAME_PATTERN,
  describe: 'a base name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit',
})

export const ResourceName = C.vstr('ResourceName', {
  min: 1,
  max: 63,
  pattern: NAME_PATTERN,
  describe: 'a SageMaker name of 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit',
})

export const RoleArn = C.vstr('RoleArn', {
  min: 20,
  max: 2048,
  pattern: /^arn:aws[a-z\-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/,
  describe: 'an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
})

export const S3Uri = C.vstr('S3Uri', {
  max: 1024,
  pattern: /^(https|s3):\/\/([^/]+)\/?(.*)$/,
  describe: 'an S3 URI (s3://bucket/prefix) of at most 1024 characters',
})

/** Data sources that may also be local directories (`file://`), for local runs. */
export const DataUri = C.vstr('DataUri', {
  max: 1024,
  pattern: /^((https|s3):\/\/([^/]+)\/?(.*)|file:\/\/.+)$/,
  describe: 'an S3 URI (s3://bucket/prefix) or a local file:// URI',
})

export const OutputUri = DataUri

export const ImageUri = C.vstr('ImageUri', {
  min: 1,
  max: 255,
  pattern: /^[\S]+$/,
  describe: 'a container image URI of at most 255 characters without spaces',
})

export const AlgorithmName = C.vstr('AlgorithmName', {
  min: 1,
  max: 170,
  pattern: /^(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)$/,
  describe: 'an algorithm name or ARN',
})

export const ModelPackageName = C.vstr('ModelPackageName', {
  min: 1,
  max: 176,
  pattern: /^(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\/[0-9]{1,9})?$/,
  describe: 'a model package name or ARN',
})

export const KmsKeyId = C.vstr('KmsKeyId', { max: 2048, pattern: /^[a-zA-Z0-9:/_-]*$/, describe: 'a KMS key id, alias or ARN' })

export const InstanceType = C.vstr('InstanceType', {
  pattern: /^ml\.[a-z0-9-]+\.[a-z0-9]+$/,
  describe: 'a SageMaker instance type such as "ml.m5.xlarge"',
})

export const InstanceCount = C.vint('InstanceCount', { min: 1 })
export const VolumeSizeInGb = C.vint('VolumeSizeInGb', { min: 1 })
export const Seconds = C.vint('Seconds', { min: 1 })

export const ContentType = C.vstr('ContentType', { max: 256, pattern: /^.*$/ })

export const ChannelName = C.str('ChannelName', {
  min: 1,
  max: 64,
  pattern: /^[A-Za-z0-9.\-_]+$/,
  describe: 'a channel name of 1 to 64 letters, digits, dots, hyphens and underscores',
})

export const VariantName = C.str('VariantName', {
  min: 1,
  max: 63,
  pattern: NAME_PATTERN,
  describe: 'a variant name of 1 to 63 letters, digits and hyphens',
})

export const SecurityGroupId = C.vstr('SecurityGroupId', { max: 32, pattern: /^[-0-9a-zA-Z]+$/, describe: 'a security group id such as "sg-0123abcd"' })
export const SubnetId = C.vstr('SubnetId', { max: 32, pattern: /^[-0-9a-zA-Z]+$/, describe: 'a subnet id such as "subnet-0123abcd"' })

export const Vpc = C.struct(
  'VpcConfig',
  {},
  {
    subnets: C.array(SubnetId, { min: 1, max: 16 }),
    securityGroupIds: C.array(SecurityGroupId, { min: 1, max: 5 }),
  },
)

export const TagKey = C.str('TagKey', {
  min: 1,
  max: 128,
  pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u,
  describe: 'a tag key of 1 to 128 letters, digits, spaces and _.:/=+-@',
})
export const Tags = C.record(
  C.vstr('TagValue', { max: 256, pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u, describe: 'a tag value of at most 256 letters, digits, spaces and _.:/=+-@' }),
  { key: TagKey, max: 50 },
)

export const EnvKey = C.str('EnvKey', {
  min: 1,
  max: 1024,
  pattern: /^[a-zA-Z_][a-zA-Z0-9_]*$/,
  describe: 'an environment variable name ([a-zA-Z_][a-zA-Z0-9_]*)',
})
export const Environment = C.record(C.vstr('EnvValue', { max: 1024 }), { key: EnvKey, max: 100 })

/** Keys of a deep-merged escape hatch: anything JSON, checked by the service model test instead. */
export const Overrides = C.record(C.scalar('JSON', 'a JSON value', (u): u is unknown => u !== undefined))
