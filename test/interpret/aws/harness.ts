/**
 * Shared by the AWS tests: moto (and optionally the fault proxy) started once per file, the CLI run
 * in-process with the environment pointing at them, and the checks every captured request passes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { main } from '../../../src/cli/main.js'
import { SageMakerClient } from '@aws-sdk/client-sagemaker'
import { startFaultProxy, type Captured, type FaultProxy } from '../../support/fault-proxy.js'
import { startMoto, type Moto } from '../../support/moto.js'
import { checkRequest, formatViolations, serviceModelOrSkip, type ServiceModel } from '../../support/service-model.js'

export interface CliResult {
  readonly code: number
  readonly out: string
  readonly err: string
}

/**
 * Run `sagespec …` in this process with `env` set for the call (undefined: unset), restoring the
 * environment after.
 */
export const runCli = async (args: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>>): Promise<CliResult> => {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  const out: string[] = []
  const err: string[] = []
  try {
    const code = await main(args, { out: (s) => void out.push(s), err: (s) => void err.push(s) })
    return { code, out: out.join('\n'), err: err.join('\n') }
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

export const tempDir = (): { readonly path: string; readonly remove: () => void } => {
  const path = mkdtempSync(join(tmpdir(), 'sagespec-aws-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** An S3 client talking straight to moto (not through the proxy). */
export const motoS3 = (endpoint: string): S3Client =>
  new S3Client({ endpoint, region: 'us-west-2', forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } })

export const createBucket = async (s3: S3Client, bucket: string): Promise<void> => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }))
}

/** The service models of the JSON-protocol services the backend calls, or why they are missing. */
export const serviceModels = (): { readonly models?: ReadonlyMap<string, ServiceModel>; readonly skip?: string } => {
  const found = (['sagemaker', 'logs', 's3'] as const).map((name) => [name, serviceModelOrSkip(name)] as const)
  const missing = found.find(([, m]) => m.model === undefined)
  if (missing !== undefined) return { skip: missing[1].skip ?? 'no service model' }
  return { models: new Map(found.map(([name, m]) => [name, m.model!])) }
}

/**
 * The input an S3 REST request stands for, from its path and query: enough to check the bucket, the
 * key and the upload's members against the model.
 */
export const s3Input = (r: Captured): Record<string, unknown> => {
  const url = new URL(r.path, 'http://x')
  const [bucket, ...key] = url.pathname.split('/').slice(1).map(decodeURIComponent)
  const q = url.searchParams
  return {
    ...(bucket === undefined || bucket === '' ? {} : { Bucket: bucket }),
    ...(key.join('/') === '' ? {} : { Key: key.join('/') }),
    ...(q.has('uploadId') ? { UploadId: q.get('uploadId') } : {}),
    ...(q.has('partNumber') ? { PartNumber: Number(q.get('partNumber')) } : {}),
    ...(q.has('prefix') ? { Prefix: q.get('prefix') } : {}),
    ...(q.has('continuation-token') ? { ContinuationToken: q.get('continuation-token') } : {}),
  }
}

/**
 * Violations of the service models by the captured requests, one entry each: JSON-protocol calls
 * (SageMaker, CloudWatch Logs) by their body; S3 REST calls by the members their path and query
 * carry (bucket, key, upload id, part number, prefix).
 */
export const modelViolations = (models: ReadonlyMap<string, ServiceModel>, requests: ReadonlyArray<Captured>): ReadonlyArray<string> =>
  requests.flatMap((r) => {
    const model = models.get(r.service)
    if (model === undefined) return [`${r.service} ${r.operation}: no model loaded for this service`]
    const input = r.service === 's3' ? s3Input(r) : r.body
    if (input === undefined) return [`${r.service} ${r.operation}: no JSON body captured`]
    const v = checkRequest(model, r.operation, input)
    return v.length === 0 ? [] : [`${r.operation}:\n${formatViolations(v)}`]
  })

/**
 * moto behind the fault proxy, once per file: S3 and SageMaker clients on moto itself (to arrange and
 * inspect), a temporary folder, and the environment the CLI runs with (through the proxy, polling fast).
 */
export interface MotoStack {
  readonly moto: Moto
  readonly proxy: FaultProxy
  readonly s3: S3Client
  readonly sm: SageMakerClient
  readonly dir: ReturnType<typeof tempDir>
  readonly env: Record<string, string>
  readonly close: () => Promise<void>
}

export const startMotoStack = async (): Promise<MotoStack> => {
  const moto = await startMoto()
  const proxy = await startFaultProxy(moto.endpoint)
  const s3 = motoS3(moto.endpoint)
  const sm = new SageMakerClient({ endpoint: moto.endpoint, region: 'us-west-2', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } })
  const dir = tempDir()
  return {
    moto,
    proxy,
    s3,
    sm,
    dir,
    env: { ...moto.env, AWS_ENDPOINT_URL: proxy.endpoint, SAGESPEC_AWS_POLL_MS: '20,100' },
    close: async () => {
      s3.destroy()
      sm.destroy()
      await proxy.close()
      await moto.stop()
      dir.remove()
    },
  }
}
