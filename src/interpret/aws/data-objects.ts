/**
 * Data objects a program module exports beside its program (`export const uploads =
 * records.uploads`: a RecordSet's shards and manifest), put in S3 before any step reads them. Their
 * keys are content-addressed, so an object HeadObject finds there is the same bytes and is skipped:
 * a re-run or resume uploads nothing. The AWS and local targets both use this (a local run reads
 * `s3://` data from S3 too); the Airflow export does the same in its upload task.
 *
 * @since 0.3.0
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { bucketMissing, isNotThere, uploadBytes } from './s3.js'

/** One object to put: where, and its bytes (the shape of `recordSet(...).uploads`). */
export interface DataObject {
  readonly bucket: string
  readonly key: string
  readonly uri: string
  readonly bytes: Uint8Array
}

export interface PutResult {
  readonly uploaded: ReadonlyArray<string>
  /** Already there (same key, so the same content). */
  readonly present: ReadonlyArray<string>
}

/**
 * Put each object unless it is there, in the order given (shards before the manifest that lists
 * them). Throws the SDK's error, a missing bucket said with its name and the fix.
 */
export const putDataObjects = async (s3: S3Client, objects: ReadonlyArray<DataObject>, say: (line: string) => void = () => undefined): Promise<PutResult> => {
  const uploaded: string[] = []
  const present: string[] = []
  for (const o of objects) {
    const fix = (e: unknown) => bucketMissing(e, o.bucket, "change the RecordSet's dataLocation")
    try {
      await s3.send(new HeadObjectCommand({ Bucket: o.bucket, Key: o.key }))
      present.push(o.uri)
      continue
    } catch (e) {
      if (!isNotThere(e)) throw fix(e)
    }
    await uploadBytes(s3, { bucket: o.bucket, key: o.key, body: o.bytes }).catch((e: unknown) => {
      throw fix(e)
    })
    uploaded.push(o.uri)
  }
  if (objects.length > 0) say(`data objects: ${uploaded.length} uploaded, ${present.length} already in S3`)
  return { uploaded, present }
}
