/**
 * RecordSets: a numeric matrix (and optional labels) written as RecordIO-protobuf shards, one per
 * training instance, with the `.amazon.manifest` that lists them, and the `ManifestFile` /
 * `ShardedByS3Key` channel that points an Amazon algorithm at them. Also the codecs of these
 * algorithms' real-time predictions, which use the same format.
 *
 * Making a RecordSet is pure: it returns the objects to upload as data (`{ bucket, key, uri, bytes }`)
 * and never touches S3. Uploading them is an interpreter's job: before the training step that reads
 * the record set starts, put every object of `uploads` (shards first, the manifest last, so the
 * manifest never names a missing shard). Keys are content-addressed (`<dataLocation><sha256 prefix>/…`),
 * so an object that already exists needs no second upload and re-planning the same data changes
 * nothing. A program file can export them beside the program (`export const uploads = …`); any S3
 * client can put them today.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import type { Val } from '../../spec/val.js'
import {
  readRecords,
  recordSetPlan,
  shard,
  writeDenseMatrix,
  type DenseArray,
  type DenseMatrix,
  type RecordIoError,
  type UploadObject,
} from '../recordio.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What an Amazon algorithm preset reads from: a channel name, where the data is and, for the
 * hyperparameters, its shape. `recordSet(...)` makes one from a matrix; data already in S3 can be
 * described by hand, as the reference SDK's `RecordSet(s3_data, num_records, feature_dim, s3_data_type, channel)`.
 *
 * @category model
 */
export interface RecordInput {
  /** The manifest (or prefix) URI. */
  readonly uri: Val<string>
  /** @default 'train' */
  readonly channel?: string
  /** Columns: becomes `feature_dim`. */
  readonly featureDim?: Val<number>
  /** Rows: used to compute PCA's and LinearLearner's default mini-batch size. */
  readonly numRecords?: number
  /** @default 'S3Prefix' (a RecordSet made by `recordSet` is a 'ManifestFile') */
  readonly s3DataType?: 'S3Prefix' | 'ManifestFile' | 'AugmentedManifestFile'
  /** @default 'ShardedByS3Key' (as the reference SDK sends every RecordSet) */
  readonly distribution?: 'FullyReplicated' | 'ShardedByS3Key'
  /** Left out for RecordIO-protobuf (the algorithms' default); e.g. 'text/csv' for IPInsights. */
  readonly contentType?: Val<string>
  /** Why the record set could not be made (see `recordSet`); a preset reports it at `channels.<channel>`. */
  readonly problem?: { readonly expected: string; readonly actual: unknown }
}

/** @category model */
export interface RecordSet extends RecordInput {
  readonly _tag: 'RecordSet'
  readonly channel: string
  readonly uri: string
  readonly s3DataType: 'ManifestFile'
  readonly distribution: 'ShardedByS3Key'
  readonly featureDim: number
  readonly numRecords: number
  /** What to upload, in order: the shards, then the manifest. Empty when `problem` is set. */
  readonly uploads: ReadonlyArray<UploadObject>
}

/** A matrix: recordio's typed dense matrix, or rows of numbers (written as float64, like a NumPy float array). */
export type MatrixInput = DenseMatrix | ReadonlyArray<ReadonlyArray<number>>

export interface RecordSetOptions {
  readonly matrix: MatrixInput
  /** One label per row. Plain numbers are written as float64. */
  readonly labels?: DenseArray | ReadonlyArray<number>
  /** One shard per training instance (each instance reads its own under ShardedByS3Key). */
  readonly instanceCount: number
  /** Where to put the shards: `s3://bucket/prefix/` (ending with `/`). */
  readonly dataLocation: string
  /** @default 'train' */
  readonly channel?: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Rows of numbers → a float64 dense matrix, or why they are not a matrix. */
export const toDenseMatrix = (m: MatrixInput): Either<string, DenseMatrix> => {
  if (!Array.isArray(m)) return E.right(m as DenseMatrix)
  const rows = m as ReadonlyArray<ReadonlyArray<number>>
  const cols = rows[0]?.length ?? 0
  const ragged = rows.findIndex((r) => r.length !== cols)
  if (ragged >= 0) return E.left(`rows of equal length (row 0 has ${cols} values, row ${ragged} has ${rows[ragged]!.length})`)
  return E.right({ rows: rows.length, cols, values: Float64Array.from(rows.flat()) })
}

const toLabels = (l: DenseArray | ReadonlyArray<number> | undefined): DenseArray | undefined =>
  l === undefined || !Array.isArray(l) ? (l as DenseArray | undefined) : Float64Array.from(l)

/**
 * Shard a matrix over `instanceCount` instances and describe the uploads and the channel, as the
 * reference SDK's `record_set(train, labels, channel)`. Total: a problem (ragged rows, fewer rows than
 * instances, a data location that is not an `s3://…/` prefix) is kept in `problem`, and the preset
 * that reads the record set reports it with the step's other errors.
 *
 * @category constructors
 */
export const recordSet = (o: RecordSetOptions): RecordSet => {
  const channel = o.channel ?? 'train'
  const failed = (expected: string, actual: unknown): RecordSet => ({
    _tag: 'RecordSet',
    channel,
    uri: o.dataLocation,
    s3DataType: 'ManifestFile',
    distribution: 'ShardedByS3Key',
    featureDim: 0,
    numRecords: 0,
    uploads: [],
    problem: { expected, actual },
  })
  const matrix = toDenseMatrix(o.matrix)
  if (E.isLeft(matrix)) return failed(`a matrix: ${matrix.left}`, 'a ragged matrix')
  const planned = E.flatMap(shard(matrix.right, toLabels(o.labels), o.instanceCount), (shards) => recordSetPlan(o.dataLocation, shards))
  if (E.isLeft(planned)) return failed(`data a RecordSet can be made of: ${planned.left.message}`, { rows: matrix.right.rows, instanceCount: o.instanceCount, dataLocation: o.dataLocation })
  const p = planned.right
  return {
    _tag: 'RecordSet',
    channel,
    uri: p.channel.uri,
    s3DataType: 'ManifestFile',
    distribution: 'ShardedByS3Key',
    featureDim: p.channel.featureDim,
    numRecords: p.channel.numRecords,
    uploads: [...p.objects, { bucket: p.manifest.bucket, key: p.manifest.key, uri: p.manifest.uri, bytes: p.manifest.bytes }],
  }
}

// -------------------------------------------------------------------------------------
// predictions
// -------------------------------------------------------------------------------------

/**
 * The body of an `InvokeEndpoint` request to a RecordIO-protobuf predictor: one record per row, the
 * row as `features["values"]` (the reference SDK's `numpy_to_record_serializer`).
 */
export const encodeInstances = (m: MatrixInput): Either<string, Uint8Array> => E.map(writeDenseMatrix)(toDenseMatrix(m))

/** One prediction: each label tensor by name, e.g. `{ closest_cluster: [2], distance_to_cluster: [0.5] }`. */
export type Prediction = Readonly<Record<string, ReadonlyArray<number>>>

/**
 * Decode an `application/x-recordio-protobuf` response (the reference SDK's `record_deserializer`):
 * one prediction per record, read from the record's `label` map.
 */
export const decodePredictions = (bytes: Uint8Array): Either<RecordIoError, ReadonlyArray<Prediction>> =>
  E.map((records: ReadonlyArray<{ readonly label: ReadonlyMap<string, { readonly values: ReadonlyArray<number> }> }>) =>
    records.map((r) => Object.fromEntries([...r.label].map(([k, t]) => [k, t.values]))),
  )(readRecords(bytes))
