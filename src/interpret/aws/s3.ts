/**
 * S3 for the AWS target: the client (path-style when the endpoint is overridden), and
 * putting objects — multipart when large, with progress — for code archives and local data.
 *
 * @since 0.2.0
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { serviceError } from '../plan/operations.js'
import type { CodeArchive, Progress, RepackRequest } from '../execute/port.js'
import { repackLocation, repackModel, type Repacked } from '../code/repack.js'
import type { TargetOptions } from '../execute/target.js'
import { clearly, clientConfig, endpointOverride, type Env } from './config.js'
import { parseS3Uri } from './s3-uri.js'
import { codeLocation } from '../code/pack.js'

const archiveKey = (s3Prefix: string, sha256: string): string => codeLocation({ _tag: 'Code', entryPoint: '', s3Prefix }, sha256).key

/** An S3 client; an overridden S3 endpoint (moto, MinIO, LocalStack) has no per-bucket host names. */
export const s3Client = (options: Pick<TargetOptions, 'region' | 'profile' | 'maxAttempts'>, env: Env = process.env): S3Client =>
  new S3Client({ ...clientConfig(options), ...(endpointOverride('S3', env) === undefined ? {} : { forcePathStyle: true }) })

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

/**
 * Put a code archive at `<code location>/<sha256>/sourcedir.tar.gz`, unless HeadObject finds it
 * there (the key is its content, so what is there is the same bytes). Returns its URI.
 */
export const stageArchive = async (
  s3: S3Client,
  archive: CodeArchive,
  options: { readonly onProgress?: (p: Progress) => void; readonly signal?: AbortSignal; readonly where: string },
): Promise<string> => {
  const at = parseS3Uri(archive.s3Prefix)
  if (at === undefined) throw serviceError('InvalidCodeLocation', `code location "${archive.s3Prefix}" is not an s3://bucket/prefix URI`)
  // The key every interpreter names (the plan shows it, the Airflow export uploads to it).
  const Key = archiveKey(archive.s3Prefix, archive.sha256)
  const fail = (e: unknown) => clearly(bucketMissing(e, at.bucket, "change the program's codeLocation"), options.where)
  try {
    await s3.send(new HeadObjectCommand({ Bucket: at.bucket, Key }), options.signal === undefined ? {} : { abortSignal: options.signal })
    return `s3://${at.bucket}/${Key}`
  } catch (e) {
    if (!isNotThere(e)) throw fail(e)
  }
  await uploadBytes(s3, {
    bucket: at.bucket,
    key: Key,
    body: archive.gzip,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  }).catch((e: unknown) => {
    throw fail(e)
  })
  return `s3://${at.bucket}/${Key}`
}

/**
 * Repack a model archive in S3 with its serving code, beside the code archives; HeadObject first, so
 * a re-run downloads the original (its hash names the result) but uploads nothing.
 */
export const repackInS3 = async (s3: S3Client, r: RepackRequest, options: { readonly signal?: AbortSignal; readonly where: string }): Promise<Repacked> => {
  const code = { _tag: 'Code' as const, entryPoint: '', s3Prefix: r.s3Prefix }
  if (parseS3Uri(r.s3Prefix) === undefined) throw serviceError('InvalidCodeLocation', `code location "${r.s3Prefix}" is not an s3://bucket/prefix URI`)
  const call = options.signal === undefined ? {} : { abortSignal: options.signal }
  const located = (uri: string) => {
    const at = parseS3Uri(uri)
    if (at === undefined) throw serviceError('ValidationException', `model data "${uri}" is not an s3://bucket/key URI`)
    return at
  }
  return repackModel(
    {
      fetch: async (uri, file) => {
        const at = located(uri)
        const got = await s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }), call).catch((e: unknown) => {
          throw clearly(bucketMissing(e, at.bucket, 'check the model data URI'), options.where)
        })
        await pipeline(got.Body as Readable, createWriteStream(file))
      },
      target: (name) => repackLocation(code, name).uri,
      exists: async (uri) => {
        const at = located(uri)
        try {
          await s3.send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key }), call)
          return true
        } catch (e) {
          if (isNotThere(e)) return false
          throw clearly(bucketMissing(e, at.bucket, "change the program's codeLocation"), options.where)
        }
      },
      put: async (uri, file) => {
        const at = located(uri)
        await uploadBytes(s3, { bucket: at.bucket, key: at.key, body: createReadStream(file), size: statSync(file).size, ...(options.signal === undefined ? {} : { signal: options.signal }) })
      },
    },
    r,
  )
}
