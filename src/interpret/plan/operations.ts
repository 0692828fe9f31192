/**
 * The SageMaker (and SageMaker Runtime) operations sagespec sends, keyed by name, with the AWS SDK's
 * own input and output types. Every backend answers the same operations with the same shapes, so a
 * local job's Describe response cannot be told from a cloud one by the steps that read it.
 *
 * Types only: nothing here loads the SDK at run time.
 *
 * @since 0.2.0
 */
import type * as SM from '@aws-sdk/client-sagemaker'
import type * as RT from '@aws-sdk/client-sagemaker-runtime'

type Out<T> = Omit<T, '$metadata'>

/** @category model */
export interface Operations {
  readonly CreateTrainingJob: { input: SM.CreateTrainingJobCommandInput; output: Out<SM.CreateTrainingJobCommandOutput> }
  readonly DescribeTrainingJob: { input: SM.DescribeTrainingJobCommandInput; output: Out<SM.DescribeTrainingJobCommandOutput> }
  readonly StopTrainingJob: { input: SM.StopTrainingJobCommandInput; output: Out<SM.StopTrainingJobCommandOutput> }
  readonly ListTrainingJobs: { input: SM.ListTrainingJobsCommandInput; output: Out<SM.ListTrainingJobsCommandOutput> }
  readonly CreateHyperParameterTuningJob: { input: SM.CreateHyperParameterTuningJobCommandInput; output: Out<SM.CreateHyperParameterTuningJobCommandOutput> }
  readonly DescribeHyperParameterTuningJob: { input: SM.DescribeHyperParameterTuningJobCommandInput; output: Out<SM.DescribeHyperParameterTuningJobCommandOutput> }
  readonly StopHyperParameterTuningJob: { input: SM.StopHyperParameterTuningJobCommandInput; output: Out<SM.StopHyperParameterTuningJobCommandOutput> }
  readonly ListTrainingJobsForHyperParameterTuningJob: {
    input: SM.ListTrainingJobsForHyperParameterTuningJobCommandInput
    output: Out<SM.ListTrainingJobsForHyperParameterTuningJobCommandOutput>
  }
  readonly CreateTransformJob: { input: SM.CreateTransformJobCommandInput; output: Out<SM.CreateTransformJobCommandOutput> }
  readonly DescribeTransformJob: { input: SM.DescribeTransformJobCommandInput; output: Out<SM.DescribeTransformJobCommandOutput> }
  readonly StopTransformJob: { input: SM.StopTransformJobCommandInput; output: Out<SM.StopTransformJobCommandOutput> }
  readonly CreateModel: { input: SM.CreateModelCommandInput; output: Out<SM.CreateModelCommandOutput> }
  readonly DescribeModel: { input: SM.DescribeModelCommandInput; output: Out<SM.DescribeModelCommandOutput> }
  readonly DeleteModel: { input: SM.DeleteModelCommandInput; output: Out<SM.DeleteModelCommandOutput> }
  readonly CreateEndpointConfig: { input: SM.CreateEndpointConfigCommandInput; output: Out<SM.CreateEndpointConfigCommandOutput> }
  readonly DescribeEndpointConfig: { input: SM.DescribeEndpointConfigCommandInput; output: Out<SM.DescribeEndpointConfigCommandOutput> }
  readonly DeleteEndpointConfig: { input: SM.DeleteEndpointConfigCommandInput; output: Out<SM.DeleteEndpointConfigCommandOutput> }
  readonly CreateEndpoint: { input: SM.CreateEndpointCommandInput; output: Out<SM.CreateEndpointCommandOutput> }
  readonly DescribeEndpoint: { input: SM.DescribeEndpointCommandInput; output: Out<SM.DescribeEndpointCommandOutput> }
  readonly UpdateEndpoint: { input: SM.UpdateEndpointCommandInput; output: Out<SM.UpdateEndpointCommandOutput> }
  readonly DeleteEndpoint: { input: SM.DeleteEndpointCommandInput; output: Out<SM.DeleteEndpointCommandOutput> }
  readonly UpdateEndpointWeightsAndCapacities: {
    input: SM.UpdateEndpointWeightsAndCapacitiesCommandInput
    output: Out<SM.UpdateEndpointWeightsAndCapacitiesCommandOutput>
  }
  readonly ListEndpoints: { input: SM.ListEndpointsCommandInput; output: Out<SM.ListEndpointsCommandOutput> }
  readonly CreateModelPackage: { input: SM.CreateModelPackageCommandInput; output: Out<SM.CreateModelPackageCommandOutput> }
  readonly DescribeModelPackage: { input: SM.DescribeModelPackageCommandInput; output: Out<SM.DescribeModelPackageCommandOutput> }
  readonly DescribeAlgorithm: { input: SM.DescribeAlgorithmCommandInput; output: Out<SM.DescribeAlgorithmCommandOutput> }
  readonly InvokeEndpoint: { input: RT.InvokeEndpointCommandInput; output: Out<RT.InvokeEndpointCommandOutput> }
  readonly InvokeEndpointAsync: { input: RT.InvokeEndpointAsyncCommandInput; output: Out<RT.InvokeEndpointAsyncCommandOutput> }
}

export type OperationName = keyof Operations
export type Input<K extends OperationName> = Operations[K]['input']
export type Output<K extends OperationName> = Operations[K]['output']

/** The Describe operations: each reports on one thing by name. */
export type DescribeOperation = Extract<OperationName, `Describe${string}`>
export type StopOperation = Extract<OperationName, `Stop${string}`>

/** What `send` throws: the SDK's service exceptions have this shape, and so do a local backend's. */
export interface ServiceError {
  readonly name: string
  readonly message: string
  readonly $fault?: 'client' | 'server'
}

export const isServiceError = (e: unknown): e is ServiceError =>
  typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' && typeof (e as { message?: unknown }).message === 'string'

/**
 * SageMaker answers a Describe of something that does not exist with `ValidationException` ("Could
 * not find model …", "Requested resource not found") or `ResourceNotFound`, depending on the call.
 */
export const isNotFound = (e: unknown): boolean =>
  isServiceError(e) &&
  (e.name === 'ResourceNotFound' || e.name === 'ResourceNotFoundException' || (e.name === 'ValidationException' && /not found|could not find|does not exist/i.test(e.message)))

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown'])

/** Worth trying again: throttling, or a fault on the service's side. */
export const isTransient = (e: unknown): boolean => isServiceError(e) && (THROTTLING.has(e.name) || e.$fault === 'server')

/** A service error with SageMaker's shape, for backends that are not the SDK. */
export const serviceError = (name: string, message: string, fault: 'client' | 'server' = 'client'): Error & ServiceError =>
  Object.assign(new Error(message), { name, $fault: fault })
