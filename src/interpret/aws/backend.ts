/**
 * The AWS backend: the executor's port implemented with the SDK v3 clients. Credentials and region
 * come from the SDK's own chain (environment, shared config and profiles, SSO, container and instance
 * metadata); endpoint overrides from its `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` variables.
 * Retries of SageMaker calls are the executor's alone (`sendRetrying`: `--max-attempts` attempts,
 * backoff with jitter, `Retry-After`): its clients make one attempt each, so attempts never multiply.
 * S3 and CloudWatch Logs, which nothing above retries, keep the SDK's retries with `--max-attempts`.
 *
 * @since 0.2.0
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import * as SM from '@aws-sdk/client-sagemaker'
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { requestAgainstAlgorithm } from '../../frameworks/marketplace.js'
import { serviceError, type Input, type OperationName, type Output } from '../plan/operations.js'
import type { Backend, CallOptions } from '../execute/port.js'
import type { TargetOptions } from '../execute/target.js'
import { DEFAULT_MAX_ATTEMPTS } from '../execute/calls.js'
import { clearly, clientConfig, endpointOverride, pollPolicy, singleAttemptConfig, type Env } from './config.js'
import { readLogs } from './logs.js'
import { repackInS3, s3Client, stageArchive } from './s3.js'

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

interface Clients {
  readonly sagemaker: SM.SageMakerClient
  readonly runtime: SageMakerRuntimeClient
}

type SendOptions = { readonly abortSignal?: AbortSignal }

/** A command bound to its input, sent by the client it belongs to. */
type Call = (clients: Clients, options: SendOptions) => Promise<unknown>

/** Every operation of the port, as the SDK command that sends it. A new operation is a compile error here until mapped. */
export const COMMANDS: { readonly [K in OperationName]: (input: Input<K>) => Call } = {
  CreateTrainingJob: (i) => (c, o) => c.sagemaker.send(new SM.CreateTrainingJobCommand(i), o),
  DescribeTrainingJob: (i) => (c, o) => c.sagemaker.send(new SM.DescribeTrainingJobCommand(i), o),
  StopTrainingJob: (i) => (c, o) => c.sagemaker.send(new SM.StopTrainingJobCommand(i), o),
  ListTrainingJobs: (i) => (c, o) => c.sagemaker.send(new SM.ListTrainingJobsCommand(i), o),
  CreateHyperParameterTuningJob: (i) => (c, o) => c.sagemaker.send(new SM.CreateHyperParameterTuningJobCommand(i), o),
  DescribeHyperParameterTuningJob: (i) => (c, o) => c.sagemaker.send(new SM.DescribeHyperParameterTuningJobCommand(i), o),
  StopHyperParameterTuningJob: (i) => (c, o) => c.sagemaker.send(new SM.StopHyperParameterTuningJobCommand(i), o),
  ListTrainingJobsForHyperParameterTuningJob: (i) => (c, o) => c.sagemaker.send(new SM.ListTrainingJobsForHyperParameterTuningJobCommand(i), o),
  CreateTransformJob: (i) => (c, o) => c.sagemaker.send(new SM.CreateTransformJobCommand(i), o),
  DescribeTransformJob: (i) => (c, o) => c.sagemaker.send(new SM.DescribeTransformJobCommand(i), o),
  StopTransformJob: (i) => (c, o) => c.sagemaker.send(new SM.StopTransformJobCommand(i), o),
  CreateModel: (i) => (c, o) => c.sagemaker.send(new SM.CreateModelCommand(i), o),
  DescribeModel: (i) => (c, o) => c.sagemaker.send(new SM.DescribeModelCommand(i), o),
  DeleteModel: (i) => (c, o) => c.sagemaker.send(new SM.DeleteModelCommand(i), o),
  CreateEndpointConfig: (i) => (c, o) => c.sagemaker.send(new SM.CreateEndpointConfigCommand(i), o),
  DescribeEndpointConfig: (i) => (c, o) => c.sagemaker.send(new SM.DescribeEndpointConfigCommand(i), o),
  DeleteEndpointConfig: (i) => (c, o) => c.sagemaker.send(new SM.DeleteEndpointConfigCommand(i), o),
  CreateEndpoint: (i) => (c, o) => c.sagemaker.send(new SM.CreateEndpointCommand(i), o),
  DescribeEndpoint: (i) => (c, o) => c.sagemaker.send(new SM.DescribeEndpointCommand(i), o),
  UpdateEndpoint: (i) => (c, o) => c.sagemaker.send(new SM.UpdateEndpointCommand(i), o),
  DeleteEndpoint: (i) => (c, o) => c.sagemaker.send(new SM.DeleteEndpointCommand(i), o),
  UpdateEndpointWeightsAndCapacities: (i) => (c, o) => c.sagemaker.send(new SM.UpdateEndpointWeightsAndCapacitiesCommand(i), o),
  ListEndpoints: (i) => (c, o) => c.sagemaker.send(new SM.ListEndpointsCommand(i), o),
  CreateModelPackage: (i) => (c, o) => c.sagemaker.send(new SM.CreateModelPackageCommand(i), o),
  DescribeModelPackage: (i) => (c, o) => c.sagemaker.send(new SM.DescribeModelPackageCommand(i), o),
  DescribeAlgorithm: (i) => (c, o) => c.sagemaker.send(new SM.DescribeAlgorithmCommand(i), o),
  InvokeEndpoint: (i) => (c, o) => c.runtime.send(new InvokeEndpointCommand(i), o),
  InvokeEndpointAsync: (i) => (c, o) => c.runtime.send(new InvokeEndpointAsyncCommand(i), o),
}

// -------------------------------------------------------------------------------------
// the backend
// -------------------------------------------------------------------------------------

/**
 * The AWS backend for these options. Resolves the region and credentials now, so a missing one is
 * reported before anything starts.
 *
 * @category interpreters
 */
export const createAwsBackend = async (options: TargetOptions, env: Env = process.env): Promise<Backend> => {
  const once = singleAttemptConfig(options)
  const sagemaker = new SM.SageMakerClient(once)
  const runtime = new SageMakerRuntimeClient(once)
  const s3 = s3Client(options, env)
  const logsClient = new CloudWatchLogsClient(clientConfig(options))
  const close = async () => [sagemaker, runtime, s3, logsClient].forEach((c) => c.destroy())

  let region: string
  try {
    region = await sagemaker.config.region()
    await sagemaker.config.credentials()
  } catch (e) {
    await close()
    const clear = clearly(e, 'AWS')
    throw new Error(clear instanceof Error ? clear.message : String(clear))
  }
  const endpoint = endpointOverride('SAGEMAKER', env)
  const where = (service: string, name: string) => endpointOverride(service, env) ?? `${name} in ${region}`

  const sendAs = async <K extends OperationName>(op: K, input: Input<K>, call: CallOptions = {}): Promise<Output<K>> => {
    const command = (COMMANDS[op] as (i: Input<K>) => Call)(input)
    try {
      return (await command({ sagemaker, runtime }, call.signal === undefined ? {} : { abortSignal: call.signal })) as Output<K>
    } catch (e) {
      throw clearly(e, op === 'InvokeEndpoint' ? where('SAGEMAKER_RUNTIME', 'SageMaker Runtime') : where('SAGEMAKER', 'SageMaker'))
    }
  }

  // A job that names an algorithm (a marketplace product, or one of the account's) is checked against
  // the algorithm's own description first: hyperparameters, channels, instance type and count.
  const checkAlgorithm = async (r: Input<'CreateTrainingJob'>, call: CallOptions): Promise<void> => {
    const algorithm = r.AlgorithmSpecification?.AlgorithmName
    if (algorithm === undefined) return
    let d: Output<'DescribeAlgorithm'>
    try {
      d = await sendAs('DescribeAlgorithm', { AlgorithmName: algorithm }, call)
    } catch (e) {
      options.say?.(`${r.TrainingJobName}: the description of ${algorithm} could not be read (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); the job is sent without checking it against the algorithm`)
      return
    }
    const problems = requestAgainstAlgorithm(d, r)
    if (problems.length > 0)
      throw serviceError(
        'ValidationException',
        `${r.TrainingJobName} does not fit ${algorithm} as its DescribeAlgorithm description says: ` +
          problems.map((p) => `${p.path}: expected ${p.expected}${p.actual === undefined ? '' : `, found ${JSON.stringify(p.actual)}`}`).join('; '),
      )
  }

  const send = async <K extends OperationName>(op: K, input: Input<K>, call: CallOptions = {}): Promise<Output<K>> => {
    if (op === 'CreateTrainingJob') await checkAlgorithm(input as Input<'CreateTrainingJob'>, call)
    return sendAs(op, input, call)
  }

  return {
    target: 'aws',
    describe: endpoint === undefined ? `AWS (${region})` : `AWS (${region}, endpoint ${endpoint})`,
    send,
    stageCode: (archive, call = {}) =>
      stageArchive(s3, archive, {
        where: where('S3', 'S3'),
        ...(call.onProgress === undefined ? {} : { onProgress: call.onProgress }),
        ...(call.signal === undefined ? {} : { signal: call.signal }),
      }),
    repackModel: (r, call = {}) => repackInS3(s3, r, { where: where('S3', 'S3'), ...(call.signal === undefined ? {} : { signal: call.signal }) }),
    logs: (kind, job, cursor, call) => readLogs(logsClient, where('CLOUDWATCH_LOGS', 'CloudWatch Logs'), kind, job, cursor, call),
    poll: pollPolicy(env),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    close,
  }
}
