/**
 * The AWS backend: the executor's port implemented with the SDK v3 clients. Credentials and region
 * come from the SDK's own chain (environment, shared config and profiles, SSO, container and instance
 * metadata); endpoint overrides from its `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` variables.
 * Retries of throttling and 5xx are the SDK's (`--max-attempts`); waiting is the executor's.
 *
 * @since 0.2.0
 */
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import * as SM from '@aws-sdk/client-sagemaker'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { Upload } from '@aws-sdk/lib-storage'
import { serviceError, type Input, type OperationName, type Output } from '../plan/operations.js'
import type { Backend, CallOptions, CodeArchive, LogKind, LogLine, Progress } from '../execute/port.js'
import type { TargetOptions } from '../execute/target.js'
import { joinKey, parseS3Uri } from './s3-uri.js'

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
  ListEndpoints: (i) => (c, o) => c.sagemaker.send(new SM.ListEndpointsCommand(i), o),
  CreateModelPackage: (i) => (c, o) => c.sagemaker.send(new SM.CreateModelPackageCommand(i), o),
  DescribeModelPackage: (i) => (c, o) => c.sagemaker.send(new SM.DescribeModelPackageCommand(i), o),
  DescribeAlgorithm: (i) => (c, o) => c.sagemaker.send(new SM.DescribeAlgorithmCommand(i), o),
  InvokeEndpoint: (i) => (c, o) => c.runtime.send(new InvokeEndpointCommand(i), o),
}

// -------------------------------------------------------------------------------------
// configuration
// -------------------------------------------------------------------------------------

type Env = Readonly<Record<string, string | undefined>>

/** The endpoint the SDK will use for a service, when the environment overrides it (`S3`, `SAGEMAKER`…). */
export const endpointOverride = (service: string, env: Env = process.env): string | undefined => {
  if (/^true$/i.test(env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] ?? '')) return undefined
  const v = env[`AWS_ENDPOINT_URL_${service}`] ?? env['AWS_ENDPOINT_URL']
  return v === undefined || v === '' ? undefined : v
}

/**
 * How often to poll a job that is running. Real jobs take minutes, so 2 s growing to 30 s;
 * `SAGESPEC_AWS_POLL_MS=initial[,max]` changes it (tests against a local emulator use tens of ms).
 */
export const pollPolicy = (env: Env = process.env): Backend['poll'] => {
  const m = /^(\d+)(?:,(\d+))?$/.exec(env['SAGESPEC_AWS_POLL_MS'] ?? '')
  if (m === null) return { initialMs: 2_000, maxMs: 30_000 }
  const initialMs = Number(m[1])
  return { initialMs, maxMs: Math.max(initialMs, m[2] === undefined ? 30_000 : Number(m[2])) }
}

/** What every client takes from the command line; the rest is the SDK's own resolution. */
export const clientConfig = (options: Pick<TargetOptions, 'region' | 'profile' | 'maxAttempts'>) => ({
  ...(options.region === undefined ? {} : { region: options.region }),
  ...(options.profile === undefined ? {} : { profile: options.profile }),
  ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
})

/** An S3 client; an overridden S3 endpoint (moto, MinIO, LocalStack) has no per-bucket host names. */
export const s3Client = (options: Pick<TargetOptions, 'region' | 'profile' | 'maxAttempts'>, env: Env = process.env): S3Client =>
  new S3Client({ ...clientConfig(options), ...(endpointOverride('S3', env) === undefined ? {} : { forcePathStyle: true }) })

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

const hasFault = (e: unknown): boolean => typeof e === 'object' && e !== null && '$fault' in e

/**
 * SDK service exceptions pass through (the executor maps them by name and fault). What is not one —
 * no credentials, no region, an endpoint that does not answer — becomes one line saying what to do.
 */
const clearly = (e: unknown, where: string): unknown => {
  if (!(e instanceof Error)) return e
  // The SDK appends advice on a second line ("Deserialization error: to see the raw response…").
  if (hasFault(e)) return e.message.includes('\n') ? serviceError(e.name, e.message.split('\n')[0]!, (e as { $fault?: 'client' | 'server' }).$fault) : e
  if (e.name === 'AbortError') return e
  if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message))
    return serviceError('NoCredentials', `no AWS credentials (${e.message.split('\n')[0]}): set AWS_PROFILE or --profile, run "aws sso login", or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`)
  if (/region is missing/i.test(e.message)) return serviceError('NoRegion', 'no AWS region: pass --region, or set AWS_REGION or a region in your profile')
  const code = (e as { code?: unknown }).code
  if (typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH)$/.test(code))
    return serviceError('Unreachable', `cannot reach ${where} (${code}: ${e.message}); check the network, or AWS_ENDPOINT_URL if it is set`)
  return e
}

// -------------------------------------------------------------------------------------
// logs
// -------------------------------------------------------------------------------------

const LOG_GROUPS: { readonly [K in LogKind]: string } = {
  Training: '/aws/sagemaker/TrainingJobs',
  Transform: '/aws/sagemaker/TransformJobs',
}

/** Per stream, the token to read on from. */
export interface AwsLogCursor {
  readonly tokens: Readonly<Record<string, string>>
}

const isMissing = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'ResourceNotFoundException'

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
  const common = clientConfig(options)
  const sagemaker = new SM.SageMakerClient(common)
  const runtime = new SageMakerRuntimeClient(common)
  const s3 = s3Client(options, env)
  const logsClient = new CloudWatchLogsClient(common)
  const clients = [sagemaker, runtime, s3, logsClient]
  const close = async () => clients.forEach((c) => c.destroy())

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
  const where = endpoint ?? `SageMaker in ${region}`

  const send = async <K extends OperationName>(op: K, input: Input<K>, call: CallOptions = {}): Promise<Output<K>> => {
    const command = (COMMANDS[op] as (i: Input<K>) => Call)(input)
    try {
      return (await command({ sagemaker, runtime }, call.signal === undefined ? {} : { abortSignal: call.signal })) as Output<K>
    } catch (e) {
      throw clearly(e, where)
    }
  }

  const stageCode: Backend['stageCode'] = async (archive: CodeArchive, call = {}) => {
    const at = parseS3Uri(archive.s3Prefix)
    if (at === undefined) throw serviceError('InvalidCodeLocation', `code location "${archive.s3Prefix}" is not an s3://bucket/prefix URI`)
    const Key = joinKey(at.key, archive.sha256, 'sourcedir.tar.gz')
    const uri = `s3://${at.bucket}/${Key}`
    const opts = call.signal === undefined ? {} : { abortSignal: call.signal }
    try {
      await s3.send(new HeadObjectCommand({ Bucket: at.bucket, Key }), opts)
      return uri // content-addressed: there already, byte for byte
    } catch (e) {
      if (!isNotThere(e)) throw clearly(bucketMissing(e, at.bucket, "change the program's codeLocation"), endpointOverride('S3', env) ?? `S3 in ${region}`)
    }
    await uploadBytes(s3, { bucket: at.bucket, key: Key, body: archive.gzip, ...(call.onProgress === undefined ? {} : { onProgress: call.onProgress }), ...(call.signal === undefined ? {} : { signal: call.signal }) }).catch((e: unknown) => {
      throw clearly(bucketMissing(e, at.bucket, "change the program's codeLocation"), endpointOverride('S3', env) ?? `S3 in ${region}`)
    })
    return uri
  }

  const logs: NonNullable<Backend['logs']> = async (kind, jobName, cursor, call = {}) => {
    const group = LOG_GROUPS[kind]
    const tokens: Record<string, string> = { ...((cursor as AwsLogCursor | undefined)?.tokens ?? {}) }
    const opts = call.signal === undefined ? {} : { abortSignal: call.signal }
    const lines: LogLine[] = []
    try {
      const streams: string[] = []
      let next: string | undefined
      do {
        const page = await logsClient.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: `${jobName}/`, ...(next === undefined ? {} : { nextToken: next }) }), opts)
        for (const s of page.logStreams ?? []) if (s.logStreamName !== undefined) streams.push(s.logStreamName)
        next = page.nextToken
      } while (next !== undefined)
      for (const stream of streams.sort()) {
        const host = stream.slice(jobName.length + 1)
        for (;;) {
          const token = tokens[stream]
          const page = await logsClient.send(
            new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, ...(token === undefined ? {} : { nextToken: token }) }),
            opts,
          )
          for (const ev of page.events ?? []) lines.push({ host, line: (ev.message ?? '').replace(/\n$/, ''), ...(ev.timestamp === undefined ? {} : { at: ev.timestamp }) })
          // The service answers the token it was given when there is nothing newer.
          const forward = page.nextForwardToken
          if (forward === undefined || forward === token) break
          tokens[stream] = forward
          if ((page.events ?? []).length === 0) break
        }
      }
    } catch (e) {
      // No log group or stream yet: the job has not written anything.
      if (!isMissing(e)) throw clearly(e, endpointOverride('CLOUDWATCH_LOGS', env) ?? `CloudWatch Logs in ${region}`)
    }
    const ordered = lines.every((l) => l.at !== undefined) ? [...lines].sort((a, b) => a.at! - b.at!) : lines
    return { lines: ordered, cursor: { tokens } satisfies AwsLogCursor }
  }

  return {
    target: 'aws',
    describe: endpoint === undefined ? `AWS (${region})` : `AWS (${region}, endpoint ${endpoint})`,
    send,
    stageCode,
    logs,
    poll: pollPolicy(env),
    close,
  }
}

// -------------------------------------------------------------------------------------
// S3 helpers, shared with the local-data upload
// -------------------------------------------------------------------------------------

/** HeadObject answers a missing key with 404 `NotFound`. */
export const isNotThere = (e: unknown): boolean => {
  if (typeof e !== 'object' || e === null) return false
  const x = e as { name?: unknown; $metadata?: { httpStatusCode?: number } }
  return x.name === 'NotFound' || x.name === 'NoSuchKey' || (x.$metadata?.httpStatusCode === 404 && x.name !== 'NoSuchBucket')
}

/** A missing bucket, said with its name and what to do (`fix`: where another one is named). */
export const bucketMissing = (e: unknown, bucket: string, fix: string): unknown =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'NoSuchBucket'
    ? serviceError('NoSuchBucket', `S3 bucket "${bucket}" does not exist (or these credentials cannot see it): create it, or ${fix}`)
    : e

export interface UploadRequest {
  readonly bucket: string
  readonly key: string
  readonly body: Uint8Array | NodeJS.ReadableStream
  /** Known size, for progress when the body is a stream. */
  readonly size?: number
  readonly onProgress?: (p: Progress) => void
  readonly signal?: AbortSignal
}

/** Put one object, multipart when large (`@aws-sdk/lib-storage`), reporting progress. */
export const uploadBytes = async (s3: S3Client, r: UploadRequest): Promise<void> => {
  const uri = `s3://${r.bucket}/${r.key}`
  const total = r.size ?? (r.body instanceof Uint8Array ? r.body.byteLength : 0)
  const upload = new Upload({
    client: s3,
    params: { Bucket: r.bucket, Key: r.key, Body: r.body as never },
    ...(r.signal === undefined ? {} : { abortController: abortControllerFor(r.signal) }),
  })
  let finished = false
  upload.on('httpUploadProgress', (p) => {
    const loaded = p.loaded ?? 0
    const of = p.total ?? total
    finished = loaded === of
    r.onProgress?.({ uri, loaded, total: of })
  })
  await upload.done()
  // The end is reported once, whichever way the upload went.
  if (!finished) r.onProgress?.({ uri, loaded: total, total })
}

const abortControllerFor = (signal: AbortSignal): AbortController => {
  const c = new AbortController()
  if (signal.aborted) c.abort()
  else signal.addEventListener('abort', () => c.abort(), { once: true })
  return c
}
