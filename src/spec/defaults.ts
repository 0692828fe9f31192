/**
 * The documented defaults, in one place: the request builders apply them, `validate`'s rules reason
 * with them, the dry run prints them.
 *
 * @since 0.1.0
 */
export const DEFAULTS = {
  instanceCount: 1,
  volumeSizeInGb: 30,
  maxRuntimeInSeconds: 86400,
  inputMode: 'File',
  s3DataType: 'S3Prefix',
  distribution: 'FullyReplicated',
  modelChannelName: 'model',
  modelChannelContentType: 'application/x-sagemaker-model',
  hyperParameterEncoding: 'plain',
  strategy: 'Bayesian',
  maxJobs: 1,
  maxParallelJobs: 1,
  earlyStopping: 'Off',
  variantName: 'AllTraffic',
  initialInstanceCount: 1,
  initialWeight: 1,
  endpointUpdate: true,
} as const
