/**
 * Asynchronous inference on this machine (InvokeEndpointAsync): the request names its input by
 * location (`s3://` or `file://`), is answered at once with 202, an inference id and where the
 * answer will be — `<S3OutputPath>/<inference id>.out` of the endpoint config's AsyncInferenceConfig
 * — and is then run through the same routing as InvokeEndpoint. A failure is written to
 * `<S3FailurePath>/<inference id>-error.out` (to the output path when the config names no failure
 * path), as the cloud does.
 *
 * @since 0.2.0
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import type { S3Client } from '@aws-sdk/client-s3'
import { errorResponse, type GatewayError } from './routing.js'
import type { Invoke } from './invoke.js'
import type { EndpointRecord } from './registry.js'
import { joinUri, parseLocation, type Location } from '../storage.js'

export interface AsyncRequest {
  readonly inputLocation: string | undefined
  readonly contentType?: string
  readonly accept?: string
  readonly customAttributes?: string
  readonly inferenceId?: string
}

/** The 202 answer: where the result will be. */
export interface AsyncAccepted {
  readonly inferenceId: string
  readonly outputLocation: string
  readonly failureLocation?: string
  /** Runs the inference and writes its result; resolves when written. */
  readonly run: () => Promise<void>
}

export type AsyncError = GatewayError | { readonly _tag: 'NotAsync'; readonly endpoint: string } | { readonly _tag: 'BadInputLocation'; readonly location: string | undefined }

export const describeAsyncError = (e: AsyncError): { readonly status: number; readonly type: string; readonly message: string } => {
  if (e._tag === 'NotAsync') return { status: 400, type: 'ValidationError', message: `Endpoint ${e.endpoint} has no AsyncInferenceConfig in its endpoint config; InvokeEndpointAsync needs one.` }
  if (e._tag === 'BadInputLocation')
    return { status: 400, type: 'ValidationError', message: `InputLocation: expected an s3:// or file:// URI, found ${e.location === undefined ? 'none' : JSON.stringify(e.location)}.` }
  const r = errorResponse(e)
  return { status: r.status, type: r.type, message: String(r.body['message']) }
}

/** Reading and writing locations: files directly, S3 through the client made on first use. */
export interface Store {
  readonly read: (l: Location) => Promise<Buffer>
  readonly write: (l: Location, bytes: Uint8Array) => Promise<void>
}

export const store = (s3: () => Promise<S3Client>): Store => ({
  read: async (l) => {
    if (l._tag === 'File') return readFileSync(l.path)
    const { GetObjectCommand } = await import('@aws-sdk/client-s3')
    const got = await (await s3()).send(new GetObjectCommand({ Bucket: l.bucket, Key: l.key }))
    const chunks: Buffer[] = []
    for await (const c of got.Body as Readable) chunks.push(c as Buffer)
    return Buffer.concat(chunks)
  },
  write: async (l, bytes) => {
    if (l._tag === 'File') {
      mkdirSync(dirname(l.path), { recursive: true })
      // Whole or not at all: a poller that sees the file may read it.
      const tmp = `${l.path}.${process.pid}.tmp`
      writeFileSync(tmp, bytes)
      return renameSync(tmp, l.path)
    }
    const { PutObjectCommand } = await import('@aws-sdk/client-s3')
    await (await s3()).send(new PutObjectCommand({ Bucket: l.bucket, Key: l.key, Body: bytes }))
  },
})

// The runtime's InferenceId: up to 64 characters of printable ASCII.
const INFERENCE_ID = /^[\x21-\x7e]{1,64}$/

/**
 * Accept one asynchronous invocation of `endpoint`, or say why not. Relative `file://` locations
 * resolve against `baseDir`.
 */
export const acceptAsync = (
  lookup: (name: string) => EndpointRecord | undefined,
  invoke: Invoke,
  files: Store,
  baseDir: string,
) => (endpoint: string, request: AsyncRequest): Either<AsyncError, AsyncAccepted> => {
  const record = lookup(endpoint)
  if (record === undefined) return E.left({ _tag: 'UnknownEndpoint', endpoint })
  const config = record.async
  if (config === undefined) return E.left({ _tag: 'NotAsync', endpoint })
  const input = request.inputLocation === undefined ? undefined : parseLocation(request.inputLocation, baseDir)
  if (input === undefined) return E.left({ _tag: 'BadInputLocation', location: request.inputLocation })
  if (request.inferenceId !== undefined && !INFERENCE_ID.test(request.inferenceId)) return E.left({ _tag: 'InvalidHeader', value: request.inferenceId })
  const inferenceId = request.inferenceId ?? randomUUID()
  const outputLocation = joinUri(config.outputPath, `${inferenceId}.out`)
  const failureLocation = joinUri(config.failurePath ?? config.outputPath, `${inferenceId}-error.out`)
  const at = (uri: string): Location => parseLocation(uri, baseDir)!
  const run = async (): Promise<void> => {
    let message: string
    try {
      const body = await files.read(input)
      const r = await invoke(endpoint, {
        body,
        ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
        ...(request.accept === undefined ? {} : { accept: request.accept }),
        ...(request.customAttributes === undefined ? {} : { customAttributes: request.customAttributes }),
      })
      if (E.isRight(r)) return await files.write(at(outputLocation), r.right.body)
      const e = errorResponse(r.left)
      message = `${e.type}: ${String(e.body['message'])}`
    } catch (e) {
      message = `the input ${request.inputLocation} could not be read or the output written: ${(e as Error).message}`
    }
    await files.write(at(failureLocation), Buffer.from(message + '\n')).catch(() => undefined)
  }
  return E.right({ inferenceId, outputLocation, ...(config.failurePath === undefined ? {} : { failureLocation }), run })
}
