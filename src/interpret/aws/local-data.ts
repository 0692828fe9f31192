/**
 * `--upload-local-data s3://bucket/prefix`: each `file://` folder (or file) a program reads is put
 * under `<prefix>/<sha256 of its files>/`, so the same data is uploaded once however often it runs,
 * and objects already there are skipped.
 *
 * @since 0.2.0
 */
import { createHash } from 'node:crypto'
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, resolve, sep } from 'node:path'
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import type { Progress } from '../execute/port.js'
import { bucketMissing, uploadBytes } from './s3.js'
import { joinKey, type S3Location } from './s3-uri.js'

export interface LocalFile {
  /** Relative to the folder, with `/`. */
  readonly key: string
  readonly path: string
  readonly size: number
}

export interface LocalData {
  readonly sha256: string
  readonly files: ReadonlyArray<LocalFile>
}

/** The folder (or file) a `file://` URI names, relative paths against `baseDir`. */
export const localPath = (uri: string, baseDir: string): string => resolve(baseDir, decodeURIComponent(uri.slice('file://'.length)))

const walk = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []))

/**
 * The files under `path` and their content hash: sha256 over each file's relative key and its own
 * sha256, in key order — the same files give the same hash wherever they live.
 */
export const hashLocalData = (path: string): LocalData => {
  const isDir = statSync(path).isDirectory()
  const paths = isDir ? walk(path) : [path]
  const files = paths.map((p) => ({ key: isDir ? relative(path, p).split(sep).join('/') : basename(p), path: p, size: statSync(p).size }))
  const h = createHash('sha256')
  for (const f of files) h.update(`${f.key}\0${createHash('sha256').update(readFileSync(f.path)).digest('hex')}\n`)
  return { sha256: h.digest('hex'), files }
}

/**
 * Upload the data under `<dest>/<sha256>/`, skipping keys that are there; returns the S3 prefix URI
 * the channel reads.
 */
export const uploadLocalData = async (
  s3: S3Client,
  data: LocalData,
  dest: S3Location,
  onProgress: (p: Progress) => void,
): Promise<string> => {
  const prefix = joinKey(dest.key, data.sha256)
  const present = new Set<string>()
  try {
    let token: string | undefined
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: dest.bucket, Prefix: `${prefix}/`, ...(token === undefined ? {} : { ContinuationToken: token }) }))
      for (const o of page.Contents ?? []) if (o.Key !== undefined) present.add(o.Key)
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    for (const f of data.files) {
      const key = `${prefix}/${f.key}`
      if (present.has(key)) continue
      await uploadBytes(s3, { bucket: dest.bucket, key, body: createReadStream(f.path), size: f.size, onProgress })
    }
  } catch (e) {
    throw bucketMissing(e, dest.bucket, 'pass another --upload-local-data')
  }
  return `s3://${dest.bucket}/${prefix}/`
}
